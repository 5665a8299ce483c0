"""The cyclic garbage collector while customers are evaluated.

An evaluation makes tens of thousands of short-lived objects, freed by reference counting as soon as its customer
is done (Evaluation.release), yet with the default thresholds (700 allocations) the cyclic collector traverses
them again and again while they live, and with them every ledger the caller keeps: collecting the young every
20,000 allocations instead takes about a tenth off evaluating a portfolio (a fifteenth off a batch partition,
which also reads and writes), and holds at most that many more objects. The thresholds are the process's:
evaluations running at once (a batch worker's threads, a partition and the customers in it) set them once, and
the last one done puts back what was there before.
"""
from __future__ import annotations

import contextlib
import gc
import threading

YOUNG_COLLECTION = (20_000, 20, 20)
_lock = threading.Lock()
_running = 0
_thresholds_before: tuple[int, ...] = ()


@contextlib.contextmanager
def young_collected_less_often():
    global _running, _thresholds_before
    with _lock:
        if _running == 0:
            _thresholds_before = gc.get_threshold()
            gc.set_threshold(*YOUNG_COLLECTION)
        _running += 1
    try:
        yield
    finally:
        with _lock:
            _running -= 1
            if _running == 0:
                gc.set_threshold(*_thresholds_before)
