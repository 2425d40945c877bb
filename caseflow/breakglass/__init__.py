"""Break-glass: a supervisor opens an out-of-scope person's record in an emergency, read-only, for a short time (S8)."""
