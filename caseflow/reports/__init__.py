"""Funder reports: a registry of defined measures, templates that list them, PDF and CSV output."""
