"""Strictness stays declared and enforced: mypy --strict over the packages (config in pyproject.toml)."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]


def test_packages_type_check_strict() -> None:
    """`mypy` (strict, packages listed in pyproject.toml) reports no errors."""
    if shutil.which("mypy", path=str(Path(sys.executable).parent)) is None:
        pytest.fail("mypy is not installed: it is in the test extras (pip install -e .[test])")
    done = subprocess.run([sys.executable, "-m", "mypy"], cwd=REPO, capture_output=True, text=True, timeout=600,
                          check=False)
    assert done.returncode == 0, f"mypy found problems:\n{done.stdout[-4000:]}{done.stderr[-2000:]}"
