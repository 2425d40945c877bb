"""Participants: find (fuzzy, in scope), create after a duplicate check, the person page, edit, merge."""
