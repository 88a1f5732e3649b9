"""The ``wirestream bench`` command end to end, as CI runs it (offline area only: no broker)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import orjson
import pytest

REPO = Path(__file__).resolve().parents[2]


@pytest.mark.slow
def test_bench_quick_pipeline_writes_results(tmp_path: Path) -> None:
    """`wirestream bench --quick --only pipeline` exits 0 and writes JSON + markdown with positive stage costs."""
    out = tmp_path / "results.json"
    cmd = [sys.executable, "-m", "streams", "bench", "--quick", "--only", "pipeline", "--out", str(out)]
    done = subprocess.run(cmd, cwd=REPO, capture_output=True, text=True, timeout=600, check=False)
    assert done.returncode == 0, f"bench failed ({done.returncode}):\n{done.stdout[-3000:]}\n{done.stderr[-3000:]}"
    report = orjson.loads(out.read_bytes())
    for key in ("schema", "command", "date", "machine", "git_commit", "quick", "areas"):
        assert key in report, f"results lack {key!r}: {sorted(report)}"
    assert report["quick"] is True
    assert report["command"].startswith("wirestream bench --quick --only pipeline"), report["command"]
    assert report["machine"]["nproc"] >= 1, report["machine"]
    assert list(report["areas"]) == ["pipeline"], f"only the pipeline area should run: {list(report['areas'])}"
    area = report["areas"]["pipeline"]
    assert area["status"] == "ok", area
    result = area["result"]
    for name in ("reuters-json", "reuters-text", "html"):
        got = result["inputs"][name]
        assert got["articles"] > 0, got
        assert got["floor_us"] > 0, f"{name}: the orjson floor must be measured: {got}"
        for stage in ("ingest", "clean", "enrich", "dedupe"):
            us = got["us_per_article"][stage]
            assert us is not None and us > 0, f"{name}: stage {stage} has no positive cost: {got['us_per_article']}"
        assert got["articles_per_s_wall"] > 0, got
        assert got["outcomes"].get("enriched", 0) > 0, f"{name}: nothing reached wire.enriched: {got['outcomes']}"
    figures = result["figures"]
    assert figures and all(f["baseline"] is not None and f["baseline"] > 0 for f in figures), \
        "every figure carries its same-run baseline"
    assert result["dedup_state_bytes_per_article"] > 0
    table = out.with_suffix(".md").read_text()
    assert "wirestream bench --quick --only pipeline" in table, "the snippet names the command that produced it"
    assert "| [pipeline] reuters-text full path (wall) |" in table, table[:2000]


def test_bench_reports_unknown_area() -> None:
    """An unknown area name is a usage error (exit 2), not a silent skip."""
    done = subprocess.run([sys.executable, "-m", "streams", "bench", "--only", "nosuch"], cwd=REPO,
                          capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode == 2, (done.returncode, done.stderr)
    assert "unknown area" in done.stderr, done.stderr


def test_missing_and_failing_areas_are_reported_not_raised(monkeypatch: pytest.MonkeyPatch) -> None:
    """An absent area module is `missing`, a raising one is `error`; neither stops the run."""
    from streams.bench import __main__ as bench

    monkeypatch.setitem(bench.AREAS, "ghost", ("streams.bench.no_such_area_module", "run"))
    monkeypatch.setitem(bench.AREAS, "broken", ("streams.bench.harness", "no_such_function"))
    ghost = bench.run_area("ghost", quick=True)
    assert ghost["status"] == "missing", ghost
    broken = bench.run_area("broken", quick=True)
    assert broken["status"] == "error" and "AttributeError" in broken["error"], broken
    rows = bench.summary_rows({"ghost": ghost, "broken": broken})
    assert [r["name"] for r in rows] == ["[ghost] missing", "[broken] error"], rows


def test_foreign_area_results_are_flattened_into_the_table() -> None:
    """An area without `figures` still shows its numeric results (nested keys joined by dots)."""
    from streams.bench import __main__ as bench

    rows = bench.summary_rows({"dedup": {"status": "ok", "result": {"f1": 0.9, "speed": {"us": 12}, "ok": True,
                                                                     "name": "x"}}})
    assert [(r["name"], r["value"]) for r in rows] == [("[dedup] f1", 0.9), ("[dedup] speed.us", 12.0)], rows
