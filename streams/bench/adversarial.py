"""Adversarial cost benchmark: the slowest per-record time of the whole pipeline, and how it scales.

Run: ``python -m streams.bench.adversarial [--quick]``.

Each family of hostile input is generated at several sizes (up to 200,000 characters)
and run through ``Pipeline.run`` (ingest -> clean -> enrich -> dedupe -> publish, with
output validation, fresh dict state per record, one core). For each family the table
gives the time per record at each size and the scaling exponent ``k`` fitted between
the smallest and largest measured size (time ~ size^k): ``k`` near 1 is linear, 2 would be
quadratic. The baseline, measured in the same run, is a normal 800-word wire story.
The worker's ``record_budget_s`` (default 2 s) dead-letters anything slower.
"""

from __future__ import annotations

import math
import sys
import time
from collections.abc import Callable
from typing import Any

import orjson

from agents.model import RawRecord
from agents.pipeline import Pipeline
from streams.settings import Settings

STOP_AFTER_S = 4.0
"""A family whose record takes longer than this is not run at larger sizes (it is reported as it stands)."""
_WORDS = ("the council said on Tuesday that river traffic would resume after engineers from Lyon inspected "
          "the bridge while ministers in Paris met union leaders about pension reform and wages").split()


def _prose(n: int) -> str:
    out: list[str] = []
    size = 0
    i = 0
    while size < n:
        w = _WORDS[i % len(_WORDS)]
        out.append(w.capitalize() + "." if i % 17 == 16 else w)
        size += len(w) + 1
        i += 1
    return " ".join(out)[:n]


def _json(body: str, key: str = "body") -> bytes:
    return orjson.dumps({"id": "adv", "title": "Adversarial input", key: body, "source": "adversary"})


def _html(inner: str) -> bytes:
    return (f"<!doctype html><html><head><title>Adversarial</title></head><body><article>"
            f"<h1>Adversarial</h1>{inner}</article></body></html>").encode()


# family -> builder(size in characters) -> (record value, content-type)
FAMILIES: dict[str, Callable[[int], tuple[bytes, bytes]]] = {
    "one long line (no spaces)": lambda n: (_json("a" * n), b"application/json"),
    "one long line of prose": lambda n: (_json(_prose(n).replace(".", "")), b"application/json"),
    "prose, many paragraphs": lambda n: (_json("\n\n".join(_prose(n).split(". "))), b"application/json"),
    "nested <div> (depth ~ n/11)": lambda n: (_html("<div>" * (n // 11) + "Deep text." + "</div>" * (n // 11)),
                                              b"text/html"),
    "unclosed nested tags": lambda n: (_html("<div><span><b><i>" * (n // 16) + "x"), b"text/html"),
    "repeated blocks (same <p>)": lambda n: (_html("<p>Subscribe to our newsletter for more stories.</p>"
                                                   * (n // 52)), b"text/html"),
    "repeated distinct blocks": lambda n: (_html("".join(f"<p>Paragraph {i} says the council met.</p>"
                                                         for i in range(n // 40))), b"text/html"),
    "regex: 'a'*n + '!'": lambda n: (_json("a" * n + "!" + " end."), b"application/json"),
    "regex: capitalised words": lambda n: (_json("Aa " * (n // 3)), b"application/json"),
    "regex: byline-like": lambda n: (_json("By " + "Smith and " * (n // 10)), b"application/json"),
    "regex: dateline-like": lambda n: (_json("PARIS (Reuters) - " * (n // 18)), b"application/json"),
    "regex: quotes": lambda n: (_json('"' * n), b"application/json"),
    "regex: punctuation runs": lambda n: (_json(".-,;:" * (n // 5)), b"application/json"),
    "regex: url/email-like": lambda n: (_json("http://" + "a." * (n // 2) + " x@" + "b." * (n // 4)),
                                        b"application/json"),
    "whitespace and NBSP": lambda n: (_json(" \u00a0\t" * (n // 3) + "word."), b"application/json"),
    "zero-width / bidi": lambda n: (_json("Word\u200b\u202e " * (n // 7)), b"application/json"),
    "HTML entities": lambda n: (_html("<p>" + "&amp;&lt;&#x202e;&nbsp;" * (n // 24) + "</p>"), b"text/html"),
    "ninjs body_html scripts": lambda n: (orjson.dumps({"uri": "urn:x:adv:1", "headline": "Adversarial",
                                                        "body_html": "<p>x</p><script>var a=1;</script>"
                                                        * (n // 33)}), b"application/json"),
}


def _time_record(pipeline: Pipeline, value: bytes, ctype: bytes, repeats: int) -> tuple[float, str]:
    best = math.inf
    outcome = ""
    for _ in range(repeats):
        fresh = Pipeline(pipeline.settings, boilerplate_store={}, story_store={}, enricher=pipeline.enricher)
        record = RawRecord(value=value, headers=(("content-type", ctype),), topic="adv", partition=0, offset=0)
        started = time.perf_counter()
        out = fresh.run(record)
        best = min(best, time.perf_counter() - started)
        outcome = out.role if out.role != "dlq" else f"dlq:{out.value['error']['code']}"
    return best, outcome


def run(quick: bool = False) -> dict[str, Any]:
    """Measure every family at each size; print the table; return the figures."""
    sizes = [6_250, 12_500, 25_000, 50_000, 100_000, 200_000]
    settings_budget = Settings().record_budget_s
    repeats = 1 if quick else 3
    # Measure the stage code itself: the per-record budget would turn slow records into
    # cheap dead letters after the fact, and validation is part of the real per-record cost.
    settings = Settings(record_budget_s=1e9)
    pipeline = Pipeline(settings, boilerplate_store={}, story_store={})
    baseline_value = _json("\n\n".join(_prose(5000).split(". ")))
    baseline_s, _ = _time_record(pipeline, baseline_value, b"application/json", 3)
    rows: list[dict[str, Any]] = []
    for family, build in FAMILIES.items():
        times: dict[int, float] = {}
        outcomes: dict[int, str] = {}
        for size in sizes:
            value, ctype = build(size)
            times[size], outcomes[size] = _time_record(pipeline, value, ctype, repeats)
            if times[size] > STOP_AFTER_S:
                break  # super-linear: larger sizes would take minutes; the exponent already shows it
        measured = sorted(times)
        lo, hi = measured[0], measured[-1]
        k = math.log(max(times[hi], 1e-6) / max(times[lo], 1e-6)) / math.log(hi / lo) if hi > lo else float("nan")
        rows.append({"family": family, "seconds": {str(s): round(t, 5) for s, t in times.items()},
                     "scaling_exponent": round(k, 2), "outcome_at_max": outcomes[hi], "largest_measured": hi,
                     "over_budget": times[hi] > settings_budget, "bytes_at_max": len(build(hi)[0])})
    slowest = max(rows, key=lambda r: max(r["seconds"].values()))
    over = [r["family"] for r in rows if r["over_budget"]]
    worst_s = max(slowest["seconds"].values())
    result = {
        "sizes_chars": sizes,
        "repeats": repeats,
        "baseline_800_words_s": round(baseline_s, 5),
        "slowest_record_s": round(worst_s, 4),
        "slowest_family": slowest["family"],
        "max_scaling_exponent": max(r["scaling_exponent"] for r in rows),
        "record_budget_s": settings_budget,
        "families_over_budget": over,
        "families": rows,
    }
    _print(result)
    return result


def _print(result: dict[str, Any]) -> None:
    sizes = result["sizes_chars"]
    head = f"{'family':<30}" + "".join(f"{f'{s // 1000}k chars':>12}" for s in sizes) + f"{'k':>7}  outcome@max"
    print("adversarial inputs: seconds per record through Pipeline.run (time ~ size^k; k=1 is linear)")
    print(head)
    print("-" * len(head))
    for r in result["families"]:
        cells = "".join(f"{r['seconds'][str(s)]:>12.4f}" if str(s) in r["seconds"] else f"{'(skipped)':>12}"
                        for s in sizes)
        print(f"{r['family']:<30}{cells}{r['scaling_exponent']:>7.2f}  {r['outcome_at_max']}")
    print(f"baseline (800-word story): {result['baseline_800_words_s'] * 1000:.2f} ms; slowest record: "
          f"{result['slowest_record_s']:.3f} s ({result['slowest_family']}); max k = {result['max_scaling_exponent']}; "
          f"record budget {result['record_budget_s']} s")
    if result["families_over_budget"]:
        print(f"OVER THE RECORD BUDGET (the worker dead-letters these as timeout): {result['families_over_budget']}")


if __name__ == "__main__":
    run(quick="--quick" in sys.argv[1:])
