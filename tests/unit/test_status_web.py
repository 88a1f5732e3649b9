"""streams/web.py without a worker: what /readyz reports for each failing condition, and the state gauges."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

import pytest
from prometheus_client import CollectorRegistry

from agents.boilerplate import LearnedBoilerplate
from streams.lag import LagMonitor
from streams.metrics import Metrics
from streams.settings import CleanSettings, Settings
from streams.web import readiness, refresh_state_gauges


class _Event:
    def __init__(self, done: bool) -> None:
        self.done = done

    def is_set(self) -> bool:
        return self.done


def _runtime(assigned: int = 3, recovered: bool = True, producer_started: bool = True,
             assignor: Any = "ok") -> Any:
    if assignor == "ok":
        assignor = SimpleNamespace(assigned_actives=lambda: set(range(assigned)))
    app = SimpleNamespace(
        assignor=assignor,
        tables=SimpleNamespace(recovery=SimpleNamespace(completed=_Event(recovered))),
        producer=SimpleNamespace(started=producer_started, should_stop=False),
    )
    return SimpleNamespace(app=app)


def _monitor(fresh: bool) -> LagMonitor:
    now = [1000.0]
    monitor = LagMonitor(Settings(), Metrics.create(CollectorRegistry()), clock=lambda: now[0])
    monitor.last_success = 995.0 if fresh else 100.0
    return monitor


def test_ready_when_everything_holds() -> None:
    """Partitions assigned, tables recovered, producer up and a recent broker round trip: ready."""
    state = readiness(_runtime(), _monitor(fresh=True))
    assert state == {"ready": True, "assigned_partitions": 3, "state_recovered": True, "broker_reachable": True}


@pytest.mark.parametrize("runtime,fresh,failing", [
    (_runtime(assigned=0), True, "assigned_partitions"),
    (_runtime(recovered=False), True, "state_recovered"),
    (_runtime(producer_started=False), True, "broker_reachable"),
    (_runtime(), False, "broker_reachable"),
    (_runtime(assignor=None), True, "assigned_partitions"),
])
def test_not_ready_names_the_failing_condition(runtime: Any, fresh: bool, failing: str) -> None:
    """Each condition alone makes /readyz fail, and the report says which one."""
    state = readiness(runtime, _monitor(fresh))
    assert state["ready"] is False
    assert not state[failing], state


def test_state_gauges_come_from_the_deduper_and_tables() -> None:
    """Stories, keys and bytes from the deduper's stats; learned blocks, sources and embargo from the tables."""
    metrics = Metrics.create(CollectorRegistry())
    stats = SimpleNamespace(stories=4, keys=30, approx_bytes=1234)
    store: dict[str, bytes] = {}
    learned = LearnedBoilerplate(store, settings=CleanSettings(learn_min_stories=2))
    for source in ("a.example", "b.example"):
        for i in range(3):
            learned.observe(source, f"story-{i}", ["Subscribe to our newsletter", f"paragraph {i}"])
    assert len(store) > 2, "the state keeps journal slots beside each source's snapshot"
    pipeline = SimpleNamespace(deduper=SimpleNamespace(stats=lambda: stats), learned=learned)
    runtime = SimpleNamespace(metrics=metrics, pipeline=pipeline,
                              tables={"boilerplate": store, "embargo": {"x": b""}, "stories": {}})
    refresh_state_gauges(runtime)  # type: ignore[arg-type]
    get = metrics.registry.get_sample_value
    assert get("wirestream_state_entries", {"table": "stories"}) == 30
    assert get("wirestream_state_bytes", {"table": "stories"}) == 1234
    assert get("wirestream_dedup_stories") == 4
    assert get("wirestream_learned_boilerplate_blocks") == 2, "one learned block per source"
    assert get("wirestream_learned_boilerplate_sources") == 2, "sources, not store keys"
    assert get("wirestream_embargo_held") == 1
