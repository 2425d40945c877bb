"""Cases: opening them, their page, status moves and contacts."""
