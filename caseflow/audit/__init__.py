"""Audit trail: the writer every service calls, and (later) the viewer."""
