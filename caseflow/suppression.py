"""Small-cell suppression: counts that could identify someone print as "<k", and cannot be recovered from a total.

The rule is REPORTS.md's: a count from 1 to k-1 prints as "<k"; zero prints as 0; when a breakdown
whose total is shown has exactly one hidden cell, the next smallest cell is hidden too.
"""

from collections.abc import Sequence


def is_small(count: int, threshold: int) -> bool:
    """Whether a count is small enough to point at a person."""
    return 0 < count < threshold


def show_count(count: int, threshold: int) -> str:
    """One count on its own."""
    return f"<{threshold}" if is_small(count, threshold) else str(count)


def breakdown_cells(counts: Sequence[int], threshold: int, total_shown: bool = True) -> list[str]:
    """The printed cells of one breakdown, with complementary suppression when its total is shown."""
    hidden = [is_small(c, threshold) for c in counts]
    if total_shown and sum(hidden) == 1:
        # One hidden cell is the total minus the others: hide the smallest remaining non-zero cell too.
        candidates = [i for i, c in enumerate(counts) if not hidden[i] and c > 0]
        if candidates:
            hidden[min(candidates, key=lambda i: counts[i])] = True
    return [f"<{threshold}" if h else str(c) for c, h in zip(counts, hidden, strict=True)]
