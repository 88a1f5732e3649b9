"""The built-in status page: what flows, what is rejected and why, how far behind, how fast.

:class:`StatusBoard` is a topology observer (``runtime.observers``): it sees every
published output and keeps, in bounded memory, the throughput per outcome in
10-second buckets over the last ten minutes, dead-letter counts by stage and code,
and the most recent stories (headline, verdict, version; nothing else of the
article, and never a dead letter's payload). :meth:`StatusBoard.snapshot` adds the
consumer lag (from ``streams/lag.py``), stage latencies over the last five minutes
(from the metrics registry's histograms) and state sizes, as JSON for
``/status.json``.

The page (``/``) is static HTML plus ``/status.js``; the script draws the charts
itself as inline SVG and polls ``/status.json`` every 2 s. Every piece of data is
inserted with ``textContent``/``setAttribute`` (headlines are hostile input), the
first snapshot is embedded as a JSON data block with ``<``, ``>`` and ``&``
escaped, and the Content-Security-Policy allows scripts from this origin only.
"""

from __future__ import annotations

import logging
import math
import time
from collections import Counter, deque
from collections.abc import Callable
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from typing import Any

import orjson

from agents.outcome import Output
from streams.lag import LagSnapshot
from streams.metrics import Metrics, bounded_label

log = logging.getLogger(__name__)

OUTCOMES = ("new", "version", "duplicate", "dead_letter", "held")
BUCKET_S = 10
WINDOW_BUCKETS = 60  # ten minutes of 10 s buckets
LATENCY_WINDOW_S = 300.0
_SAMPLE_EVERY_S = 5.0
_REFRESH_EVERY_S = 1.0
RECENT_STORIES = 30
_MAX_HEADLINE = 240
_MAX_SOURCE = 60
_STAGES = ("ingest", "clean", "enrich", "dedupe")


@dataclass(frozen=True)
class RecentStory:
    """One line of the recent-stories table."""

    at: float
    verdict: str
    headline: str | None
    version: str | None
    reason: str | None
    source: str | None
    topic: str


def _text(value: Any, limit: int) -> str | None:
    if not isinstance(value, str) or not value:
        return None
    return value if len(value) <= limit else value[: limit - 1] + "…"


def story_of(output: Output, topic: str, at: float) -> RecentStory:
    """The displayable part of an output: headline and version only, never body or payload.

    >>> out = Output("dlq", "k", {"error": {"code": "no_body", "stage": "ingest"}, "payload": {"value": "secret"}},
    ...              "dead_letter", "no_body")
    >>> story_of(out, "wire.dlq", 0.0).headline is None
    True
    """
    value = output.value if isinstance(output.value, dict) else {}
    headline = version = source = None
    reason = output.reason
    if output.role == "enriched":
        lines = value.get("headlines") or []
        headline = lines[0].get("value") if lines and isinstance(lines[0], dict) else None
        version = value.get("version")
        src = (value.get("wirestream") or {}).get("source") or {}
        source = src.get("name") if isinstance(src, dict) else None
    elif output.role == "duplicates":
        headline = value.get("headline")
        version = (value.get("duplicate_of") or {}).get("version")
        src = value.get("source") or {}
        source = src.get("name") if isinstance(src, dict) else None
    else:
        error = value.get("error") or {}
        if isinstance(error, dict):
            reason = f"{error.get('code', output.reason)} @ {error.get('stage', '?')}"
    return RecentStory(at, output.verdict, _text(headline, _MAX_HEADLINE), _text(str(version) if version else None, 20),
                       _text(reason, 80), _text(source, _MAX_SOURCE), topic)


def histogram_quantile(q: float, bounds: list[float], cumulative: list[float]) -> float | None:
    """Prometheus-style quantile from cumulative bucket counts (linear within a bucket).

    >>> round(histogram_quantile(0.5, [0.1, 0.2, math.inf], [0, 10, 10]), 6)
    0.15
    """
    total = cumulative[-1] if cumulative else 0
    if total <= 0:
        return None
    rank = q * total
    lower_bound, lower_count = 0.0, 0.0
    for bound, count in zip(bounds, cumulative, strict=True):
        if count >= rank:
            if math.isinf(bound):
                return lower_bound
            width = count - lower_count
            frac = (rank - lower_count) / width if width else 1.0
            return lower_bound + (bound - lower_bound) * frac
        lower_bound, lower_count = bound, count
    return lower_bound


class StatusBoard:
    """Bounded, in-memory view of what the worker published recently."""

    def __init__(self, metrics: Metrics, *, app_id: str = "wirestream", version: str = "0",
                 clock: Callable[[], float] = time.time, lag: Callable[[], LagSnapshot | None] | None = None,
                 readiness: Callable[[], dict[str, Any]] | None = None,
                 refresh: Callable[[], None] | None = None) -> None:
        self.metrics = metrics
        self.app_id = app_id
        self.version = version
        self.clock = clock
        self.lag = lag
        self.readiness = readiness
        self.refresh = refresh
        self._refreshed_at = -math.inf
        self.started = clock()
        self.totals: Counter[str] = Counter()
        self.dead_letters: Counter[tuple[str, str]] = Counter()
        self.recent: deque[RecentStory] = deque(maxlen=RECENT_STORIES)
        self._buckets: deque[tuple[int, Counter[str]]] = deque(maxlen=WINDOW_BUCKETS)
        self._hist_samples: deque[tuple[float, dict[str, tuple[list[float], list[float]]]]] = deque()
        self._lag_history: deque[tuple[float, int]] = deque(maxlen=WINDOW_BUCKETS * 2)

    # ------------------------------------------------------------------ observer

    def observe(self, output: Output, topic: str) -> None:
        """Record one published output (the topology calls this after each send)."""
        now = self.clock()
        verdict = output.verdict if output.verdict in OUTCOMES else "other"
        self.totals[verdict] += 1
        bucket = int(now // BUCKET_S)
        if not self._buckets or self._buckets[-1][0] != bucket:
            self._buckets.append((bucket, Counter()))
        self._buckets[-1][1][verdict] += 1
        if output.verdict == "dead_letter":
            error = output.value.get("error") if isinstance(output.value, dict) else None
            stage = error.get("stage") if isinstance(error, dict) else None
            self.dead_letters[(bounded_label(stage, "unknown"), bounded_label(output.reason, "unknown"))] += 1
        self.recent.appendleft(story_of(output, topic, now))

    # ------------------------------------------------------------------ snapshot

    def snapshot(self) -> dict[str, Any]:
        """Everything the page shows, as JSON-able data."""
        now = self.clock()
        if self.refresh is not None and now - self._refreshed_at >= _REFRESH_EVERY_S:
            # State gauges are refreshed every few seconds in the background; a page view
            # should not show sizes older than the stories listed next to them (but several
            # open tabs polling every 2 s must not walk the tables more than once a second).
            self._refreshed_at = now
            try:
                self.refresh()
            except Exception:  # best effort: a table still recovering must not break the page
                log.debug("state refresh for the status page failed", exc_info=True)
        self._sample_histograms(now)
        return {
            "app_id": self.app_id,
            "version": self.version,
            "generated_at": _iso(now),
            "uptime_s": round(now - self.started, 1),
            "ready": self.readiness() if self.readiness is not None else None,
            "totals": {"processed": sum(self.totals.values()), **{o: self.totals.get(o, 0) for o in OUTCOMES}},
            "throughput": self._throughput(now),
            "dead_letters": [{"stage": s, "code": c, "count": n} for (s, c), n in self.dead_letters.most_common(20)],
            "lag": self._lag(),
            "latency": self._latency(now),
            "state": self._state(),
            "recent": [{**asdict(s), "at": _iso(s.at)} for s in self.recent],
        }

    def _throughput(self, now: float) -> dict[str, Any]:
        last = int(now // BUCKET_S)
        first = last - WINDOW_BUCKETS + 1
        series = {o: [0] * WINDOW_BUCKETS for o in OUTCOMES}
        for bucket, counts in self._buckets:
            if bucket >= first:
                for outcome, n in counts.items():
                    if outcome in series:
                        series[outcome][bucket - first] = n
        return {"bucket_s": BUCKET_S, "end": _iso((last + 1) * BUCKET_S), "outcomes": list(OUTCOMES),
                "series": series}

    def _lag(self) -> dict[str, Any]:
        snap = self.lag() if self.lag is not None else None
        if snap is None:
            return {"at": None, "total": None, "partitions": [], "history": []}
        if not self._lag_history or self._lag_history[-1][0] != snap.at:
            self._lag_history.append((snap.at, snap.total()))
        return {"at": _iso(snap.at), "total": snap.total(),
                "partitions": [asdict(p) for p in snap.partitions],
                "history": [[round(t - snap.at, 1), n] for t, n in self._lag_history]}

    def _read_histograms(self) -> dict[str, tuple[list[float], list[float]]]:
        """Per stage (and end-to-end, summed over topics): bucket bounds and cumulative counts."""
        out: dict[str, tuple[list[float], list[float]]] = {}
        for family in self.metrics.registry.collect():
            if family.name not in {"wirestream_stage_duration_seconds", "wirestream_end_to_end_latency_seconds"}:
                continue
            rows: dict[str, dict[float, float]] = {}
            for sample in family.samples:
                if not sample.name.endswith("_bucket"):
                    continue
                key = sample.labels.get("stage", "end_to_end")
                bound = float(sample.labels["le"])
                rows.setdefault(key, {})
                rows[key][bound] = rows[key].get(bound, 0.0) + sample.value
            for key, by_bound in rows.items():
                bounds = sorted(by_bound)
                out[key] = (bounds, [by_bound[b] for b in bounds])
        return out

    def _sample_histograms(self, now: float) -> None:
        if self._hist_samples and now - self._hist_samples[-1][0] < _SAMPLE_EVERY_S:
            return
        self._hist_samples.append((now, self._read_histograms()))
        while len(self._hist_samples) > 2 and now - self._hist_samples[1][0] >= LATENCY_WINDOW_S:
            self._hist_samples.popleft()

    def _latency(self, now: float) -> dict[str, Any]:
        current = self._read_histograms()
        base_at, base = self._hist_samples[0] if self._hist_samples else (now, {})
        if now - base_at < LATENCY_WINDOW_S:
            base = {}  # the worker is younger than the window: everything it saw counts
        rows = []
        for stage in (*_STAGES, "end_to_end"):
            if stage not in current:
                continue
            bounds, counts = current[stage]
            old = base.get(stage)
            if old is not None and old[0] == bounds:
                counts = [c - o for c, o in zip(counts, old[1], strict=True)]
            row: dict[str, Any] = {"stage": stage, "count": int(counts[-1]) if counts else 0}
            for q in (0.5, 0.95, 0.99):
                value = histogram_quantile(q, bounds, counts)
                row[f"p{round(q * 100)}"] = None if value is None else round(value, 6)
            rows.append(row)
        return {"window_s": LATENCY_WINDOW_S, "stages": rows}

    def _state(self) -> dict[str, Any]:
        get = self.metrics.registry.get_sample_value
        tables = {}
        for table in ("stories", "boilerplate", "embargo"):
            entries = get("wirestream_state_entries", {"table": table})
            if entries is not None:
                size = get("wirestream_state_bytes", {"table": table})
                tables[table] = {"entries": int(entries), "bytes": None if size is None else int(size)}
        return {"tables": tables, "stories": int(get("wirestream_dedup_stories") or 0),
                "learned_blocks": int(get("wirestream_learned_boilerplate_blocks") or 0),
                "embargo_held": int(get("wirestream_embargo_held") or 0)}


def _iso(ts: float) -> str:
    return datetime.fromtimestamp(ts, tz=UTC).isoformat(timespec="seconds")


def json_bytes(data: Any) -> bytes:
    r"""JSON safe to embed in HTML: ``<``, ``>``, ``&`` and JS line separators escaped.

    >>> json_bytes({"h": "</script><b>&"})
    b'{"h":"\\u003c/script\\u003e\\u003cb\\u003e\\u0026"}'
    """
    raw = orjson.dumps(data)
    for char, escaped in ((b"<", b"\\u003c"), (b">", b"\\u003e"), (b"&", b"\\u0026"),
                          ("\u2028".encode(), b"\\u2028"), ("\u2029".encode(), b"\\u2029")):
        raw = raw.replace(char, escaped)
    return raw


SECURITY_HEADERS = {
    "Content-Security-Policy": ("default-src 'none'; script-src 'self'; connect-src 'self'; "
                                "style-src 'unsafe-inline'; img-src 'self' data:; base-uri 'none'; "
                                "form-action 'none'; frame-ancestors 'none'"),
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "Cache-Control": "no-store",
}


def render_page(snapshot: dict[str, Any]) -> str:
    """The page: static markup, the first snapshot as an escaped JSON data block, and the script tag."""
    return _PAGE.replace("@INITIAL@", json_bytes(snapshot).decode())


_PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>wirestream status</title>
<style>
:root{--bg:#0f1419;--panel:#182028;--fg:#e6e6e6;--dim:#8b98a5;--grid:#2a3642}
*{box-sizing:border-box}body{margin:0;background:var(--bg);color:var(--fg);font:14px/1.4 system-ui,sans-serif}
header{display:flex;gap:16px;align-items:baseline;padding:12px 20px;border-bottom:1px solid var(--grid)}
header h1{font-size:18px;margin:0}.dim{color:var(--dim)}
.badge{padding:2px 8px;border-radius:10px;font-weight:600;font-size:12px}
.ok{background:#1f6f43}.bad{background:#8b2b2b}
main{display:grid;grid-template-columns:repeat(auto-fit,minmax(460px,1fr));gap:14px;padding:14px 20px}
section{background:var(--panel);border-radius:8px;padding:12px 14px;min-width:0}
section h2{font-size:14px;margin:0 0 8px;color:var(--dim);font-weight:600;text-transform:uppercase;letter-spacing:.04em}
.cards{display:flex;flex-wrap:wrap;gap:10px}.card{min-width:92px}.card b{display:block;font-size:22px}
table{width:100%;border-collapse:collapse;font-size:13px}td,th{padding:3px 6px;text-align:left;
border-bottom:1px solid var(--grid);vertical-align:top}th{color:var(--dim);font-weight:600}
td.num,th.num{text-align:right;font-variant-numeric:tabular-nums}
.legend{display:flex;gap:12px;flex-wrap:wrap;font-size:12px;margin-top:4px}
.sw{display:inline-block;width:10px;height:10px;border-radius:2px;margin-right:4px;vertical-align:middle}
svg text{fill:var(--dim);font-size:11px}.wide{grid-column:1/-1}.empty{color:var(--dim);font-style:italic}
</style></head>
<body>
<header><h1>wirestream</h1><span id="app" class="dim"></span><span id="ready" class="badge"></span>
<span id="updated" class="dim"></span></header>
<main>
<section class="wide"><h2>Totals</h2><div id="totals" class="cards"></div></section>
<section class="wide"><h2>Throughput per outcome (records / 10 s, last 10 min)</h2>
<div id="throughput"></div><div id="throughput-legend" class="legend"></div></section>
<section><h2>Dead letters by reason</h2><div id="deadletters"></div></section>
<section><h2>Consumer lag per partition</h2><div id="lag"></div></section>
<section><h2>Stage latency (last 5 min)</h2><div id="latency"></div></section>
<section><h2>State</h2><div id="state"></div></section>
<section class="wide"><h2>Recent stories</h2><div id="recent"></div></section>
</main>
<script type="application/json" id="initial">@INITIAL@</script>
<script src="/status.js"></script>
</body></html>
"""

# The page script. No innerHTML anywhere: data only ever becomes text nodes or attribute values.
PAGE_JS = r"""'use strict';
(function () {
  var NS = 'http://www.w3.org/2000/svg';
  var COLORS = {new: '#4caf50', version: '#42a5f5', duplicate: '#ffb300', dead_letter: '#ef5350', held: '#ab47bc'};
  function el(tag, attrs, text) {
    var n = document.createElement(tag);
    for (var k in attrs || {}) { n.setAttribute(k, attrs[k]); }
    if (text !== undefined && text !== null) { n.textContent = String(text); }
    return n;
  }
  function svg(tag, attrs, text) {
    var n = document.createElementNS(NS, tag);
    for (var k in attrs || {}) { n.setAttribute(k, String(attrs[k])); }
    if (text !== undefined && text !== null) { n.textContent = String(text); }
    return n;
  }
  function fmtMs(s) {
    if (s === null || s === undefined) { return '\u2013'; }
    var ms = s * 1000;
    return ms >= 100 ? ms.toFixed(0) + ' ms' : ms >= 1 ? ms.toFixed(1) + ' ms' : ms.toFixed(3) + ' ms';
  }
  function put(id, node) { document.getElementById(id).replaceChildren(node); }
  function empty(text) { return el('p', {'class': 'empty'}, text); }

  function table(headers, rows, numeric) {
    var t = el('table'), tr = el('tr');
    headers.forEach(function (h, i) { tr.appendChild(el('th', numeric[i] ? {'class': 'num'} : {}, h)); });
    t.appendChild(tr);
    rows.forEach(function (r) {
      var row = el('tr');
      r.forEach(function (c, i) {
        var td = el('td', numeric[i] ? {'class': 'num'} : {});
        if (c instanceof Node) { td.appendChild(c); } else { td.textContent = c === null ? '\u2013' : String(c); }
        row.appendChild(td);
      });
      t.appendChild(row);
    });
    return t;
  }

  function throughputChart(tp) {
    var W = 960, H = 200, L = 40, B = 20, T = 8, n = tp.series[tp.outcomes[0]].length;
    var totals = [], max = 1;
    for (var i = 0; i < n; i++) {
      var s = 0; tp.outcomes.forEach(function (o) { s += tp.series[o][i]; });
      totals.push(s); if (s > max) { max = s; }
    }
    var root = svg('svg', {viewBox: '0 0 ' + W + ' ' + H, width: '100%', role: 'img', id: 'throughput-chart',
                           'aria-label': 'throughput per outcome'});
    var ph = H - B - T, bw = (W - L) / n;
    [0, 0.5, 1].forEach(function (f) {
      var y = T + ph * (1 - f);
      root.appendChild(svg('line', {x1: L, x2: W, y1: y, y2: y, stroke: '#2a3642'}));
      root.appendChild(svg('text', {x: L - 4, y: y + 4, 'text-anchor': 'end'}, Math.round(max * f)));
    });
    for (var j = 0; j < n; j++) {
      var y0 = T + ph;
      tp.outcomes.forEach(function (o) {
        var v = tp.series[o][j];
        if (!v) { return; }
        var h = ph * v / max;
        y0 -= h;
        var r = svg('rect', {x: L + j * bw + 1, y: y0, width: Math.max(bw - 2, 1), height: h,
                             fill: COLORS[o] || '#999', 'class': 'bar bar-' + o});
        r.appendChild(svg('title', {}, o + ': ' + v));
        root.appendChild(r);
      });
    }
    root.appendChild(svg('text', {x: L, y: H - 4}, '-10 min'));
    root.appendChild(svg('text', {x: W, y: H - 4, 'text-anchor': 'end'}, 'now'));
    return root;
  }

  function hbars(rows, id) {
    // rows: [[label, value, color]]
    var W = 440, rowH = 22, L = 170, H = Math.max(rows.length * rowH, rowH);
    var max = 1; rows.forEach(function (r) { if (r[1] > max) { max = r[1]; } });
    var root = svg('svg', {viewBox: '0 0 ' + W + ' ' + H, width: '100%', id: id, role: 'img'});
    rows.forEach(function (r, i) {
      var y = i * rowH;
      root.appendChild(svg('text', {x: L - 6, y: y + 15, 'text-anchor': 'end'}, r[0]));
      var w = Math.max((W - L - 60) * r[1] / max, r[1] > 0 ? 2 : 0);
      root.appendChild(svg('rect', {x: L, y: y + 4, width: w, height: rowH - 8, fill: r[2], 'class': 'bar'}));
      root.appendChild(svg('text', {x: L + w + 6, y: y + 15}, r[1]));
    });
    return root;
  }

  function lagHistory(points) {
    // Total lag over the last minutes: a line, so a growing backlog is visible at a glance.
    var W = 440, H = 70, L = 40, max = 1, span = 1;
    points.forEach(function (p) { if (p[1] > max) { max = p[1]; } if (-p[0] > span) { span = -p[0]; } });
    var root = svg('svg', {viewBox: '0 0 ' + W + ' ' + (H + 16), width: '100%', id: 'lag-history', role: 'img'});
    root.appendChild(svg('line', {x1: L, x2: W, y1: H, y2: H, stroke: '#2a3642'}));
    root.appendChild(svg('text', {x: L - 4, y: 10, 'text-anchor': 'end'}, max));
    root.appendChild(svg('text', {x: L - 4, y: H, 'text-anchor': 'end'}, 0));
    root.appendChild(svg('text', {x: W, y: H + 14, 'text-anchor': 'end'},
                         'total lag, last ' + Math.round(span) + ' s'));
    var pts = points.map(function (p) {
      return (L + (W - L) * (1 + p[0] / span)).toFixed(1) + ',' + (H - (H - 4) * p[1] / max).toFixed(1);
    });
    if (pts.length === 1) { pts.push((W) + ',' + pts[0].split(',')[1]); }
    root.appendChild(svg('polyline', {points: pts.join(' '), fill: 'none', stroke: '#42a5f5', 'stroke-width': 2}));
    return root;
  }

  function render(d) {
    document.getElementById('app').textContent = d.app_id + ' ' + d.version + ' · up ' + Math.round(d.uptime_s) + ' s';
    var ready = document.getElementById('ready');
    var ok = d.ready && d.ready.ready;
    ready.textContent = ok ? 'ready' : 'not ready';
    ready.className = 'badge ' + (ok ? 'ok' : 'bad');
    document.getElementById('updated').textContent = 'updated ' + d.generated_at;

    var cards = el('div', {'class': 'cards'});
    [['processed', d.totals.processed, '#e6e6e6']].concat(d.throughput.outcomes.map(function (o) {
      return [o.replace('_', ' '), d.totals[o], COLORS[o]];
    })).concat([['lag', d.lag.total === null ? '\u2013' : d.lag.total, '#e6e6e6']]).forEach(function (c) {
      var card = el('div', {'class': 'card', 'data-metric': c[0]});
      var b = el('b', {}, c[1]); b.style.color = c[2];
      card.appendChild(b); card.appendChild(el('span', {'class': 'dim'}, c[0]));
      cards.appendChild(card);
    });
    put('totals', cards);

    put('throughput', throughputChart(d.throughput));
    var legend = el('div', {'class': 'legend'});
    d.throughput.outcomes.forEach(function (o) {
      var s = el('span'); var sw = el('span', {'class': 'sw'}); sw.style.background = COLORS[o];
      s.appendChild(sw); s.appendChild(document.createTextNode(o.replace('_', ' '))); legend.appendChild(s);
    });
    put('throughput-legend', legend);

    put('deadletters', d.dead_letters.length ? hbars(d.dead_letters.map(function (r) {
      return [r.code + ' @ ' + r.stage, r.count, COLORS.dead_letter];
    }), 'deadletter-chart') : empty('no dead letters'));

    if (d.lag.partitions.length) {
      var lagBox = el('div');
      lagBox.appendChild(hbars(d.lag.partitions.map(function (p) {
        // The topic's last word (raw, bysource, dedupe) keeps labels short; full names are in /metrics.
        return [p.topic.split(/[.-]/).pop() + ' [' + p.partition + ']', p.lag, '#42a5f5'];
      }), 'lag-chart'));
      lagBox.appendChild(lagHistory(d.lag.history));
      put('lag', lagBox);
    } else { put('lag', empty('no lag measured yet')); }

    var lat = d.latency.stages.filter(function (r) { return r.count > 0; });
    if (lat.length) {
      var box = el('div');
      // Bars for the stages only: end-to-end includes Kafka hops and would flatten them.
      box.appendChild(hbars(lat.filter(function (r) { return r.stage !== 'end_to_end'; }).map(function (r) {
        return [r.stage + ' p99 (µs)', Math.round((r.p99 || 0) * 1e6), '#ffb300'];
      }), 'latency-chart'));
      box.appendChild(table(['stage', 'count', 'p50', 'p95', 'p99'], lat.map(function (r) {
        return [r.stage, r.count, fmtMs(r.p50), fmtMs(r.p95), fmtMs(r.p99)];
      }), [false, true, true, true, true]));
      put('latency', box);
    } else { put('latency', empty('no records timed yet')); }

    var st = d.state, rows = [];
    Object.keys(st.tables).forEach(function (t) { rows.push([t, st.tables[t].entries, st.tables[t].bytes]); });
    rows.push(['stories indexed', st.stories, null]);
    rows.push(['learned boilerplate blocks', st.learned_blocks, null]);
    rows.push(['embargo held', st.embargo_held, null]);
    put('state', table(['table', 'entries', 'bytes'], rows, [false, true, true]));

    put('recent', d.recent.length ? table(['time', 'verdict', 'headline', 'version', 'reason', 'source'],
      d.recent.map(function (s) {
        var v = el('span', {'class': 'verdict verdict-' + s.verdict}, s.verdict); v.style.color = COLORS[s.verdict];
        var h = el('span', {'class': 'headline'}, s.headline === null ? '\u2013' : s.headline);
        return [s.at.slice(11, 19), v, h, s.version, s.reason, s.source];
      }), [false, false, false, false, false, false]) : empty('no stories yet'));
  }

  var initial = document.getElementById('initial');
  try { render(JSON.parse(initial.textContent)); } catch (e) { console.error(e); }
  var polls = 0;
  function poll() {
    fetch('/status.json', {cache: 'no-store'}).then(function (r) { return r.json(); })
      .then(function (d) {
        render(d);
        // Counts live refreshes: lets a browser test (and a curious person) see the page is polling.
        polls += 1; document.body.setAttribute('data-polls', String(polls));
      })
      .catch(function (e) { document.getElementById('updated').textContent = 'offline: ' + e; });
  }
  setInterval(poll, 2000);
})();
"""
