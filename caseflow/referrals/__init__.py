"""Referrals to service providers, with a closed loop of dated status changes."""
