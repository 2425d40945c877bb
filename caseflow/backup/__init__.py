"""Backup and restore of the whole database: flask backup PATH, flask restore PATH (S34)."""
