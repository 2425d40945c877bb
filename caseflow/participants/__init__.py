"""Participants: search, create and the person page."""
