"""Proof against the real thing: Debian's Prometheus scrapes a live worker fed with articles.

``promtool`` checks deploy/prometheus; then every PromQL expression of the Grafana
dashboard and every alert rule is evaluated by a real Prometheus against a real
worker, and the throughput, verdict and latency panels must return data. Installs
Debian's ``prometheus`` package when the binaries are missing (CI runs as root).
"""

from __future__ import annotations

import asyncio
import json
import math
import os
import shutil
import subprocess
import time
import urllib.parse
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

from streams.localbroker import free_port
from streams.settings import Settings
from tests.integration.ops_feed import feed
from tests.support import REPO, WorkerProcess, create_topics, produce

pytestmark = [pytest.mark.integration, pytest.mark.slow]

DEPLOY = REPO / "deploy"
RULES = DEPLOY / "prometheus" / "wirestream-alerts.yml"
DASHBOARD = DEPLOY / "grafana" / "dashboards" / "wirestream.json"
# Grafana's $__rate_interval is at least four scrape intervals; Prometheus does not know the macro.
RATE_WINDOW = "30s"
SCRAPE_S = 1


def ensure_debian_package(package: str, *binaries: str) -> str:
    """Install ``package`` with apt when none of ``binaries`` is on PATH; returns the first one found.

    ``apt-get update`` runs only when the install fails without it (a fresh image has
    no package lists), so several tests needing packages update at most once.
    """
    if found := next((shutil.which(b) for b in binaries if shutil.which(b)), None):
        return found
    if os.geteuid() != 0:
        pytest.fail(f"none of {binaries} found and not root: run `apt-get install -y {package}`")
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    install = ["apt-get", "install", "-y", "-q", package]
    if subprocess.run(install, env=env, capture_output=True, timeout=1200).returncode != 0:
        subprocess.run(["apt-get", "update", "-q"], check=True, env=env, capture_output=True, timeout=600)
        done = subprocess.run(install, env=env, capture_output=True, text=True, timeout=1200)
        assert done.returncode == 0, f"apt-get install {package} failed:\n{done.stderr[-2000:]}"
    found = next((shutil.which(b) for b in binaries if shutil.which(b)), None)
    assert found, f"apt-get install {package} did not provide any of {binaries}"
    return found


@pytest.fixture(scope="module")
def prometheus_binaries() -> None:
    """promtool and prometheus on PATH."""
    ensure_debian_package("prometheus", "prometheus")
    assert shutil.which("promtool"), "Debian's prometheus package ships promtool"


def test_promtool_accepts_config_and_rules(prometheus_binaries: None) -> None:
    """promtool checks the config and rules, and the rules' unit tests fire (and stay quiet) as written."""
    for args in (["check", "config", str(DEPLOY / "prometheus" / "prometheus.yml")], ["check", "rules", str(RULES)],
                 ["test", "rules", str(DEPLOY / "prometheus" / "wirestream-alerts.test.yml")]):
        done = subprocess.run(["promtool", *args], capture_output=True, text=True, timeout=60)
        assert done.returncode == 0, f"promtool {' '.join(args)}:\n{done.stdout}\n{done.stderr}"


def _get_json(url: str, timeout: float = 10.0) -> Any:
    with urllib.request.urlopen(url, timeout=timeout) as resp:
        return json.loads(resp.read())


class Prometheus:
    """A real Prometheus process on a free loopback port, scraping one worker every second."""

    def __init__(self, workdir: Path, target: str) -> None:
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        config = {
            "global": {"scrape_interval": f"{SCRAPE_S}s", "evaluation_interval": f"{SCRAPE_S}s"},
            "rule_files": [str(RULES)],
            # The same job name as deploy/prometheus/prometheus.yml: the rules select job="wirestream".
            "scrape_configs": [{"job_name": "wirestream", "static_configs": [{"targets": [target]}]}],
        }
        workdir.mkdir(parents=True, exist_ok=True)
        self.config_path = workdir / "prometheus.yml"
        self.config_path.write_text(yaml.safe_dump(config))
        self.log_path = workdir / "prometheus.log"
        self.workdir = workdir
        self.proc: subprocess.Popen[bytes] | None = None

    def start(self) -> Prometheus:
        with self.log_path.open("wb") as log:
            self.proc = subprocess.Popen(
                ["prometheus", f"--config.file={self.config_path}", f"--storage.tsdb.path={self.workdir / 'tsdb'}",
                 f"--web.listen-address=127.0.0.1:{self.port}", "--log.level=warn"],
                stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            assert self.proc.poll() is None, f"prometheus exited:\n{self.log_path.read_text()[-3000:]}"
            try:
                with urllib.request.urlopen(self.base + "/-/ready", timeout=2) as resp:
                    if resp.status == 200:
                        return self
            except OSError:
                pass
            time.sleep(0.3)
        raise AssertionError(f"prometheus not ready:\n{self.log_path.read_text()[-3000:]}")

    def query(self, expr: str) -> dict[str, Any]:
        """An instant query; returns Prometheus' JSON answer (status, data or error)."""
        url = self.base + "/api/v1/query?" + urllib.parse.urlencode({"query": expr})
        try:
            return _get_json(url)  # type: ignore[no-any-return]
        except urllib.error.HTTPError as err:  # 400/422 carry the error as JSON
            return json.loads(err.read())  # type: ignore[no-any-return]

    def query_range(self, expr: str, seconds: int) -> dict[str, Any]:
        """A range query over the last ``seconds``, as Grafana's time series panels issue."""
        end = time.time()
        url = self.base + "/api/v1/query_range?" + urllib.parse.urlencode(
            {"query": expr, "start": end - seconds, "end": end, "step": SCRAPE_S * 2})
        try:
            return _get_json(url)  # type: ignore[no-any-return]
        except urllib.error.HTTPError as err:
            return json.loads(err.read())  # type: ignore[no-any-return]

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=10)


@pytest.fixture
def live_worker(settings: Settings, tmp_path: Path) -> Iterator[WorkerProcess]:
    """A real worker process, ready."""
    create_topics(settings)
    worker = WorkerProcess(settings, tmp_path / "worker.log").start()
    try:
        worker.wait_ready()
        yield worker
    finally:
        worker.stop()


def _wait(predicate: Any, timeout_s: float, what: str) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.5)
    raise AssertionError(f"timed out waiting for {what}")


def _panels() -> list[tuple[str, str, str]]:
    """(panel title, role or '', expr) for every dashboard query."""
    dashboard = json.loads(DASHBOARD.read_text())
    out = []
    for panel in dashboard["panels"]:
        role = ""
        if "(role: " in panel.get("description", ""):
            role = panel["description"].split("(role: ")[1].rstrip(").")
        for target in panel.get("targets", []):
            out.append((panel["title"], role, target["expr"].replace("$__rate_interval", RATE_WINDOW)))
    return out


def _values(answer: dict[str, Any]) -> list[float]:
    result = answer["data"]["result"]
    if answer["data"]["resultType"] == "vector":
        return [float(r["value"][1]) for r in result]
    return [float(v[1]) for r in result for v in r["values"]]


def test_dashboard_and_rules_evaluate_against_a_live_worker(prometheus_binaries: None, settings: Settings,
                                                            live_worker: WorkerProcess, tmp_path: Path) -> None:
    """Every dashboard query and alert rule evaluates; throughput, verdict and latency panels have data."""
    prom = Prometheus(tmp_path / "prometheus", f"127.0.0.1:{settings.web_port}").start()
    try:
        _wait(lambda: [float(v) for v in _values(prom.query('up{job="wirestream"}'))] == [1.0], 30,
              "Prometheus to scrape the worker")
        records, _ = feed(40, seed=61)
        # Two waves a few scrapes apart, so counters rise between samples and rates are non-zero.
        asyncio.run(produce(settings, settings.topics.raw, records[:20]))
        time.sleep(4)
        asyncio.run(produce(settings, settings.topics.raw, records[20:]))
        _wait(lambda: json.loads(live_worker.get("/healthz")[1])["processed"] >= len(records), 60,
              f"the worker to publish {len(records)} outputs:\n{live_worker.log_tail()}")
        time.sleep(3 * SCRAPE_S + 1)  # the last increments are scraped

        print(f"\n{'series':>6}  {'role':<10} query  (panel)")
        failures, empty = [], []
        for title, role, expr in _panels():
            answer = prom.query(expr)
            if answer.get("status") != "success":
                failures.append(f"{title}: {expr}: {answer.get('error')}")
                continue
            ranged = prom.query_range(expr, 60)
            if ranged.get("status") != "success":
                failures.append(f"{title} (range): {expr}: {ranged.get('error')}")
            values = [v for v in _values(answer) if not math.isnan(v)]
            print(f"{len(answer['data']['result']):>6}  {role or '-':<10} {expr}  ({title})")
            if role and not any(v > 0 for v in values):
                empty.append(f"{title} [{role}]: {expr} -> {answer['data']['result']}")
        assert not failures, "queries that Prometheus rejects:\n" + "\n".join(failures)
        assert not empty, "panels that must show data after a feed but returned none:\n" + "\n".join(empty)

        rules = [r for g in yaml.safe_load(RULES.read_text())["groups"] for r in g["rules"]]
        print(f"\n{'series':>6}  alert rule")
        for rule in rules:
            answer = prom.query(rule["expr"])
            assert answer.get("status") == "success", f"{rule['alert']}: {answer.get('error')}"
            print(f"{len(answer['data']['result']):>6}  {rule['alert']}")
        # Prometheus' own rule manager evaluated them too: each group ran without an error.
        loaded = _get_json(prom.base + "/api/v1/rules")["data"]["groups"]
        states = {r["name"]: (r["health"], r.get("lastError", "")) for g in loaded for r in g["rules"]}
        assert set(states) == {r["alert"] for r in rules}, f"rules loaded: {sorted(states)}"
        bad = {name: state for name, state in states.items() if state[0] != "ok"}
        assert not bad, f"rules unhealthy in Prometheus: {bad}"
        firing = [a["labels"]["alertname"] for a in _get_json(prom.base + "/api/v1/alerts")["data"]["alerts"]
                  if a["state"] == "firing"]
        assert not firing, f"alerts firing on a healthy worker: {firing}"
    finally:
        prom.stop()
