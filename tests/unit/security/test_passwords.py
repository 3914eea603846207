"""The password policy (NIST SP 800-63B style) and argon2 hashing."""

from __future__ import annotations

from importlib import resources

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from isocourse.domain.errors import InvalidInput
from isocourse.services.security.passwords import (
    check_password,
    hash_password,
    needs_rehash,
    verify_nothing,
    verify_password,
)
from isocourse.services.security.policy import SecurityPolicy

POLICY = SecurityPolicy()
USER = "alice"


def _common_list() -> list[str]:
    text = resources.files("isocourse.services.security").joinpath(
        "common-passwords.txt").read_text("utf-8")
    return [line.strip().lower() for line in text.splitlines()
            if line.strip() and not line.startswith("#")]


COMMON = _common_list()


def refusal(password: str, username: str = USER,
            policy: SecurityPolicy = POLICY) -> str | None:
    """The policy's message, or None when the password is accepted."""
    try:
        check_password(password, username=username, policy=policy)
    except InvalidInput as error:
        assert error.field == "password"
        return error.message
    return None


# -- length --------------------------------------------------------------------------------

def test_a_password_one_character_short_of_the_minimum_is_refused() -> None:
    assert refusal("vq7-mauve-k") == "a password needs at least 12 characters"
    assert refusal("vq7-mauve-kz") is None


def test_the_minimum_length_is_the_policys() -> None:
    strict = SecurityPolicy(password_min_length=20)
    assert refusal("vq7-mauve-kz-orbit", policy=strict) == \
        "a password needs at least 20 characters"
    assert refusal("vq7-mauve-kz-orbit-x", policy=strict) is None


def test_a_password_longer_than_the_maximum_is_refused() -> None:
    longest = ("vq7-mauve-kz " * 20)[:256]
    assert refusal(longest) is None
    assert refusal(longest + "x") == "a password has at most 256 characters"


def test_length_counts_characters_not_bytes() -> None:
    assert refusal("ñandú-ćwierć") is None  # 12 characters, more bytes


# -- commonly used passwords ---------------------------------------------------------------

@pytest.mark.parametrize("password", [
    "passwordpassword", "correcthorsebatterystaple", "CorrectHorseBatteryStaple",
    "iloveyouforever", "WelcomeToTheJungle", "mysecretpassword", "123456789012",
    "abcdefghijkl", "qwertyuiopasdf", "ISOTRETINOIN",
])
def test_a_commonly_used_password_is_refused_in_any_case(password: str) -> None:
    assert refusal(password) == "this password is one of the most commonly used: choose another"


@pytest.mark.parametrize("password", [
    "password1234", "Password2024!", "dermatology!!", "isotretinoin1", "accutane1234!",
    "qwerty123456", "letmein!!!!!", "football1999", "prescriber!2!",
])
def test_a_commonly_used_password_with_trailing_digits_or_exclamation_marks_is_refused(
        password: str) -> None:
    assert refusal(password) == "this password is one of the most commonly used: choose another"


_SUFFIX = st.text(alphabet="0123456789!", min_size=1, max_size=12)


@given(st.sampled_from(COMMON), _SUFFIX, st.booleans())
@example("123456", "123456", False)
@example("jordan23", "23", False)
def test_every_listed_password_followed_by_digits_or_exclamation_marks_is_refused(
        common: str, suffix: str, upper: bool) -> None:
    password = (common.upper() if upper else common) + suffix
    if len(password) < POLICY.password_min_length or len(set(password)) < 4:
        return  # refused for another reason, checked elsewhere
    assert refusal(password, username="") is not None, (
        f"{password!r} is the listed {common!r} followed by {suffix!r}")


def test_a_password_merely_containing_a_common_word_is_accepted() -> None:
    assert refusal("my dragon eats kale") is None
    assert refusal("passwordless-mauve") is None


# -- the user name -------------------------------------------------------------------------

@pytest.mark.parametrize("password", ["alice-mauve-kz", "xx-ALICE-yy-42", "mauveAlice7-kz"])
def test_a_password_containing_the_user_name_in_any_case_is_refused(password: str) -> None:
    assert refusal(password) == "a password must not contain the user name"


def test_an_empty_user_name_is_not_looked_for() -> None:
    assert refusal("vq7-mauve-kz", username="") is None


# -- variety -------------------------------------------------------------------------------

@pytest.mark.parametrize("password", ["zzzzzzzzzzzz", "zqzqzqzqzqzq", "zqxzqxzqxzqx",
                                      "zZzZzZzZzZzZ"])
def test_a_password_of_fewer_than_four_different_characters_is_refused(password: str) -> None:
    assert refusal(password) == "a password needs more than a few different characters"


def test_four_different_characters_are_enough() -> None:
    assert refusal("zqxwzqxwzqxw") is None


# -- the whole policy as a property ----------------------------------------------------------

def _stem(text: str) -> str:
    return text.rstrip("0123456789!")


def _is_common(password: str) -> bool:
    """Listed, or listed followed by a run of digits and "!"."""
    lowered = password.lower()
    return any(lowered == c or (lowered.startswith(c) and _stem(lowered[len(c):]) == "")
               for c in COMMON)


_candidates = st.one_of(
    st.text(min_size=8, max_size=20),
    st.text(alphabet="ab", min_size=10, max_size=14),
    st.text(alphabet="abc1!", min_size=10, max_size=14),
    st.builds(lambda c, s: c + s, st.sampled_from(COMMON), st.text("0123456789!x", max_size=8)),
    st.builds(lambda a, b: a + "aLiCe" + b, st.text(max_size=8), st.text(max_size=8)),
    st.text(min_size=250, max_size=260),
)


@given(_candidates)
@example("jordan2323")
def test_any_accepted_password_satisfies_every_rule(password: str) -> None:
    if refusal(password) is not None:
        return
    assert 12 <= len(password) <= 256
    assert not _is_common(password), f"{password!r} is a common password"
    assert USER not in password.lower()
    assert len(set(password)) >= 4


# -- hashing -------------------------------------------------------------------------------

def test_a_hash_verifies_its_password_and_no_other() -> None:
    stored = hash_password("vq7-mauve-kz")
    assert "vq7-mauve-kz" not in stored
    assert stored.startswith("$argon2id$")
    assert verify_password(stored, "vq7-mauve-kz")
    assert not verify_password(stored, "vq7-mauve-kZ")
    assert not verify_password(stored, "")
    assert not needs_rehash(stored)


def test_the_same_password_hashes_differently_each_time() -> None:
    assert hash_password("vq7-mauve-kz") != hash_password("vq7-mauve-kz")


@pytest.mark.parametrize("garbage", [
    "", "not a hash", "$argon2id$", "$argon2id$v=19$m=65536,t=3,p=4$c2FsdHNhbHQ$aGFzaA",
    "$argon2id$v=19$m=1,t=1,p=1$c2FsdHNhbHQ$aGFzaGhhc2hoYXNo",
    "$2b$12$R9h/cIPz0gi.URNNX3kh2OPST9/PgBkqquzi.Ss7KIUgO2t0jWMUW", "\x00",
])
def test_a_garbage_hash_verifies_nothing_and_raises_nothing(garbage: str) -> None:
    assert verify_password(garbage, "vq7-mauve-kz") is False


@given(st.text(max_size=80))
def test_any_text_as_a_stored_hash_verifies_nothing_and_raises_nothing(garbage: str) -> None:
    assert verify_password(garbage, "vq7-mauve-kz") is False


def test_checking_against_no_account_raises_nothing() -> None:
    assert verify_nothing("vq7-mauve-kz") is None  # type: ignore[func-returns-value]
