"""Measure definitions, one module per funder template; importing them fills the registry."""
