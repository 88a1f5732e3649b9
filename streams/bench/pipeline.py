"""Offline stage costs: µs per article for each stage, and articles/s per core for the whole path.

Runs the very code the worker runs (:class:`agents.pipeline.Pipeline` with dict state, as
``wirestream process`` does) over three inputs:

- ``reuters-json``: Reuters-21578 stories as generic feed JSON objects;
- ``reuters-text``: the same stories as plain-text pages (``content-type: text/plain``);
- ``html``: the article-extraction benchmark's real news pages (``content-type: text/html``).

Stage times come from the pipeline's own :class:`~agents.pipeline.StageTimings`; the
deduper's ``decide`` is wrapped so that dedupe proper and publish (message building plus
JSON Schema validation of every output) are reported apart. The floor is orjson decode
plus encode of the same records in their archive form, measured in the same run: no
stage can cost less than reading and writing its record once.

Wall-clock figures include time stolen by other processes on a shared machine; the
``cpu`` figures (process CPU time) are what one core actually spent. Stage CPU times are
taken around the same calls (``us_per_article_cpu``: clean and enrich each by a wrapper
around the stage function, publish as decide minus dedupe), at about 0.5 µs per reading.
"""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Sequence
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import orjson

from agents.model import RawRecord
from agents.outcome import Output
from streams.archive import to_line
from streams.bench import harness
from streams.process import offline_pipeline
from streams.settings import Settings

STAGES = ("ingest", "clean", "enrich", "dedupe", "publish")
PASSES = 3
"""Full runs measure each input this many times on a fresh pipeline and report the least disturbed pass."""
TARGETS = {"reuters-text": 1000.0, "reuters-json": 1000.0, "html": 100.0}


def floor_us(records: Sequence[RawRecord], repeat: int = 3) -> float:
    """Best-of-``repeat`` µs per record for orjson decode + encode of each record's archive line."""
    lines = [to_line(r) for r in records]
    best = float("inf")
    for _ in range(repeat):
        started = time.perf_counter()
        for line in lines:
            orjson.dumps(orjson.loads(line))
        best = min(best, time.perf_counter() - started)
    return best / len(lines) * 1e6


def measure(records: Sequence[RawRecord], settings: Settings | None = None, warmup: int = 20) -> dict[str, Any]:
    """Run ``records`` through a fresh offline pipeline; per-stage µs per article and outcomes."""
    settings = settings or Settings()
    # Warm-up on a throwaway pipeline: lazy imports and first-use caches are not per-article costs.
    warm = offline_pipeline(settings)
    for rec in records[:warmup]:
        warm.run(rec)
    pipeline = offline_pipeline(settings)
    spent = dict.fromkeys(STAGES, 0.0)
    cpu = dict.fromkeys(STAGES, 0.0)
    counted = Counter[str]()
    outcomes = Counter[str]()
    dedupe_clock = [0.0]
    decide = pipeline.deduper.decide
    cpu_clock = time.process_time

    def timed_decide(*args: Any, **kwargs: Any) -> Any:
        started, cpu_started = time.perf_counter(), cpu_clock()
        try:
            return decide(*args, **kwargs)
        finally:
            dedupe_clock[0] += time.perf_counter() - started
            cpu["dedupe"] += cpu_clock() - cpu_started

    def cpu_timed(stage: str, fn: Any) -> Any:
        def timed(*args: Any, **kwargs: Any) -> Any:
            started = cpu_clock()
            try:
                return fn(*args, **kwargs)
            finally:
                cpu[stage] += cpu_clock() - started
        return timed

    pipeline.deduper.decide = timed_decide  # type: ignore[method-assign]
    pipeline._clean = cpu_timed("clean", pipeline._clean)  # type: ignore[method-assign]
    # The enricher is frozen: the pipeline gets a stand-in whose only method is the timed one.
    pipeline.enricher = SimpleNamespace(enrich=cpu_timed("enrich", pipeline.enricher.enrich))  # type: ignore[assignment]
    timings = pipeline.timings
    with harness.Clock() as clock:
        for rec in records:
            cpu_started = cpu_clock()
            step = pipeline.ingest(rec)
            cpu["ingest"] += cpu_clock() - cpu_started
            spent["ingest"] += timings.ingest
            counted["ingest"] += 1
            if isinstance(step, Output):
                outcomes[f"dlq:{step.reason}"] += 1
                continue
            prepared = pipeline.prepare(step)
            if isinstance(prepared, Output):
                outcomes[f"dlq:{prepared.reason}"] += 1
                continue
            spent["clean"] += timings.clean
            spent["enrich"] += timings.enrich
            counted["clean"] += 1
            counted["enrich"] += 1
            before = dedupe_clock[0]
            cpu_started = cpu_clock()
            output = pipeline.decide(prepared)
            cpu["publish"] += cpu_clock() - cpu_started  # minus the dedupe share, below
            dedupe = dedupe_clock[0] - before
            spent["dedupe"] += dedupe
            spent["publish"] += max(timings.dedupe - dedupe, 0.0)
            counted["dedupe"] += 1
            counted["publish"] += 1
            outcomes[output.role if output.role != "dlq" else f"dlq:{output.reason}"] += 1
    n = len(records)
    cpu["publish"] = max(cpu["publish"] - cpu["dedupe"], 0.0)
    stats = pipeline.deduper.stats()
    return {
        "articles": n,
        "us_per_article": {s: (spent[s] / counted[s] * 1e6 if counted[s] else None) for s in STAGES},
        "us_per_article_cpu": {s: (cpu[s] / counted[s] * 1e6 if counted[s] else None) for s in STAGES},
        "path_us_wall": clock.wall / n * 1e6,
        "path_us_cpu": clock.cpu / n * 1e6,
        "articles_per_s_wall": n / clock.wall,
        "articles_per_s_cpu": n / clock.cpu if clock.cpu > 0 else None,
        "outcomes": dict(outcomes),
        "dedup_state": {"stories": stats.stories, "keys": stats.keys, "approx_bytes": stats.approx_bytes,
                        "bytes_per_story": stats.bytes_per_story},
    }


def corpora(quick: bool) -> dict[str, list[RawRecord]]:
    """The three inputs (quick: a slice of each)."""
    # 5,000 stories are representative of the corpus and keep the full run within minutes on 2 shared cores.
    n_reuters = 400 if quick else 5000
    n_html = 30 if quick else len(harness.aeb_pages())
    return {"reuters-json": harness.reuters_records(n_reuters, "generic"),
            "reuters-text": harness.reuters_records(n_reuters, "text"),
            "html": harness.html_records(n_html)}


def run(quick: bool = False) -> dict[str, Any]:
    """Measure every stage on every input; print a table; return the figures."""
    results: dict[str, Any] = {"inputs": {}, "figures": []}
    figures: list[dict[str, Any]] = results["figures"]
    passes = 1 if quick else PASSES
    for name, records in corpora(quick).items():
        floor = floor_us(records)
        # Each pass is the same work on a fresh pipeline; the least disturbed one is the best estimate of
        # the code's own cost on a shared machine (as timeit takes the minimum). All passes are reported.
        runs = [measure(records) for _ in range(passes)]
        got = min(runs, key=lambda r: r["path_us_cpu"])
        got["passes_articles_per_s_cpu"] = [r["articles_per_s_cpu"] for r in runs]
        got["floor_us"] = floor
        results["inputs"][name] = got
        for stage in STAGES:
            us = got["us_per_article"][stage]
            figures.append(harness.figure(f"{name} {stage}", us, "µs/article", baseline=floor,
                                          baseline_name="orjson decode+encode", higher_is_better=False))
            figures.append(harness.figure(f"{name} {stage} (cpu time)", got["us_per_article_cpu"][stage],
                                          "µs/article", baseline=floor, baseline_name="orjson decode+encode",
                                          higher_is_better=False))
        target = TARGETS[name]
        floor_rate = 1e6 / floor
        figures.append(harness.figure(f"{name} full path (wall)", got["articles_per_s_wall"], "articles/s/core",
                                      baseline=floor_rate, baseline_name="orjson decode+encode",
                                      target=f">= {target:,.0f}", met=got["articles_per_s_wall"] >= target))
        cpu_rate = got["articles_per_s_cpu"]
        figures.append(harness.figure(f"{name} full path (cpu time)", cpu_rate, "articles/s/core",
                                      baseline=floor_rate, baseline_name="orjson decode+encode",
                                      target=f">= {target:,.0f}", met=None if cpu_rate is None else cpu_rate >= target))
    got = results["inputs"]["reuters-json"]
    per_article = got["dedup_state"]["approx_bytes"] / got["articles"]
    raw_bytes = sum(len(r.value) for r in harness.reuters_records(got["articles"], "generic")) / got["articles"]
    results["dedup_state_bytes_per_article"] = per_article
    figures.append(harness.figure("dedup state (reuters-json)", per_article, "bytes/article",
                                  baseline=raw_bytes, baseline_name="raw record bytes", higher_is_better=False,
                                  target="<= 400", met=per_article <= 400))
    harness.print_table("offline stage costs" + (" (quick)" if quick else ""), figures)
    for name, got in results["inputs"].items():
        rates = ", ".join(f"{r:,.0f}" for r in got["passes_articles_per_s_cpu"])
        print(f"   {name}: {got['articles']} articles, outcomes {got['outcomes']}; passes (articles/s cpu): {rates}")
    return results


def profile(out_dir: Path, quick: bool = False) -> list[Path]:
    """Profile the offline path with pyinstrument (``pip install -e .[bench]``), one text report per input.

    Returns the files written; none when pyinstrument is not installed.
    """
    try:
        from pyinstrument import Profiler
    except ImportError:
        print("   profile: pyinstrument is not installed (pip install -e .[bench])")
        return []
    written = []
    out_dir.mkdir(parents=True, exist_ok=True)
    for name, records in corpora(quick).items():
        pipeline = offline_pipeline(Settings())
        for rec in records[:20]:
            pipeline.run(rec)
        profiler = Profiler(interval=0.001)
        profiler.start()
        for rec in records:
            pipeline.run(rec)
        profiler.stop()
        path = out_dir / f"profile-offline-{name}.txt"
        path.write_text(profiler.output_text(unicode=False, color=False))
        written.append(path)
    return written


if __name__ == "__main__":
    import sys

    run(quick="--quick" in sys.argv)
