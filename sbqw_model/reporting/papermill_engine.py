"""``papermill --engine sbqw``: papermill's own engine, with a kernel that does not warn.

ipykernel 7 warns on every start that it "is running over TCP without encryption", because
jupyter_client's kernel manager, as papermill creates it, provisions no CurveZMQ keys
(``transport_encryption`` defaults to ``disabled``) and papermill has no option to change that.
This engine changes only that: the kernel manager provisions keys where it can (pyzmq built with
CurveZMQ and a kernel spec that declares it, as ipykernel 7's does), so the kernel's traffic is
encrypted and it has nothing to warn about. Elsewhere it runs as plain papermill does, warning
included. (Local sockets, the other way out, are named after the current folder unless every
kernel is given its own path: two runs from one folder would share them.) Its progress bar is
drawn on a terminal only, not into a log. Everything else (parameters, errors, outputs) is
papermill's.

Registered under papermill's ``papermill.engine`` entry points, so papermill imports this module
whenever it is imported: it imports nothing heavy until a notebook runs.
"""

from __future__ import annotations

from typing import Any

from papermill.engines import NBClientEngine


class SbqwEngine(NBClientEngine):
    """papermill's nbclient engine, its kernel's traffic encrypted where that is possible."""

    @classmethod
    def execute_notebook(cls, nb: Any, kernel_name: str, **kwargs: Any) -> Any:
        """papermill's, its progress bar drawn on a terminal only (tqdm's ``disable=None``):
        into a file or a pipe it was a line of carriage returns, one bar a cell."""
        if kwargs.get("progress_bar", True) is True:
            kwargs["progress_bar"] = {"disable": None}
        return super().execute_notebook(nb, kernel_name, **kwargs)

    @classmethod
    def execute_managed_notebook(cls, nb_man: Any, kernel_name: str, **kwargs: Any) -> Any:
        kwargs.setdefault("config", quiet_config())
        return super().execute_managed_notebook(nb_man, kernel_name, **kwargs)


def quiet_config() -> Any:
    """The kernel manager's settings: CurveZMQ keys if they can be had, else jupyter_client's
    defaults."""
    from traitlets.config import Config

    if curve_available():
        return Config({"KernelManager": {"transport_encryption": "auto"}})
    return Config()


def curve_available() -> bool:
    """jupyter_client can provision keys (8.10 and later) and pyzmq can use them."""
    import zmq
    from jupyter_client.manager import KernelManager

    return "transport_encryption" in KernelManager.class_traits() and bool(zmq.has("curve"))


__all__ = ["SbqwEngine", "curve_available", "quiet_config"]
