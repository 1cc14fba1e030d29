"""Run a side computation of a job on the other core while the job goes on.

Pure-Python work (building a PDF, an .xlsx) holds the GIL, so a thread would slow the job's
main loop down instead of overlapping it. Where the platform can fork, the side work runs in a
forked child that inherits its arguments (nothing is pickled), writes its results to files and
leaves with ``os._exit`` (it never touches the parent's database connection). Elsewhere, or if
the child fails, the work runs in-process when joined, so a failure raises the real error.
"""

from __future__ import annotations

import multiprocessing
from collections.abc import Callable
from typing import Any


def in_parallel(func: Callable[..., None], *args: Any) -> Callable[[], None]:
    """Start ``func(*args)``; the returned function waits for it (and raises if it failed)."""
    if "fork" not in multiprocessing.get_all_start_methods():
        return lambda: func(*args)
    child = multiprocessing.get_context("fork").Process(target=func, args=args, daemon=True)
    child.start()

    def join() -> None:
        child.join()
        if child.exitcode != 0:
            func(*args)  # again, here: raises the real error (or recovers from a killed child)

    return join
