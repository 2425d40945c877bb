"""Program settings that managers own: the intake screen, referral sources, contact targets."""
