"""Consent to share: recorded, checked before any disclosure, revocable."""
