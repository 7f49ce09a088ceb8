"""``startup.frozen_imports``: collection paused inside, one collection and a freeze after, the
collector's state restored whatever happens."""

from __future__ import annotations

import gc
import weakref

import pytest

from sbqw_model.startup import frozen_imports


@pytest.fixture(autouse=True)
def _thawed():
    yield
    gc.unfreeze()  # what these tests froze goes back to the collector
    gc.enable()


class _Cycle:
    def __init__(self) -> None:
        self.me = self


def test_paused_inside_then_frozen_without_garbage() -> None:
    gc.enable()
    gc.unfreeze()
    with frozen_imports():
        assert not gc.isenabled()
        kept = [_Cycle() for _ in range(10)]  # survivors: frozen
        garbage = weakref.ref(_Cycle())  # unreachable cycle: collected, not frozen with them
        assert garbage() is not None  # not collected while paused
    assert gc.isenabled()
    assert garbage() is None
    assert gc.get_freeze_count() >= len(kept)
    assert not any(o is kept[0] for o in gc.get_objects())  # out of the collector's sight


def test_a_disabled_collector_stays_disabled() -> None:
    gc.disable()
    with frozen_imports():
        pass
    assert not gc.isenabled()


def test_a_failing_block_restores_collection_and_freezes_nothing() -> None:
    gc.enable()
    gc.unfreeze()
    with pytest.raises(ImportError), frozen_imports():
        raise ImportError("no such module")
    assert gc.isenabled()
    assert gc.get_freeze_count() == 0
