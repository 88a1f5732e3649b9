"""Golden-set floors for the cleaning stage: batch A (tests/golden/clean, 40 pages, 8 sites) and the independent
batch B (tests/golden/clean_b, 16 pages, 4 sites, written before any tuning against it)."""

from __future__ import annotations

from streams.bench.clean import GOLDEN_B, golden_scores


def test_golden_set_floors():
    """Paragraph recall >= 0.99, chrome leakage <= 0.5%, metadata accuracy >= 0.95 over >= 40 pages / 8 sites."""
    s = golden_scores()
    detail = "\n".join(s["failures"][:20])
    assert s["pages"] >= 40 and s["sites"] >= 8, (s["pages"], s["sites"])
    assert s["paragraph_recall"] >= 0.99, f"recall {s['paragraph_recall']:.4f}\n{detail}"
    assert s["chrome_leakage"] <= 0.005, f"leakage {s['chrome_leakage']:.4f}\n{detail}"
    assert s["metadata_accuracy"] >= 0.95, f"metadata {s['metadata_accuracy']:.4f}\n{detail}"


def test_golden_batch_b_floors():
    """Batch B (live blogs, galleries, bios, podcasts, syndication notes, kept corrections) meets the same floors."""
    s = golden_scores(GOLDEN_B)
    detail = "\n".join(s["failures"][:20])
    assert s["pages"] >= 16 and s["sites"] >= 4, (s["pages"], s["sites"])
    assert s["paragraph_recall"] >= 0.99, f"recall {s['paragraph_recall']:.4f}\n{detail}"
    assert s["chrome_leakage"] <= 0.005, f"leakage {s['chrome_leakage']:.4f}\n{detail}"
    assert s["metadata_accuracy"] >= 0.95, f"metadata {s['metadata_accuracy']:.4f}\n{detail}"
