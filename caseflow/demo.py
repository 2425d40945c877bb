"""Placeholder replaced by the demo data generator."""


def seed_demo(seed: int, participants: int, erase: bool) -> str:
    raise RuntimeError("demo data not written yet")
