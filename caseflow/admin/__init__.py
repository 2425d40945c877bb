"""Administration: accounts, programs and memberships. No case data here."""
