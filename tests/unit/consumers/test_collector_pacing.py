"""While a projector catches up, the garbage collector runs less often, then as before."""

import gc
import threading

from consumers.collector_pacing import CATCH_UP_THRESHOLD, collecting_less_often


def test_the_first_threshold_is_raised_inside_and_restored_after():
    before = gc.get_threshold()
    with collecting_less_often():
        assert gc.get_threshold() == (max(CATCH_UP_THRESHOLD, before[0]), *before[1:])
    assert gc.get_threshold() == before


def test_overlapping_holders_restore_only_when_the_last_one_leaves():
    before = gc.get_threshold()
    first_inside, second_left = threading.Event(), threading.Event()
    seen: list[tuple[int, int, int]] = []

    def second() -> None:
        first_inside.wait(5)
        with collecting_less_often():
            pass
        seen.append(gc.get_threshold())  # the first holder is still inside
        second_left.set()

    thread = threading.Thread(target=second)
    thread.start()
    with collecting_less_often():
        first_inside.set()
        assert second_left.wait(5)
    thread.join(5)
    assert seen == [(max(CATCH_UP_THRESHOLD, before[0]), *before[1:])]
    assert gc.get_threshold() == before
