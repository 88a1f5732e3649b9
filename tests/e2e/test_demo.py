"""The main job: `wirestream demo` runs broker + worker + sample feed and prints a truthful summary."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]

pytestmark = pytest.mark.integration


def test_demo_accounts_for_every_record_and_shows_the_cleaned_seed(bootstrap: str) -> None:
    """17 records in, 17 out; the seed comes out without chrome, with one caption, byline and dateline."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("WIRESTREAM_")}
    env["WIRESTREAM_KAFKA_BOOTSTRAP"] = bootstrap
    # Unique names: the session broker is shared with other tests.
    tag = str(os.getpid())
    env.update({"WIRESTREAM_APP_ID": f"demo{tag}", "WIRESTREAM_TOPICS_RAW": f"demo{tag}.raw",
                "WIRESTREAM_TOPICS_ENRICHED": f"demo{tag}.enriched",
                "WIRESTREAM_TOPICS_DUPLICATES": f"demo{tag}.duplicates", "WIRESTREAM_TOPICS_DLQ": f"demo{tag}.dlq"})
    done = subprocess.run([sys.executable, "-m", "streams", "demo"], cwd=REPO, env=env, capture_output=True,
                          text=True, timeout=600, check=False)
    out = done.stdout
    assert done.returncode == 0, f"demo failed ({done.returncode}):\n{out[-3000:]}\n{done.stderr[-3000:]}"
    assert re.search(r"records fed to \S+: 17; outputs read back: 17\n", out), out
    seed = out[out.index("the seed article, cleaned:"):]
    assert "by       : Katya Golubkova" in seed and "dateline: Moscow (Reuters)" in seed, seed
    assert seed.count("picture  :") == 1 and "FILE PHOTO: Belarus President Alexander Lukashenko visits Russia" in seed
    assert "wirestream_verdicts_total{" in out and "/metrics  (HTTP 200)" in out
    for code in ("invalid_json", "unknown_shape", "empty_payload", "not_utf8", "no_body"):
        assert code in out, f"dead-letter reason {code} missing from the summary"
