"""A worker's caseload sorted by urgency: the figures behind the home page."""
