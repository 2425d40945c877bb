"""Street outreach module: conflict mediations, shooting responses, community activity."""
