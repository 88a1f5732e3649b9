"""The flat package names resolve to this repository, not to same-named PyPI distributions."""

from __future__ import annotations

import importlib
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize("name", ["agents", "schemas", "streams"])
def test_package_resolves_to_this_repository(name: str) -> None:
    """`agents` must not be the OpenAI Agents SDK, nor `schemas` another distribution."""
    module = importlib.import_module(name)
    origin = Path(module.__file__ or "").resolve()
    assert origin.is_relative_to(REPO), f"{name} imported from {origin}, not from {REPO}"


def test_stage_modules_do_not_import_kafka() -> None:
    """Pure stages stay Kafka-free: no faust/aiokafka imports anywhere under agents/."""
    offenders = []
    for path in (REPO / "agents").rglob("*.py"):
        text = path.read_text()
        for bad in ("import faust", "from faust", "import aiokafka", "from aiokafka", "prometheus_client"):
            if bad in text:
                offenders.append(f"{path.relative_to(REPO)}: {bad}")
    assert not offenders, f"stage modules import Kafka/metrics: {offenders}"


def test_console_script_is_declared() -> None:
    """`wirestream` is installed as a console script pointing at streams.__main__:main."""
    from importlib.metadata import entry_points

    scripts = {ep.name: ep.value for ep in entry_points(group="console_scripts")}
    assert scripts.get("wirestream") == "streams.__main__:main", scripts.get("wirestream")
