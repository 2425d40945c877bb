"""Measures for the voca template (being written)."""

TEMPLATE = None
