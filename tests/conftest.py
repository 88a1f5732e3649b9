"""Session fixtures: one real Kafka broker per test session, started by the project's own script.

``WIRESTREAM_TEST_BROKER=host:port`` points the integration tiers at an existing
broker instead. If the local broker cannot start, integration tests ERROR (they
never skip): CI must not pass without exercising Kafka.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from streams.localbroker import LocalBroker, start_broker
from streams.settings import Settings
from tests.support import unique_settings


@pytest.fixture(scope="session")
def local_broker() -> Iterator[LocalBroker | None]:
    """The session's broker process (None when WIRESTREAM_TEST_BROKER names an external one)."""
    if os.environ.get("WIRESTREAM_TEST_BROKER"):
        yield None
        return
    broker = start_broker()
    try:
        yield broker
    finally:
        broker.cleanup()


@pytest.fixture(scope="session")
def bootstrap(local_broker: LocalBroker | None) -> str:
    """host:port of the session's broker."""
    return os.environ.get("WIRESTREAM_TEST_BROKER") or (local_broker.bootstrap if local_broker else "")


@pytest.fixture
def settings(bootstrap: str, tmp_path: Path) -> Settings:
    """Settings with unique topics and app id for one test."""
    return unique_settings(bootstrap, tmp_path / "data")
