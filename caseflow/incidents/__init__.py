"""The shooting incident register shared by every program."""
