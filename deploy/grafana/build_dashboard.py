"""Writes deploy/grafana/dashboards/wirestream.json, the provisioned Grafana dashboard.

Run ``python deploy/grafana/build_dashboard.py`` after changing a panel; the test
suite checks that the committed JSON matches this script, that every metric it
names is declared in ``streams/metrics.py``, and (tests/integration/
test_prometheus.py) that every query evaluates against a live worker.

Queries use Grafana's ``$__rate_interval``; the integration test substitutes a
fixed window for it, since Prometheus itself does not know the macro.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

OUT = Path(__file__).resolve().parent / "dashboards" / "wirestream.json"
DATASOURCE = {"type": "prometheus", "uid": "prometheus"}
RATE = "$__rate_interval"

# (title, panel type, unit, [(expr, legend)], width, height, role)
# role marks the panels the integration test requires to return data after a feed.
ROWS: list[tuple[str, list[tuple[str, str, str, list[tuple[str, str]], int, int, str | None]]]] = [
    ("Flow", [
        ("Throughput per outcome", "timeseries", "ops",
         [(f"sum by (verdict) (rate(wirestream_verdicts_total[{RATE}]))", "{{verdict}}")], 12, 8, "throughput"),
        ("Verdicts in the last hour", "bargauge", "short",
         [("sum by (verdict) (increase(wirestream_verdicts_total[1h]))", "{{verdict}}")], 6, 8, "verdict"),
        ("Dead-letter ratio", "stat", "percentunit",
         [(f"sum(rate(wirestream_verdicts_total{{verdict=\"dead_letter\"}}[{RATE}])) / "
           f"sum(rate(wirestream_verdicts_total[{RATE}]))", "dead letters")], 6, 8, None),
        ("Records consumed per topic", "timeseries", "ops",
         [(f"sum by (topic) (rate(wirestream_records_consumed_total[{RATE}]))", "{{topic}}")], 12, 8, "throughput"),
        ("Records produced per topic", "timeseries", "ops",
         [(f"sum by (topic) (rate(wirestream_records_produced_total[{RATE}]))", "{{topic}}")], 12, 8, "throughput"),
        ("Duplicates by reason", "timeseries", "ops",
         [(f"sum by (reason) (rate(wirestream_verdicts_total{{verdict=\"duplicate\"}}[{RATE}]))", "{{reason}}")],
         12, 8, None),
        ("Dead letters by stage and code", "timeseries", "ops",
         [(f"sum by (stage, code) (rate(wirestream_dead_letters_total[{RATE}]))", "{{code}} @ {{stage}}")],
         12, 8, None),
        ("New versions by kind", "timeseries", "ops",
         [(f"sum by (reason) (rate(wirestream_verdicts_total{{verdict=\"version\"}}[{RATE}]))", "{{reason}}")],
         12, 8, None),
        ("Embargoed items held", "timeseries", "short",
         [("max(wirestream_embargo_held)", "held")], 12, 8, None),
    ]),
    ("Latency", [
        ("Stage latency p50 / p99", "timeseries", "s",
         [(f"histogram_quantile(0.5, sum by (le, stage) (rate(wirestream_stage_duration_seconds_bucket[{RATE}])))",
           "p50 {{stage}}"),
          (f"histogram_quantile(0.99, sum by (le, stage) (rate(wirestream_stage_duration_seconds_bucket[{RATE}])))",
           "p99 {{stage}}")], 12, 8, "latency"),
        ("Mean stage time", "timeseries", "s",
         [(f"sum by (stage) (rate(wirestream_stage_duration_seconds_sum[{RATE}])) / "
           f"sum by (stage) (rate(wirestream_stage_duration_seconds_count[{RATE}]))", "{{stage}}")],
         12, 8, "latency"),
        ("End-to-end latency p50 / p99", "timeseries", "s",
         [(f"histogram_quantile(0.5, sum by (le, topic) "
           f"(rate(wirestream_end_to_end_latency_seconds_bucket[{RATE}])))", "p50 {{topic}}"),
          (f"histogram_quantile(0.99, sum by (le, topic) "
           f"(rate(wirestream_end_to_end_latency_seconds_bucket[{RATE}])))", "p99 {{topic}}")], 12, 8, "latency"),
        ("End-to-end latency, all outputs (p99)", "stat", "s",
         [(f"histogram_quantile(0.99, sum by (le) (rate(wirestream_end_to_end_latency_seconds_bucket[{RATE}])))",
           "p99")], 12, 8, "latency"),
    ]),
    ("Consumer lag", [
        ("Consumer lag per topic-partition", "timeseries", "short",
         [("max by (topic, partition) (wirestream_consumer_lag_records)", "{{topic}} [{{partition}}]")],
         12, 8, None),
        ("Total consumer lag per topic", "timeseries", "short",
         [("sum by (topic) (max by (topic, partition) (wirestream_consumer_lag_records))", "{{topic}}")],
         12, 8, None),
        ("Input arrival rate (log end offset growth)", "timeseries", "ops",
         [(f"sum by (topic) (max by (topic, partition) "
           f"(deriv(wirestream_topic_end_offset{{role=\"input\"}}[{RATE}])))", "{{topic}}")], 12, 8, None),
        ("Lag measurement age and failures", "timeseries", "s",
         [("time() - max(wirestream_consumer_lag_refreshed_timestamp_seconds)", "age of last refresh"),
          (f"sum(rate(wirestream_consumer_lag_refresh_errors_total[{RATE}]))", "refresh errors / s"),
          (f"sum(rate(wirestream_consumer_lag_refreshes_total[{RATE}]))", "refreshes / s")],
         12, 8, None),
    ]),
    ("State", [
        ("State table entries", "timeseries", "short",
         [("max by (table) (wirestream_state_entries)", "{{table}}")], 8, 8, None),
        ("State table size", "timeseries", "bytes",
         [("max by (table) (wirestream_state_bytes)", "{{table}}")], 8, 8, None),
        ("Stories indexed and learned boilerplate", "timeseries", "short",
         [("max(wirestream_dedup_stories)", "stories indexed"),
          ("sum(wirestream_learned_boilerplate_blocks)", "learned boilerplate blocks"),
          ("sum(wirestream_learned_boilerplate_sources)", "sources with learned boilerplate")], 8, 8, None),
    ]),
    ("Health", [
        ("Workers up / ready", "stat", "short",
         [('sum(up{job="wirestream"})', "up"), ("sum(wirestream_ready)", "ready")], 6, 6, None),
        ("Producer errors and retries", "timeseries", "ops",
         [(f"sum by (topic) (rate(wirestream_producer_errors_total[{RATE}]))", "errors {{topic}}"),
          (f"sum by (topic) (rate(wirestream_producer_retries_total[{RATE}]))", "retries {{topic}}")],
         10, 6, None),
        ("Build", "table", "short",
         [("max by (instance, version, python, faust) (wirestream_build_info)", "{{version}}")], 8, 6, None),
    ]),
]


def _panel(pid: int, title: str, kind: str, unit: str, targets: list[tuple[str, str]], x: int, y: int, w: int,
           h: int, role: str | None) -> dict[str, Any]:
    panel: dict[str, Any] = {
        "id": pid, "title": title, "type": kind, "datasource": DATASOURCE,
        "gridPos": {"x": x, "y": y, "w": w, "h": h},
        "fieldConfig": {"defaults": {"unit": unit}, "overrides": []},
        "options": {},
        "targets": [{"refId": chr(ord("A") + i), "datasource": DATASOURCE, "expr": expr, "legendFormat": legend,
                     "instant": kind in {"bargauge", "table"}, "range": kind not in {"bargauge", "table"}}
                    for i, (expr, legend) in enumerate(targets)],
    }
    if role:
        panel["description"] = f"Checked to return data after a feed (role: {role})."
    if kind == "timeseries":
        panel["options"] = {"legend": {"displayMode": "list", "placement": "bottom"}, "tooltip": {"mode": "multi"}}
    if kind == "table":
        panel["transformations"] = [{"id": "labelsToFields", "options": {}}]
    return panel


def build() -> dict[str, Any]:
    """The dashboard as a dict."""
    panels: list[dict[str, Any]] = []
    pid, y = 1, 0
    for row_title, row_panels in ROWS:
        panels.append({"id": pid, "type": "row", "title": row_title, "collapsed": False,
                       "gridPos": {"x": 0, "y": y, "w": 24, "h": 1}, "panels": []})
        pid, y, x, row_h = pid + 1, y + 1, 0, 0
        for title, kind, unit, targets, w, h, role in row_panels:
            if x + w > 24:
                x, y, row_h = 0, y + row_h, 0
            panels.append(_panel(pid, title, kind, unit, targets, x, y, w, h, role))
            pid, x, row_h = pid + 1, x + w, max(row_h, h)
        y += row_h
    return {
        "uid": "wirestream", "title": "wirestream", "tags": ["wirestream", "kafka"], "timezone": "utc",
        "schemaVersion": 39, "version": 1, "editable": True, "refresh": "10s",
        "time": {"from": "now-1h", "to": "now"},
        "annotations": {"list": []}, "templating": {"list": []}, "links": [],
        "panels": panels,
    }


def render() -> str:
    """The dashboard JSON text exactly as committed."""
    return json.dumps(build(), indent=2) + "\n"


if __name__ == "__main__":
    OUT.write_text(render())
    print(f"wrote {OUT}")
