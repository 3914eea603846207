"""Accounts and sign-in: passwords, sessions, API tokens, throttling and the policy that
sets their limits. Faces call these; none of them knows about HTTP."""
