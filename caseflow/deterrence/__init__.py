"""Focused deterrence module: groups, call-ins, custom notifications and the offer-of-help pipeline."""
