"""streams/status.py: the status board's bounded memory, its snapshot, and a page that cannot be injected."""

from __future__ import annotations

import json
import math
import re

import pytest
from hypothesis import given
from hypothesis import strategies as st
from prometheus_client import CollectorRegistry

from agents.outcome import Output
from streams.lag import LagSnapshot, PartitionLag
from streams.metrics import Metrics
from streams.status import (
    BUCKET_S,
    PAGE_JS,
    RECENT_STORIES,
    SECURITY_HEADERS,
    WINDOW_BUCKETS,
    StatusBoard,
    histogram_quantile,
    json_bytes,
    render_page,
)

HOSTILE = '</script><script>alert(1)</script><img src=x onerror=alert(2)> & "Harbour"'


class Clock:
    def __init__(self, now: float = 1_000_000.0) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


def _enriched(headline: str, version: str = "1", verdict: str = "new") -> Output:
    value = {"headlines": [{"role": "main", "value": headline}], "version": version,
             "bodies": [{"value": "BODY TEXT MUST NOT SHOW"}],
             "wirestream": {"source": {"name": "harbourwire", "url": "https://harbourwire.example/x"}}}
    return Output("enriched", "urn:x", value, verdict)  # type: ignore[arg-type]


def _dead(code: str = "invalid_json", stage: str = "ingest") -> Output:
    value = {"error": {"code": code, "stage": stage, "message": "secret message"},
             "payload": {"value": "PAYLOAD MUST NOT SHOW"}}
    return Output("dlq", None, value, "dead_letter", code)


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def board(clock: Clock) -> StatusBoard:
    metrics = Metrics.create(CollectorRegistry())
    snap = LagSnapshot(clock.now, (PartitionLag("wire.raw", 0, 120, 100, 20), PartitionLag("wire.raw", 1, 5, 5, 0)))
    return StatusBoard(metrics, app_id="ws", version="9", clock=clock, lag=lambda: snap,
                       readiness=lambda: {"ready": True})


def test_throughput_buckets_per_outcome(board: StatusBoard, clock: Clock) -> None:
    """Outputs land in 10 s buckets per outcome; the window is ten minutes, newest bucket last."""
    board.observe(_enriched("a"), "wire.enriched")
    clock.now += BUCKET_S
    board.observe(_enriched("b"), "wire.enriched")
    board.observe(_dead(), "wire.dlq")
    tp = board.snapshot()["throughput"]
    assert len(tp["series"]["new"]) == WINDOW_BUCKETS
    assert tp["series"]["new"][-2:] == [1, 1], tp["series"]["new"][-3:]
    assert tp["series"]["dead_letter"][-1] == 1
    clock.now += BUCKET_S * (WINDOW_BUCKETS + 1)
    assert sum(board.snapshot()["throughput"]["series"]["new"]) == 0, "buckets older than the window drop out"
    assert board.snapshot()["totals"]["processed"] == 3, "totals are kept beyond the window"


def test_dead_letters_and_recent_stories_show_no_content(board: StatusBoard) -> None:
    """Dead letters are counted by (stage, code); neither body, payload nor error message reaches the snapshot."""
    board.observe(_dead("invalid_json", "ingest"), "wire.dlq")
    board.observe(_dead("invalid_json", "ingest"), "wire.dlq")
    board.observe(_dead("empty_body", "clean"), "wire.dlq")
    board.observe(_enriched("Council approves budget", version="2", verdict="version"), "wire.enriched")
    snap = board.snapshot()
    assert snap["dead_letters"][0] == {"stage": "ingest", "code": "invalid_json", "count": 2}
    text = json.dumps(snap)
    for secret in ("BODY TEXT", "PAYLOAD", "secret message", "https://harbourwire"):
        assert secret not in text, f"{secret!r} leaked into the status snapshot"
    story = snap["recent"][0]
    assert (story["headline"], story["verdict"], story["version"], story["source"]) == \
        ("Council approves budget", "version", "2", "harbourwire")
    assert snap["recent"][1]["headline"] is None and snap["recent"][1]["reason"] == "empty_body @ clean"


def test_memory_is_bounded(board: StatusBoard) -> None:
    """Thousands of outputs keep at most RECENT_STORIES stories and truncate long headlines."""
    for n in range(3 * RECENT_STORIES):
        board.observe(_enriched(f"story {n} " + "x" * 1000), "wire.enriched")
    assert len(board.recent) == RECENT_STORIES
    assert board.recent[0].headline is not None and len(board.recent[0].headline) <= 240
    assert board.recent[0].headline.startswith(f"story {3 * RECENT_STORIES - 1} ")


def test_snapshot_carries_lag_state_and_latency(board: StatusBoard) -> None:
    """Lag per partition and its total, state gauges and per-stage quantiles are in the snapshot."""
    board.metrics.stage_seconds.labels("clean").observe(0.002)
    board.metrics.dedup_stories.set(7)
    snap = board.snapshot()
    assert snap["lag"]["total"] == 20 and len(snap["lag"]["partitions"]) == 2
    assert snap["lag"]["history"] == [[0.0, 20]]
    assert snap["state"]["stories"] == 7
    clean = next(r for r in snap["latency"]["stages"] if r["stage"] == "clean")
    assert clean["count"] == 1 and 0.001 <= clean["p50"] <= 0.0025, clean
    assert snap["ready"] == {"ready": True}
    json.dumps(snap)  # JSON-able as is


def test_latency_window_subtracts_old_samples(board: StatusBoard, clock: Clock) -> None:
    """Once the worker is older than the window, stage quantiles only reflect the last five minutes."""
    for _ in range(100):
        board.metrics.stage_seconds.labels("dedupe").observe(0.9)  # an old slow period
    board.snapshot()
    for _ in range(70):
        clock.now += 5
        board.snapshot()  # samples every 5 s, as the page's polling does
    for _ in range(50):
        board.metrics.stage_seconds.labels("dedupe").observe(0.0001)
    row = next(r for r in board.snapshot()["latency"]["stages"] if r["stage"] == "dedupe")
    assert row["count"] == 50 and row["p99"] is not None and row["p99"] < 0.001, row


@pytest.mark.parametrize("q,expected", [(0.5, 0.15), (1.0, 0.2), (0.0, 0.1)])
def test_histogram_quantile_interpolates(q: float, expected: float) -> None:
    """Same interpolation as PromQL's histogram_quantile."""
    assert histogram_quantile(q, [0.1, 0.2, math.inf], [0, 10, 10]) == pytest.approx(expected)


def test_histogram_quantile_empty_and_inf() -> None:
    """No observations: None; a rank in the +Inf bucket: the highest finite bound."""
    assert histogram_quantile(0.5, [0.1, math.inf], [0, 0]) is None
    assert histogram_quantile(0.99, [0.1, math.inf], [1, 10]) == 0.1


@given(st.text())
def test_json_bytes_never_closes_a_script_element(text: str) -> None:
    """Embedded JSON has no raw <, > or & and still decodes to the same data."""
    raw = json_bytes({"headline": text})
    assert not re.search(rb"[<>&]", raw)
    assert json.loads(raw) == {"headline": text}


def test_rendered_page_contains_hostile_headline_only_as_escaped_data(board: StatusBoard) -> None:
    """A headline with markup appears in the page only inside the JSON data block, fully escaped."""
    board.observe(_enriched(HOSTILE), "wire.enriched")
    page = render_page(board.snapshot())
    assert page.count("<script") == 2, "only the data block and the page script"
    assert "onerror" not in page.split('id="initial">')[0]
    assert "<img" not in page and "alert(1)</script>" not in page
    block = page.split('<script type="application/json" id="initial">')[1].split("</script>")[0]
    assert json.loads(block)["recent"][0]["headline"] == HOSTILE


def test_page_script_only_writes_text() -> None:
    """The page script never parses data as HTML or code (no innerHTML, outerHTML, document.write, eval)."""
    for sink in ("innerHTML", "outerHTML", "insertAdjacentHTML", "document.write", "eval(", "new Function",
                 "setTimeout('", 'setTimeout("'):
        assert sink not in PAGE_JS, f"the page script uses {sink}"
    assert "textContent" in PAGE_JS and "createElementNS" in PAGE_JS, "charts are drawn as SVG by the script"
    assert "http" not in PAGE_JS.replace("http://www.w3.org/2000/svg", ""), "no code or data from elsewhere"


def test_security_headers_forbid_inline_and_foreign_scripts() -> None:
    """CSP: scripts from this origin only (no inline, no CDN), no framing, nothing sniffed."""
    csp = SECURITY_HEADERS["Content-Security-Policy"]
    script_src = re.search(r"script-src ([^;]+)", csp)
    assert script_src is not None and script_src.group(1).strip() == "'self'", csp
    assert "default-src 'none'" in csp and "frame-ancestors 'none'" in csp
    assert SECURITY_HEADERS["X-Content-Type-Options"] == "nosniff"


def test_snapshot_refreshes_state_first_and_survives_a_failing_refresh(clock: Clock) -> None:
    """The board asks for fresh state gauges before each snapshot; a failing refresh does not break the page."""
    metrics = Metrics.create(CollectorRegistry())
    calls: list[int] = []

    def refresh() -> None:
        calls.append(1)
        metrics.dedup_stories.set(len(calls))
        if len(calls) > 1:
            raise RuntimeError("table recovering")

    board = StatusBoard(metrics, clock=clock, refresh=refresh)
    assert board.snapshot()["state"]["stories"] == 1
    assert board.snapshot()["state"]["stories"] == 1, "at most one refresh per second"
    clock.now += 1.0
    assert board.snapshot()["state"]["stories"] == 2, "the failing refresh still left the page usable"
