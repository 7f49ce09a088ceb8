"""Run by Dask in each worker process of a sweep's embedded cluster as it starts (a preload).

A Ctrl-C reaches the whole process group. The sweep answers it: it keeps the finished batches
and closes the cluster, which stops its workers. A worker that took the Ctrl-C itself printed
asyncio's ``KeyboardInterrupt`` traceback beside the sweep's own line; from its start it ignores
Ctrl-C, as the report's fork server and workers do; until then it had Ctrl-C blocked
(``cluster._workers_start_without_ctrl_c``).
"""

from __future__ import annotations

import signal
from typing import Any


def dask_setup(worker: Any) -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # a Ctrl-C already pending is dropped
    signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGINT})  # blocked until now (cluster)
