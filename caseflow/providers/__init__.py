"""The service provider directory, managed by administrators."""
