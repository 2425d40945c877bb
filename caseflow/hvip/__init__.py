"""Hospital-based violence intervention: injury intake, the bedside funnel, compensation, follow-ups."""
