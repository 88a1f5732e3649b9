"""Security: SASL/PLAIN through settings against a SASL broker; bad credentials fail fast and clearly;
secrets never logged; no pickle or unsafe YAML in the project; Faust codecs are raw bytes."""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest

from streams.kafka_config import client_kwargs
from streams.localbroker import LocalBroker, SaslUsers, start_broker
from streams.settings import KafkaSecurity, Secret, Settings
from tests.integration.test_faults import collect, feed, origin_of, records
from tests.support import REPO, WorkerProcess, create_topics, unique_settings

PASSWORD = "s3cret-Zq9-never-logged"
FAIL_FAST_S = 90.0


@pytest.fixture(scope="module")
def sasl_broker(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LocalBroker]:
    """A broker whose client listener requires SASL/PLAIN (user wirestream)."""
    broker = start_broker(tmp_path_factory.mktemp("sasl-kafka"), sasl=SaslUsers({"wirestream": PASSWORD}))
    try:
        yield broker
    finally:
        broker.cleanup()


def sasl_settings(broker: LocalBroker, tmp_path: Path, password: str = PASSWORD) -> Settings:
    """Unique settings carrying SASL_PLAINTEXT/PLAIN credentials."""
    security = KafkaSecurity(protocol="SASL_PLAINTEXT", sasl_mechanism="PLAIN", sasl_username="wirestream",
                             sasl_password=Secret(password))
    return unique_settings(broker.bootstrap, tmp_path / "data", security=security)


def wait_exit(worker: WorkerProcess, timeout_s: float) -> int | None:
    """The worker's exit code, or None if it is still running after the timeout."""
    assert worker.proc is not None
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if (code := worker.proc.poll()) is not None:
            return code
        time.sleep(0.5)
    return None


@pytest.mark.integration
@pytest.mark.slow
def test_worker_with_credentials_processes_records(sasl_broker: LocalBroker, tmp_path: Path) -> None:
    """A worker given SASL credentials (password from a *_FILE) connects, processes and logs no secret."""
    settings = sasl_settings(sasl_broker, tmp_path)
    create_topics(settings)
    inputs = feed(settings, records(range(40)))
    secret_file = tmp_path / "kafka-password"
    secret_file.write_text(PASSWORD + "\n")
    no_password = replace(settings, security=replace(settings.security, sasl_password=Secret("")))
    worker = WorkerProcess(no_password, tmp_path / "worker.log",
                           extra_env={"WIRESTREAM_SECURITY_SASL_PASSWORD_FILE": str(secret_file)}).start()
    try:
        worker.wait_ready()
        got = collect(settings, inputs, timeout_s=90)
        assert {origin_of(c) for c in got} >= set(inputs), f"not every record processed:\n{worker.log_tail()}"
        for path in ("/metrics", "/healthz", "/readyz"):
            _, body = worker.get(path)
            assert PASSWORD.encode() not in body, f"{path} shows the password"
    finally:
        worker.stop()
    log = worker.log_path.read_text(errors="replace")
    assert PASSWORD not in log, "the password appears in the worker log"


@pytest.mark.integration
@pytest.mark.slow
@pytest.mark.parametrize("case", ["wrong_password", "no_credentials"])
def test_worker_without_valid_credentials_fails_clearly(sasl_broker: LocalBroker, tmp_path: Path,
                                                        case: str) -> None:
    """Wrong or missing credentials: the worker exits non-zero soon with a clear message (no hang, no secret)."""
    settings = sasl_settings(sasl_broker, tmp_path, password="wrong-" + PASSWORD)
    if case == "no_credentials":
        settings = replace(settings, security=KafkaSecurity())
    worker = WorkerProcess(settings, tmp_path / "worker.log").start()
    try:
        code = wait_exit(worker, FAIL_FAST_S)
    finally:
        worker.kill()
    log = worker.log_path.read_text(errors="replace")
    assert code is not None, f"worker still running {FAIL_FAST_S:.0f}s after start with {case}:\n{worker.log_tail()}"
    assert code != 0, f"worker exited 0 with {case}"
    clear = {"wrong_password": r"wirestream worker: cannot connect to Kafka .*authentication failed",
             "no_credentials": r"wirestream worker: cannot connect to Kafka .*WIRESTREAM_SECURITY_PROTOCOL"}[case]
    assert re.search(clear, log), f"unclear failure message:\n{log[-2000:]}"
    assert PASSWORD not in log, "a password appears in the worker log"


@pytest.mark.integration
def test_sasl_client_kwargs_reach_the_broker(sasl_broker: LocalBroker, tmp_path: Path) -> None:
    """The admin client built from settings authenticates (topics get created)."""
    settings = sasl_settings(sasl_broker, tmp_path)
    assert client_kwargs(settings)["security_protocol"] == "SASL_PLAINTEXT"
    create_topics(settings)


# ---------------------------------------------------------------- static checks (no broker)

_SOURCES = [p for d in ("agents", "streams", "schemas") for p in (REPO / d).rglob("*.py")]
_UNSAFE = re.compile(r"\bimport\s+(?:c?pickle|shelve|marshal|dill)\b|\bfrom\s+(?:c?pickle|shelve|marshal|dill)\b|"
                     r"\byaml\.(?:load|unsafe_load|full_load)\s*\(|\bpickle\.loads?\b|\beval\s*\(|\bexec\s*\(")


def test_no_pickle_or_unsafe_yaml_in_project_source() -> None:
    """No pickle/shelve/marshal, unsafe YAML loading, eval or exec anywhere in the packages."""
    assert len(_SOURCES) > 20, "source discovery found too few files"
    hits = [f"{p.relative_to(REPO)}:{n}: {line.strip()}" for p in _SOURCES
            for n, line in enumerate(p.read_text(errors="replace").splitlines(), 1) if _UNSAFE.search(line)]
    assert not hits, "unsafe deserialisation in project source:\n" + "\n".join(hits)


def test_faust_codecs_are_raw(tmp_path: Path) -> None:
    """Topics are raw bytes; table keys are JSON strings, values raw bytes: Faust's pickle codecs never in play."""
    from prometheus_client import CollectorRegistry

    from streams.metrics import Metrics
    from streams.topology import build_app

    settings = replace(Settings(), data_dir=tmp_path, store="memory")
    runtime = build_app(settings, Metrics.create(CollectorRegistry(), version="test"))
    app = runtime.app
    assert (app.conf.key_serializer, app.conf.value_serializer) == ("raw", "raw")
    for name, table in runtime.tables.items():
        topic = table.changelog_topic
        codecs = (table.key_serializer, table.value_serializer, topic.key_serializer, topic.value_serializer)
        assert codecs == ("json", "raw", "json", "raw"), f"table {name}: codecs {codecs}"
    for agent in app.agents.values():
        channel = agent.channel
        assert (channel.key_serializer, channel.value_serializer) == ("raw", "raw"), agent.name
