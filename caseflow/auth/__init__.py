"""Logging in and out, password hashing and account lockout."""
