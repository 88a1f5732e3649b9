"""``wirestream bench``: every benchmark area, one table, one JSON file of results.

::

    wirestream bench [--quick] [--only pipeline,e2e] [--out bench-results/results.json]

Areas (each a module ``streams/bench/<module>.py`` with a ``run(quick) -> dict``):

=============  ===========================================================================
pipeline       offline µs per article per stage, articles/s per core (floor: orjson)
e2e            throughput through the real broker, 1 and 2 workers (vs a passthrough agent)
latency        produce -> wire.enriched latency at a fixed offered load
memory         worker RSS after start-up and after N articles; dedup state bytes
glued          trafilatura + datasketch + spaCy in one process (the baseline users would glue)
clean ...      the other areas (clean, dedup, enrich, replay, adversarial), when present
=============  ===========================================================================

An area whose module is absent is reported as ``missing``; an area that fails is
reported with its error and the others still run. Areas that need Kafka share one
local broker started on first use, unless ``WIRESTREAM_KAFKA_BOOTSTRAP`` is set.
The JSON records the machine, the date, the command line and the git commit, and a
markdown snippet of the table is written beside it (``results.md``).
"""

from __future__ import annotations

import argparse
import importlib
import sys
import time
import traceback
from collections.abc import Callable
from pathlib import Path
from typing import Any

import orjson

from streams.bench import harness

# area -> (module, function); the order is the order they run in.
AREAS: dict[str, tuple[str, str]] = {
    "pipeline": ("streams.bench.pipeline", "run"),
    "e2e": ("streams.bench.e2e", "run"),
    "latency": ("streams.bench.e2e", "run_latency"),
    "memory": ("streams.bench.e2e", "run_memory"),
    "glued": ("streams.bench.glued", "run"),
    "clean": ("streams.bench.clean", "run"),
    "dedup": ("streams.bench.dedup", "run"),
    "enrich": ("streams.bench.enrich", "run"),
    "replay": ("streams.bench.replay", "run"),
    "adversarial": ("streams.bench.adversarial", "run"),
}
SCHEMA = "wirestream.bench.v1"
MAX_ROWS_PER_FOREIGN_AREA = 12


def parse_args(argv: list[str]) -> argparse.Namespace:
    """The command line, parsed once."""
    parser = argparse.ArgumentParser(prog="wirestream bench", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="small inputs (CI): each area well under a minute")
    parser.add_argument("--only", default="", help=f"comma-separated areas (default: all): {', '.join(AREAS)}")
    parser.add_argument("--profile", action="store_true",
                        help="also profile the offline path with pyinstrument (reports beside --out)")
    parser.add_argument("--out", type=Path, default=Path("bench-results/results.json"),
                        help="where to write the JSON results (a results.md snippet is written beside it)")
    args = parser.parse_args(argv)
    wanted = [a.strip() for a in args.only.split(",") if a.strip()] or list(AREAS)
    unknown = [a for a in wanted if a not in AREAS]
    if unknown:
        parser.error(f"unknown area(s): {', '.join(unknown)} (known: {', '.join(AREAS)})")
    args.areas = wanted
    return args


def load_area(area: str) -> Callable[..., dict[str, Any]] | None:
    """The area's ``run`` function, or None when its module is not (yet) part of the project."""
    module_name, func = AREAS[area]
    try:
        module = importlib.import_module(module_name)
    except ModuleNotFoundError as exc:
        if exc.name == module_name:
            return None
        raise
    return getattr(module, func)  # type: ignore[no-any-return]


def run_area(area: str, quick: bool) -> dict[str, Any]:
    """Run one area, never raising: ``{"status": ok|missing|error, "seconds", "result"|"error"}``."""
    started = time.perf_counter()
    try:
        fn = load_area(area)
        if fn is None:
            return {"status": "missing", "seconds": 0.0, "error": f"{AREAS[area][0]} is not in this checkout"}
        result = fn(quick=quick)
        return {"status": "ok", "seconds": round(time.perf_counter() - started, 1), "result": _jsonable(result)}
    except (Exception, SystemExit) as exc:
        print(f"\n!! area {area} failed: {type(exc).__name__}: {exc}", file=sys.stderr)
        traceback.print_exc(file=sys.stderr)
        return {"status": "error", "seconds": round(time.perf_counter() - started, 1),
                "error": f"{type(exc).__name__}: {str(exc)[:2000]}"}


def _jsonable(value: Any) -> Any:
    return orjson.loads(orjson.dumps(value, default=str, option=orjson.OPT_NON_STR_KEYS))


def summary_rows(areas: dict[str, dict[str, Any]]) -> list[dict[str, Any]]:
    """One table over all areas: their ``figures`` where given, else their numeric results flattened."""
    rows: list[dict[str, Any]] = []
    for area, outcome in areas.items():
        if outcome["status"] != "ok":
            rows.append(harness.figure(f"[{area}] {outcome['status']}", None, "", note=outcome.get("error")))
            continue
        result = outcome["result"]
        # Areas built on harness.figure() return them under "figures" (or "rows").
        figures = (result.get("figures") or result.get("rows")) if isinstance(result, dict) else None
        if isinstance(figures, list) and figures and all(isinstance(f, dict) and "name" in f for f in figures):
            rows.extend({**f, "name": f"[{area}] {f['name']}"} for f in figures)
            continue
        flat = list(_numbers(result))[:MAX_ROWS_PER_FOREIGN_AREA]
        rows.extend(harness.figure(f"[{area}] {path}", value, "") for path, value in flat)
    return rows


def _numbers(value: Any, path: str = "") -> Any:
    if isinstance(value, bool):
        return
    if isinstance(value, int | float):
        yield path or "value", float(value)
    elif isinstance(value, dict):
        for k, v in value.items():
            yield from _numbers(v, f"{path}.{k}" if path else str(k))


def markdown(report: dict[str, Any], rows: list[dict[str, Any]]) -> str:
    """The README snippet: the table, with the command, machine and date that produced it."""
    m = report["machine"]
    lines = [
        f"Measured {report['date']} with `{report['command']}` at commit `{report['git_commit']}` on "
        f"{m['nproc']} cores ({m['cpu_model']}, {m['mem_total_mb']} MB RAM, Python {m['python']}; "
        f"load average at start {m['loadavg_at_start'][0]}).",
        "",
        "| figure | value | unit | baseline (same run) | baseline value | ratio | target |",
        "| --- | ---: | --- | --- | ---: | ---: | --- |",
    ]
    for r in rows:
        cells = [r["name"], harness._fmt(r.get("value")), r.get("unit") or "", r.get("baseline_name") or "",
                 harness._fmt(r.get("baseline")), harness._fmt(r.get("ratio")), harness._target(r)]
        lines.append("| " + " | ".join(str(c).replace("|", "\\|") for c in cells) + " |")
    return "\n".join(lines) + "\n"


def write_results(path: Path, report: dict[str, Any]) -> None:
    """The JSON results file (indented, stable key order as built)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(orjson.dumps(report, option=orjson.OPT_INDENT_2 | orjson.OPT_NON_STR_KEYS) + b"\n")


def main(argv: list[str] | None = None) -> int:
    """Run the selected areas; returns 0 when none failed (missing areas are not failures)."""
    argv = list(sys.argv[1:] if argv is None else argv)
    args = parse_args(argv)
    report: dict[str, Any] = {
        "schema": SCHEMA,
        "command": " ".join(["wirestream", "bench", *argv]),
        "date": harness.now_iso(),
        "machine": harness.machine(),
        "git_commit": harness.git_commit(),
        "quick": args.quick,
        "areas": {},
    }
    try:
        for area in args.areas:
            print(f"\n### {area}{' (quick)' if args.quick else ''}", flush=True)
            report["areas"][area] = run_area(area, args.quick)
            # Written after every area, so an interrupted long run keeps what it measured.
            write_results(args.out, report)
    finally:
        harness.shutdown()
    if args.profile:
        from streams.bench.pipeline import profile

        report["profiles"] = [str(p) for p in profile(args.out.parent, quick=args.quick)]
    report["finished"] = harness.now_iso()
    rows = summary_rows(report["areas"])
    harness.print_table(f"wirestream bench: {report['command']}", rows)
    for area, outcome in report["areas"].items():
        if outcome["status"] != "ok":
            print(f"  {area}: {outcome['status']}: {outcome.get('error', '')[:300]}")
    write_results(args.out, report)
    md_path = args.out.with_suffix(".md")
    md_path.write_text(markdown(report, rows))
    print(f"\nresults: {args.out}  table: {md_path}")
    failed = [a for a, o in report["areas"].items() if o["status"] == "error"]
    if failed:
        print(f"failed areas: {', '.join(failed)}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
