"""``signals.held``: stops that arrive in a block are answered as it ends (a Dask cluster
starting, which a stop left half-built), the first stop at once when a second one comes."""

from __future__ import annotations

import signal
import sys

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sbqw_model.signals import Terminated, held, terminate_as_interrupt

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="POSIX signals")

STOPS = [signal.SIGINT, signal.SIGTERM, signal.SIGHUP]


def kind(signum: int) -> type[KeyboardInterrupt]:
    return KeyboardInterrupt if signum == signal.SIGINT else Terminated


@settings(max_examples=60, deadline=None)
@given(st.lists(st.sampled_from(STOPS), max_size=3))
def test_a_held_stop_is_answered_as_the_block_ends(sent: list[int]) -> None:
    """One stop: the block runs on to its end, then the stop is raised as its handler raises
    it. Two: the first is raised at the second, and the block ends there."""
    ran: list[int] = []
    with terminate_as_interrupt():
        before = {s: signal.getsignal(s) for s in STOPS}
        try:
            with held():
                for sig in sent:
                    signal.raise_signal(sig)  # its handler runs before this returns
                    ran.append(sig)
        except KeyboardInterrupt as exc:
            raised: BaseException | None = exc
        else:
            raised = None
        if not sent:
            assert raised is None
            assert {s: signal.getsignal(s) for s in STOPS} == before
            return
        assert type(raised) is kind(sent[0])
        if isinstance(raised, Terminated):
            assert raised.signum == sent[0]
        assert ran == sent[:1] if len(sent) > 1 else ran == sent


def test_a_failure_after_a_stop_is_the_stop() -> None:
    """The block's processes died of the stop: what the user asked for is the stop."""
    with terminate_as_interrupt(), pytest.raises(Terminated) as raised, held():
        signal.raise_signal(signal.SIGTERM)
        raise RuntimeError("Nanny failed to start.")
    assert raised.value.signum == signal.SIGTERM
    assert raised.value.__suppress_context__  # not shown as raised while handling it


def test_without_a_stop_the_blocks_own_failure_passes_unchanged() -> None:
    with terminate_as_interrupt():
        before = {s: signal.getsignal(s) for s in STOPS}
        with pytest.raises(RuntimeError, match="its own"), held():
            raise RuntimeError("its own")
        assert {s: signal.getsignal(s) for s in STOPS} == before


def test_a_signal_this_process_ignores_is_not_held() -> None:
    """nohup's SIGHUP stays ignored inside the block, and nothing is raised after it."""
    saved = signal.signal(signal.SIGHUP, signal.SIG_IGN)
    try:
        with held():
            assert signal.getsignal(signal.SIGHUP) is signal.SIG_IGN
            signal.raise_signal(signal.SIGHUP)
        assert signal.getsignal(signal.SIGHUP) is signal.SIG_IGN
    finally:
        signal.signal(signal.SIGHUP, saved)
