"""Retention periods and the purge that enforces them (S26)."""
