"""The labelled dedupe set (tests/golden/dedup/labelled.jsonl) meets its precision/recall floors."""

from __future__ import annotations

from streams.bench.dedup import evaluate_labelled, load_labelled


def test_labelled_set_precision_and_recall():
    """Pairwise precision >= 0.99 and recall >= 0.97 on >= 150 labelled records."""
    records = load_labelled()
    assert len(records) >= 150, len(records)
    r = evaluate_labelled(records)
    assert r["precision"] >= 0.99, r
    assert r["recall"] >= 0.97, r
    assert r["verdict_agreement"] >= 0.97, r["mismatches"]


def test_labelled_file_matches_its_generator():
    """The committed JSONL is exactly what the generator produces (no hand edits)."""
    import importlib.util
    import json
    from pathlib import Path

    path = Path(__file__).resolve().parents[1] / "golden" / "dedup" / "generate.py"
    spec = importlib.util.spec_from_file_location("dedup_generate", path)
    module = importlib.util.module_from_spec(spec)
    assert spec.loader is not None
    spec.loader.exec_module(module)
    assert [json.loads(json.dumps(r, sort_keys=True)) for r in module.build()] == load_labelled()
