"""The case plan: goals, outcome events and assessments."""
