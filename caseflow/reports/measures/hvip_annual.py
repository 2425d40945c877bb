"""Measures for the hvip_annual template (being written)."""

TEMPLATE = None
