"""streams/lag.py without a broker: the lag arithmetic and how offsets combine into a snapshot."""

from __future__ import annotations

from aiokafka import TopicPartition
from hypothesis import given
from hypothesis import strategies as st
from prometheus_client import CollectorRegistry

from streams.lag import LagMonitor, LagSnapshot, PartitionLag, partition_lag, snapshot_of
from streams.metrics import Metrics
from streams.settings import Settings


@given(end=st.integers(0, 10**12), committed=st.one_of(st.none(), st.integers(-1, 10**12)),
       start=st.integers(0, 10**12))
def test_partition_lag_is_never_negative(end: int, committed: int | None, start: int) -> None:
    """Lag is end minus the committed offset (or the start); a committed offset past the end is 0, not negative."""
    lag = partition_lag(end, committed, start)
    assert lag >= 0
    base = committed if committed is not None and committed >= 0 else start
    assert lag == max(end - base, 0)


def test_uncommitted_partition_counts_everything_retained() -> None:
    """With no committed offset (-1 from the broker) the group will read from the earliest record."""
    assert partition_lag(50, -1, 10) == 40
    assert partition_lag(50, None, 0) == 50


def test_snapshot_combines_offsets_and_skips_unknown_partitions() -> None:
    """Partitions the broker does not report (topic not created yet) are left out, not reported as zero."""
    raw0, raw1, ded = TopicPartition("raw", 0), TopicPartition("raw", 1), TopicPartition("ded", 0)
    snap = snapshot_of(5.0, {"raw": 2, "ded": 1}, end={raw0: 10, raw1: 7}, start={raw0: 0, raw1: 2},
                       committed={raw0: 10, raw1: None})
    assert snap.partitions == (PartitionLag("raw", 0, 10, 10, 0), PartitionLag("raw", 1, 7, None, 5))
    assert ded not in {(p.topic, p.partition) for p in snap.partitions}
    assert snap.total() == 5 and snap.total("ded") == 0


def test_monitor_reads_the_worker_group_topics() -> None:
    """The monitor measures the app's consumer group on the raw and both internal topics, with role labels."""
    settings = Settings(app_id="ws-x", partitions=3)
    monitor = LagMonitor(settings, Metrics.create(CollectorRegistry()))
    assert monitor.group_id == "ws-x"
    assert monitor.layout == {"wire.raw": 3, "ws-x-bysource": 3, "ws-x-dedupe": 1}
    assert monitor.roles == {"wire.raw": "input", "ws-x-bysource": "bysource", "ws-x-dedupe": "dedupe"}


def test_freshness_follows_the_clock() -> None:
    """Readiness needs a successful refresh within three intervals."""
    now = [100.0]
    monitor = LagMonitor(Settings(), Metrics.create(CollectorRegistry()), clock=lambda: now[0])
    assert not monitor.fresh(), "never refreshed"
    monitor.last_success = 100.0
    monitor.latest = LagSnapshot(100.0)
    now[0] = 110.0
    assert monitor.fresh()
    now[0] = 200.0
    assert not monitor.fresh()
