"""A process's start-up cost: importing a stack of modules once, then keeping the garbage
collector off them.

Importing numpy, matplotlib, IPython, nbconvert or pandas creates hundreds of thousands of
long-lived objects; while they arrive, the collector's full passes walk all of them again each
time the heap grows by a quarter (~0.15 s a process here), and afterwards every full pass (one
per report at least) walks them once more. None of it is garbage.
"""

from __future__ import annotations

import contextlib
import gc
from collections.abc import Iterator


@contextlib.contextmanager
def frozen_imports() -> Iterator[None]:
    """Run the block (imports, a warm-up) with automatic collection paused, then collect once
    and move everything that survived out of the collector's sight (``gc.freeze``).

    The one collection keeps the block's cyclic garbage from being frozen with it. Collection
    is restored as it was, also when the block fails.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
        gc.collect()
        gc.freeze()
    finally:
        if enabled:
            gc.enable()
