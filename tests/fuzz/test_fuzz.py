"""Runs the atheris fuzz target for a bounded time (CI); skipped only where atheris cannot be installed."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import orjson
import pytest

HERE = Path(__file__).resolve().parent
SEEDS = [
    orjson.dumps({"uri": "urn:newsml:example.com:1", "headline": "Bridge reopens",
                  "versioncreated": "2024-06-01T10:00Z",
                  "body_html": "<p>PARIS (Reuters) - The bridge <b>reopened</b> on Tuesday.</p><script>x()</script>"}),
    orjson.dumps({"id": 7, "title": "Budget", "body": "The council approved the budget.\n\nIt passed 7-2.",
                  "published": "2024-13-45", "source": "desk"}),
    b"<!doctype html><html><head><title>T</title></head><body><article><h1>T</h1><p>Para one is here.</p>"
    b"<p onclick=x>Two</p></article></body></html>",
    b"Plain page text.\n\nSecond paragraph with \xe2\x80\xae bidi and \x00 NUL.",
    b'{"a": [[[[[[[[[[1]]]]]]]]]]}',
]


def test_fuzz_pipeline_bounded(tmp_path: Path) -> None:
    """The fuzz target runs ~20 s (plus seeds) without a finding."""
    pytest.importorskip("atheris")
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    for n, seed in enumerate(SEEDS):
        (corpus / f"seed{n}").write_bytes(b"\x00" + seed)
    done = subprocess.run([sys.executable, str(HERE / "fuzz_pipeline.py"), "-max_total_time=20", "-max_len=65536",
                           "-rss_limit_mb=2048", f"-artifact_prefix={tmp_path}/", str(corpus)],
                          capture_output=True, text=True, timeout=240, cwd=HERE.parents[1])
    tail = (done.stdout + done.stderr)[-4000:]
    assert done.returncode == 0, f"fuzzing found a failure (exit {done.returncode}):\n{tail}"
    assert "Done" in tail or "DONE" in tail, f"fuzzer did not finish its run:\n{tail}"
