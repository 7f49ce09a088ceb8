"""A kernel client that is ready as soon as the kernel answers.

jupyter_client's ``wait_for_ready`` ends by reading IOPub until nothing comes for 0.2 s. With
a warm kernel reused from report to report, that is 0.2 s of waiting per report (a tenth of
one), for messages nobody reads: nbclient skips IOPub messages of other requests anyway.
"""

from __future__ import annotations

import time
from queue import Empty

from jupyter_client.asynchronous import AsyncKernelClient

__all__ = ["ReadyClient"]


class ReadyClient(AsyncKernelClient):
    """``AsyncKernelClient`` whose ``wait_for_ready`` skips the final 0.2 s IOPub flush."""

    async def _ready(self, timeout: float | None = None) -> None:
        """jupyter_client's wait without its last step: a kernel_info reply, then one IOPub
        message (IOPub is connected), else ask again; the same errors on a dead kernel."""
        deadline = time.monotonic() + (float("inf") if timeout is None else timeout)
        while True:
            self.kernel_info()
            try:
                reply = await self.shell_channel.get_msg(timeout=1)
            except Empty:
                pass
            else:
                if reply["msg_type"] == "kernel_info_reply":
                    try:
                        await self.iopub_channel.get_msg(timeout=0.2)
                    except Empty:
                        pass
                    else:
                        self._handle_kernel_info_reply(reply)
                        return
            if not await self._async_is_alive():
                raise RuntimeError("Kernel died before replying to kernel_info")
            if time.monotonic() > deadline:
                raise RuntimeError(f"Kernel didn't respond in {timeout:.0f} seconds")

    wait_for_ready = _ready
