"""A real single-node KRaft Apache Kafka broker on loopback, assembled from Maven Central jars.

Used by the test suite, the demo and the benchmarks: there is no Docker engine on
the machines this project runs on, so the broker is started with plain ``java``.
The jars are resolved once with Maven and cached under ``WIRESTREAM_CACHE_DIR``
(default ``~/.cache/wirestream``), keyed by Kafka version.

Command line::

    python -m streams.localbroker start --data-dir /tmp/kafka   # prints bootstrap, waits
    python -m streams.localbroker fetch                         # only download the jars
"""

from __future__ import annotations

import argparse
import contextlib
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path

KAFKA_VERSION = "4.1.1"
LOG4J_VERSION = "2.24.3"
READY_TIMEOUT_S = 90.0

# Kafka's published POM lacks the SLF4J binding the release tarball adds; Kafka 4.0-4.2
# use slf4j-api 1.7.x, so the binding must be log4j-slf4j-impl (not the slf4j2 one).
_POM = f"""<?xml version="1.0" encoding="UTF-8"?>
<project xmlns="http://maven.apache.org/POM/4.0.0">
  <modelVersion>4.0.0</modelVersion>
  <groupId>wirestream</groupId><artifactId>local-kafka</artifactId><version>1</version>
  <packaging>pom</packaging>
  <dependencies>
    <dependency><groupId>org.apache.kafka</groupId><artifactId>kafka_2.13</artifactId><version>{KAFKA_VERSION}</version></dependency>
    <dependency><groupId>org.apache.logging.log4j</groupId><artifactId>log4j-slf4j-impl</artifactId><version>{LOG4J_VERSION}</version></dependency>
    <dependency><groupId>org.apache.logging.log4j</groupId><artifactId>log4j-core</artifactId><version>{LOG4J_VERSION}</version></dependency>
    <dependency><groupId>org.apache.logging.log4j</groupId><artifactId>log4j-api</artifactId><version>{LOG4J_VERSION}</version></dependency>
  </dependencies>
</project>
"""

_LOG4J = """status = warn
appender.out.type = Console
appender.out.name = OUT
appender.out.layout.type = PatternLayout
appender.out.layout.pattern = [%d] %p %m (%c)%n
rootLogger.level = WARN
rootLogger.appenderRef.out.ref = OUT
logger.raft.name = kafka.server.KafkaRaftServer
logger.raft.level = INFO
"""


class BrokerError(RuntimeError):
    """The local broker could not be fetched, formatted or started."""


def cache_dir() -> Path:
    """Where jars are cached (``WIRESTREAM_CACHE_DIR`` or ``~/.cache/wirestream``)."""
    root = os.environ.get("WIRESTREAM_CACHE_DIR") or str(Path.home() / ".cache" / "wirestream")
    return Path(root)


def fetch_jars() -> Path:
    """Resolve the broker's jars from Maven Central once; return the folder holding them."""
    libs = cache_dir() / f"kafka-{KAFKA_VERSION}" / "libs"
    marker = libs / ".complete"
    if marker.exists():
        return libs
    if shutil.which("mvn") is None or shutil.which("java") is None:
        raise BrokerError("the local broker needs 'java' (17+) and 'mvn' on PATH")
    libs.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as work:
        pom = Path(work) / "pom.xml"
        pom.write_text(_POM)
        cmd = [
            "mvn", "-B", "-q", "-f", str(pom),
            "org.apache.maven.plugins:maven-dependency-plugin:3.7.1:copy-dependencies",
            "-DincludeScope=runtime", f"-DoutputDirectory={libs}",
        ]
        done = subprocess.run(cmd, capture_output=True, text=True, check=False)
        if done.returncode != 0:
            raise BrokerError(f"maven could not fetch the Kafka jars:\n{done.stdout}\n{done.stderr}")
    marker.write_text(KAFKA_VERSION)
    return libs


def free_port() -> int:
    """A TCP port on loopback that is free right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass(frozen=True)
class SaslUsers:
    """SASL/PLAIN users the broker accepts on its client listener (user -> password)."""

    users: Mapping[str, str]
    admin_user: str = "admin"
    admin_password: str = "admin-secret"  # noqa: S105 - a throwaway local test broker's credential


@dataclass
class LocalBroker:
    """A running broker process; ``stop()`` ends it."""

    bootstrap: str
    data_dir: Path
    process: subprocess.Popen[bytes]
    log_path: Path
    broker_port: int
    controller_port: int
    sasl: SaslUsers | None = None
    _owns_dir: bool = field(default=False, repr=False)

    def log_tail(self, lines: int = 60) -> str:
        """The last lines of the broker's log, for failure messages."""
        try:
            return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return "(no broker log)"

    def stop(self, grace_s: float = 20.0) -> None:
        """SIGTERM, then SIGKILL after a grace period."""
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=grace_s)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=10)

    def kill(self) -> None:
        """SIGKILL the broker (fault injection)."""
        if self.process.poll() is None:
            self.process.kill()
            self.process.wait(timeout=10)

    def restart(self) -> None:
        """Start the broker again on the same ports and data (after stop or kill)."""
        self.stop()
        self.process = _launch(self.data_dir, fetch_jars(), self.log_path)
        _wait_ready(self)

    def cleanup(self) -> None:
        """Stop and remove the data folder if this object created it."""
        self.stop()
        if self._owns_dir:
            shutil.rmtree(self.data_dir, ignore_errors=True)


def _properties(data_dir: Path, broker_port: int, controller_port: int, sasl: SaslUsers | None) -> str:
    client_proto = "SASL_PLAINTEXT" if sasl else "PLAINTEXT"
    lines = [
        "process.roles=broker,controller",
        "node.id=1",
        f"controller.quorum.bootstrap.servers=127.0.0.1:{controller_port}",
        f"listeners=CLIENT://127.0.0.1:{broker_port},CONTROLLER://127.0.0.1:{controller_port}",
        f"advertised.listeners=CLIENT://127.0.0.1:{broker_port},CONTROLLER://127.0.0.1:{controller_port}",
        "inter.broker.listener.name=CLIENT",
        "controller.listener.names=CONTROLLER",
        f"listener.security.protocol.map=CONTROLLER:PLAINTEXT,CLIENT:{client_proto}",
        f"log.dirs={data_dir / 'logs'}",
        "num.partitions=4",
        "offsets.topic.replication.factor=1",
        "offsets.topic.num.partitions=1",
        "transaction.state.log.replication.factor=1",
        "transaction.state.log.min.isr=1",
        "transaction.state.log.num.partitions=1",
        "share.coordinator.state.topic.replication.factor=1",
        "share.coordinator.state.topic.min.isr=1",
        "group.initial.rebalance.delay.ms=0",
        "auto.create.topics.enable=false",
    ]
    if sasl:
        users = " ".join(f'user_{u}="{p}"' for u, p in {sasl.admin_user: sasl.admin_password, **sasl.users}.items())
        lines += [
            "sasl.enabled.mechanisms=PLAIN",
            "sasl.mechanism.inter.broker.protocol=PLAIN",
            "listener.name.client.plain.sasl.jaas.config="
            "org.apache.kafka.common.security.plain.PlainLoginModule required "
            f'username="{sasl.admin_user}" password="{sasl.admin_password}" {users};',
        ]
    return "\n".join(lines) + "\n"


def _java(libs: Path, log4j: Path, *args: str, heap: bool = False) -> list[str]:
    cmd = ["java"]
    if heap:
        cmd += ["-Xms256m", "-Xmx512m"]
    return [*cmd, f"-Dlog4j2.configurationFile=file:{log4j}", "-cp", f"{libs}/*", *args]


def _launch(data_dir: Path, libs: Path, log_path: Path) -> subprocess.Popen[bytes]:
    log = log_path.open("ab")
    try:
        return subprocess.Popen(
            _java(libs, data_dir / "log4j2.properties", "kafka.Kafka", str(data_dir / "server.properties"), heap=True),
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    finally:
        log.close()


def _wait_ready(broker: LocalBroker, timeout_s: float = READY_TIMEOUT_S) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if broker.process.poll() is not None:
            raise BrokerError(f"broker exited with code {broker.process.returncode}:\n{broker.log_tail()}")
        if "Kafka Server started" in broker.log_path.read_text(errors="replace"):
            with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", broker.broker_port), timeout=1):
                return
        time.sleep(0.25)
    broker.kill()
    raise BrokerError(f"broker not ready after {timeout_s:.0f}s:\n{broker.log_tail()}")


def start_broker(data_dir: Path | None = None, sasl: SaslUsers | None = None) -> LocalBroker:
    """Fetch jars if needed, format storage and start a broker on free loopback ports."""
    libs = fetch_jars()
    owns = data_dir is None
    data_dir = Path(tempfile.mkdtemp(prefix="wirestream-kafka-")) if data_dir is None else data_dir
    data_dir.mkdir(parents=True, exist_ok=True)
    broker_port, controller_port = free_port(), free_port()
    (data_dir / "server.properties").write_text(_properties(data_dir, broker_port, controller_port, sasl))
    log4j = data_dir / "log4j2.properties"
    log4j.write_text(_LOG4J)
    cluster_id = subprocess.run(
        _java(libs, log4j, "kafka.tools.StorageTool", "random-uuid"), capture_output=True, text=True, check=True
    ).stdout.strip()
    fmt = subprocess.run(
        _java(libs, log4j, "kafka.tools.StorageTool", "format", "--standalone", "-t", cluster_id,
              "-c", str(data_dir / "server.properties"), "--ignore-formatted"),
        capture_output=True, text=True, check=False,
    )
    if fmt.returncode != 0:
        raise BrokerError(f"could not format broker storage:\n{fmt.stdout}\n{fmt.stderr}")
    log_path = data_dir / "broker.log"
    broker = LocalBroker(
        bootstrap=f"127.0.0.1:{broker_port}",
        data_dir=data_dir,
        process=_launch(data_dir, libs, log_path),
        log_path=log_path,
        broker_port=broker_port,
        controller_port=controller_port,
        sasl=sasl,
        _owns_dir=owns,
    )
    _wait_ready(broker)
    return broker


@contextlib.contextmanager
def running_broker(sasl: SaslUsers | None = None) -> Iterator[str]:
    """Yield a bootstrap address: ``WIRESTREAM_KAFKA_BOOTSTRAP`` if set, else a fresh local broker."""
    existing = os.environ.get("WIRESTREAM_KAFKA_BOOTSTRAP")
    if existing and sasl is None:
        yield existing
        return
    broker = start_broker(sasl=sasl)
    try:
        yield broker.bootstrap
    finally:
        broker.cleanup()


def main(argv: list[str] | None = None) -> int:
    """Entry point: ``fetch`` the jars, or ``start`` a broker and keep it running."""
    parser = argparse.ArgumentParser(prog="python -m streams.localbroker", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("action", choices=["fetch", "start"])
    parser.add_argument("--data-dir", type=Path, default=None)
    parser.add_argument("--bootstrap-file", type=Path, default=None, help="write the bootstrap address here")
    args = parser.parse_args(argv)
    if args.action == "fetch":
        print(fetch_jars())
        return 0
    broker = start_broker(args.data_dir)
    if args.bootstrap_file:
        args.bootstrap_file.write_text(broker.bootstrap)
    print(broker.bootstrap, flush=True)

    def _stop(*_: object) -> None:
        broker.stop()
        sys.exit(0)

    signal.signal(signal.SIGTERM, _stop)
    signal.signal(signal.SIGINT, _stop)
    broker.process.wait()
    return broker.process.returncode or 0


if __name__ == "__main__":
    sys.exit(main())
