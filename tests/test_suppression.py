"""Small-cell suppression as REPORTS.md defines it."""

from caseflow.suppression import breakdown_cells, show_count


def test_counts_one_to_four_print_as_under_five_and_zero_prints_zero():
    assert [show_count(n, 5) for n in (0, 1, 4, 5, 12)] == ["0", "<5", "<5", "5", "12"]


def test_a_single_hidden_cell_hides_the_next_smallest_so_the_total_cannot_reveal_it():
    # Total 30 is shown: with only the 3 hidden, 30 - 20 - 7 would give it away.
    assert breakdown_cells([20, 3, 7], 5) == ["20", "<5", "<5"]


def test_two_hidden_cells_need_nothing_more():
    assert breakdown_cells([20, 3, 2, 9], 5) == ["20", "<5", "<5", "9"]


def test_zeros_stay_zero_and_are_not_used_as_the_complement():
    assert breakdown_cells([0, 3, 0, 11], 5) == ["0", "<5", "0", "<5"]


def test_without_a_total_only_small_cells_are_hidden():
    assert breakdown_cells([20, 3, 7], 5, total_shown=False) == ["20", "<5", "7"]


def test_threshold_is_configurable():
    assert breakdown_cells([10, 9, 30], 11) == ["<11", "<11", "30"]
