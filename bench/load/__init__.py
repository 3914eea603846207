"""Helpers of bench/api_load.py: seeding a clinic, running its server, driving load."""
