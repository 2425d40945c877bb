"""The signed-in user's own account: password, two-step login and recovery codes."""
