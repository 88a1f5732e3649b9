"""deploy/ is checked like code: schemas, settings keys, wiring between the files.

Kubernetes objects are validated against Kubernetes' own JSON schemas (shipped
offline by ``kubernetes-validate``), after rendering each overlay with a small
kustomize subset (resources, namespace, replicas, images, strategic-merge patches
by kind and name): no kustomize binary is available here. The ServiceMonitor is a
CRD without a bundled schema, so it gets structural checks. Compose files are
validated against the upstream compose-spec schema (vendored by
``check-jsonschema``). The Dockerfile cannot be built here (no Docker engine), so
its structure is linted with ``dockerfile-parse``.
"""

from __future__ import annotations

import copy
import importlib.resources
import json
import re
from pathlib import Path
from typing import Any

import jsonschema
import kubernetes_validate
import pytest
import yaml
from dockerfile_parse import DockerfileParser
from prometheus_client import CollectorRegistry

from streams.metrics import Metrics
from streams.settings import Secret, Settings, env_var_names

REPO = Path(__file__).resolve().parents[2]
DEPLOY = REPO / "deploy"
K8S = DEPLOY / "k8s"
K8S_VERSION = "1.33.0"
SETTING_NAMES = {name for name, _, _ in env_var_names()}
SECRET_SETTINGS = {name for name, kind, _ in env_var_names() if kind == Secret.__name__}


# ---------------------------------------------------------------- kustomize subset

def _load_yaml_docs(path: Path) -> list[dict[str, Any]]:
    return [d for d in yaml.safe_load_all(path.read_text()) if d]


def _merge(base: Any, patch: Any) -> Any:
    """Strategic merge, as far as these manifests need: maps merge, lists of named maps merge by name."""
    if isinstance(base, dict) and isinstance(patch, dict):
        out = dict(base)
        for key, value in patch.items():
            out[key] = _merge(base[key], value) if key in base else copy.deepcopy(value)
        return out
    if (isinstance(base, list) and isinstance(patch, list) and base and patch
            and all(isinstance(x, dict) and ("name" in x or "name" in x.get("metadata", {})) for x in base + patch)):
        def name(x: dict[str, Any]) -> str:
            return x.get("name") or x["metadata"]["name"]
        out_list = [copy.deepcopy(x) for x in base]
        for item in patch:
            hit = next((i for i, x in enumerate(out_list) if name(x) == name(item)), None)
            if hit is None:
                out_list.append(copy.deepcopy(item))
            else:
                out_list[hit] = _merge(out_list[hit], item)
        return out_list
    return copy.deepcopy(patch)


def render(directory: Path) -> list[dict[str, Any]]:
    """The objects ``kustomize build directory`` would emit, for the features used in deploy/k8s."""
    spec = yaml.safe_load((directory / "kustomization.yaml").read_text())
    known = {"apiVersion", "kind", "resources", "namespace", "replicas", "images", "patches", "labels"}
    assert set(spec) <= known, f"{directory}: kustomize features the test cannot render: {set(spec) - known}"
    objects: list[dict[str, Any]] = []
    for res in spec.get("resources", []):
        target = (directory / res).resolve()
        objects += render(target) if target.is_dir() else _load_yaml_docs(target)
    for entry in spec.get("labels", []):
        for obj in objects:
            obj.setdefault("metadata", {}).setdefault("labels", {}).update(entry["pairs"])
    for patch_ref in spec.get("patches", []):
        patch = yaml.safe_load((directory / patch_ref["path"]).read_text())
        hits = [i for i, o in enumerate(objects)
                if o["kind"] == patch["kind"] and o["metadata"]["name"] == patch["metadata"]["name"]]
        assert len(hits) == 1, f"{directory}: patch {patch_ref['path']} matches {len(hits)} objects"
        objects[hits[0]] = _merge(objects[hits[0]], patch)
    for rep in spec.get("replicas", []):
        hits = [o for o in objects if o["metadata"]["name"] == rep["name"] and "replicas" in o.get("spec", {})]
        assert hits, f"{directory}: replicas entry {rep['name']} matches nothing"
        for obj in hits:
            obj["spec"]["replicas"] = rep["count"]
    for image in spec.get("images", []):
        for obj in objects:
            for c in obj.get("spec", {}).get("template", {}).get("spec", {}).get("containers", []):
                if c["image"].split(":")[0] == image["name"]:
                    c["image"] = f"{image.get('newName', image['name'])}:{image.get('newTag', 'latest')}"
    if "namespace" in spec:
        for obj in objects:
            obj["metadata"]["namespace"] = spec["namespace"]
    return objects


VARIANTS = {"base": K8S / "base", **{f"overlay-{p.name}": p for p in sorted((K8S / "overlays").iterdir())}}


@pytest.fixture(scope="module", params=sorted(VARIANTS))
def rendered(request: pytest.FixtureRequest) -> tuple[str, list[dict[str, Any]]]:
    return request.param, render(VARIANTS[request.param])


def _one(objects: list[dict[str, Any]], kind: str, name: str | None = None) -> dict[str, Any]:
    hits = [o for o in objects if o["kind"] == kind and (name is None or o["metadata"]["name"] == name)]
    assert len(hits) == 1, f"expected one {kind} {name or ''}, found {len(hits)}"
    return hits[0]


# ---------------------------------------------------------------- kubernetes

def test_overlays_exist() -> None:
    """There is a base and at least a dev and a prod overlay."""
    assert {"base", "overlay-dev", "overlay-prod"} <= set(VARIANTS), sorted(VARIANTS)


def test_k8s_objects_validate_against_kubernetes_schemas(rendered: tuple[str, list[dict[str, Any]]]) -> None:
    """Every built-in object of every variant validates (strict: unknown fields are errors)."""
    variant, objects = rendered
    checked = 0
    for obj in objects:
        if obj["apiVersion"].startswith("monitoring.coreos.com/"):
            continue  # a CRD: structural checks below
        try:
            kubernetes_validate.validate(obj, K8S_VERSION, strict=True)
        except kubernetes_validate.ValidationError as exc:
            raise AssertionError(f"{variant}: {obj['kind']}/{obj['metadata']['name']}: {exc.message} "
                                 f"at {list(exc.path)}") from None
        checked += 1
    assert checked >= 6, f"{variant}: only {checked} objects validated"


def test_configmap_and_secret_keys_are_real_settings(rendered: tuple[str, list[dict[str, Any]]]) -> None:
    """Every ConfigMap/Secret key is a WIRESTREAM_* setting, secrets hold the Secret-typed ones, and they parse."""
    variant, objects = rendered
    config = _one(objects, "ConfigMap", "wirestream-config")["data"]
    secret = _one(objects, "Secret", "wirestream-secrets")["stringData"]
    unknown = sorted(set(config) - SETTING_NAMES) + sorted(set(secret) - SETTING_NAMES)
    assert not unknown, f"{variant}: keys that are not settings: {unknown}"
    leaked = sorted(set(config) & SECRET_SETTINGS)
    assert not leaked, f"{variant}: secret settings in a ConfigMap: {leaked}"
    assert SECRET_SETTINGS <= set(secret), f"{variant}: secret settings missing from the Secret"
    settings = Settings.from_env({**config, **secret})  # raises SettingsError on a bad value
    assert settings.web_host == "0.0.0.0", f"{variant}: the web server must listen beyond loopback in a pod"


def test_statefulset_state_probes_and_resources(rendered: tuple[str, list[dict[str, Any]]]) -> None:
    """The worker keeps state on a claim mounted at the data dir, probes /healthz and /readyz, and is bounded."""
    variant, objects = rendered
    sts = _one(objects, "StatefulSet", "wirestream")
    config = _one(objects, "ConfigMap", "wirestream-config")["data"]
    pod = sts["spec"]["template"]["spec"]
    (container,) = pod["containers"]
    claims = {c["metadata"]["name"] for c in sts["spec"]["volumeClaimTemplates"]}
    mounts = {m["mountPath"]: m["name"] for m in container["volumeMounts"]}
    assert mounts.get(config["WIRESTREAM_DATA_DIR"]) in claims, \
        f"{variant}: {config['WIRESTREAM_DATA_DIR']} is not on a volumeClaimTemplate ({mounts}, {claims})"
    ports = {p["name"]: p["containerPort"] for p in container["ports"]}
    assert ports.get("web") == int(config["WIRESTREAM_WEB_PORT"]), f"{variant}: container port {ports}"
    assert container["livenessProbe"]["httpGet"]["path"] == "/healthz"
    assert container["startupProbe"]["httpGet"]["path"] == "/healthz"
    assert container["readinessProbe"]["httpGet"]["path"] == "/readyz"
    for kind in ("requests", "limits"):
        assert {"cpu", "memory"} <= set(container["resources"][kind]), f"{variant}: resources.{kind}"
    assert pod["securityContext"]["runAsNonRoot"] is True and pod["securityContext"]["runAsUser"] != 0
    refs = {next(iter(e.values()))["name"] for e in container["envFrom"]}
    assert refs == {"wirestream-config", "wirestream-secrets"}, f"{variant}: envFrom {refs}"
    for env in container.get("env", []):
        assert env["name"] in SETTING_NAMES, f"{variant}: env {env['name']} is not a setting"
    assert sts["spec"]["serviceName"] in {o["metadata"]["name"] for o in objects if o["kind"] == "Service"}


def test_service_monitor_scrapes_the_worker_service(rendered: tuple[str, list[dict[str, Any]]]) -> None:
    """The ServiceMonitor (CRD, checked structurally) selects exactly the metrics Service, on its web port."""
    variant, objects = rendered
    monitor = _one(objects, "ServiceMonitor")
    assert monitor["apiVersion"] == "monitoring.coreos.com/v1"
    spec = monitor["spec"]
    assert set(spec) <= {"jobLabel", "selector", "endpoints", "namespaceSelector"}, sorted(spec)
    wanted = spec["selector"]["matchLabels"]
    selected = [o for o in objects if o["kind"] == "Service"
                and all(o["metadata"].get("labels", {}).get(k) == v for k, v in wanted.items())]
    assert [s["metadata"]["name"] for s in selected] == ["wirestream"], f"{variant}: selects {selected}"
    service_ports = {p["name"] for p in selected[0]["spec"]["ports"]}
    for endpoint in spec["endpoints"]:
        assert set(endpoint) <= {"port", "path", "interval", "scrapeTimeout"}, sorted(endpoint)
        assert endpoint["port"] in service_ports and endpoint["path"] == "/metrics"
        assert re.fullmatch(r"\d+[smh]", endpoint["interval"]), endpoint["interval"]
    # The job label must come out as "wirestream": the alert rules select job="wirestream".
    assert selected[0]["metadata"]["labels"][spec["jobLabel"]] == "wirestream"


def test_prod_overlay_changes_what_it_says() -> None:
    """The prod overlay really patches replicas, image, security protocol and resources."""
    prod = render(K8S / "overlays" / "prod")
    sts = _one(prod, "StatefulSet", "wirestream")
    assert sts["spec"]["replicas"] == 3
    assert sts["spec"]["template"]["spec"]["containers"][0]["image"] == "registry.example.com/wirestream:0.1.0"
    assert _one(prod, "ConfigMap")["data"]["WIRESTREAM_SECURITY_PROTOCOL"] == "SASL_SSL"
    assert all(o["metadata"].get("namespace") == "wirestream" for o in prod)
    # The patch replaced only resources: probes from the base survive the merge.
    assert sts["spec"]["template"]["spec"]["containers"][0]["readinessProbe"]["httpGet"]["path"] == "/readyz"


# ---------------------------------------------------------------- compose

def _compose_schema() -> dict[str, Any]:
    ref = importlib.resources.files("check_jsonschema") / "builtin_schemas" / "vendor" / "compose-spec.json"
    return json.loads(ref.read_text())


def test_compose_file_validates_against_compose_spec() -> None:
    """deploy/compose/compose.yaml validates against the upstream compose-spec schema."""
    data = yaml.safe_load((DEPLOY / "compose" / "compose.yaml").read_text())
    schema = _compose_schema()
    # The schema names draft-07 by an https URL jsonschema does not recognise: say it explicitly.
    assert "draft-07" in schema["$schema"], schema["$schema"]
    errors = sorted(jsonschema.Draft7Validator(schema).iter_errors(data), key=lambda e: list(e.path))
    assert not errors, "\n".join(f"{list(e.path)}: {e.message}" for e in errors[:10])


def test_compose_wiring() -> None:
    """KRaft Kafka, the worker built from deploy/docker, Prometheus and Grafana with the repo's config."""
    compose_dir = DEPLOY / "compose"
    data = yaml.safe_load((compose_dir / "compose.yaml").read_text())
    services = data["services"]
    assert {"kafka", "worker", "prometheus", "grafana"} <= set(services), sorted(services)
    kafka_env = services["kafka"]["environment"]
    assert "controller" in kafka_env["KAFKA_PROCESS_ROLES"] and "KAFKA_CONTROLLER_QUORUM_VOTERS" in kafka_env
    assert "ZOOKEEPER" not in json.dumps(kafka_env).upper()
    worker = services["worker"]
    assert (compose_dir / worker["build"]["context"] / worker["build"]["dockerfile"]).is_file()
    assert worker["depends_on"]["kafka"]["condition"] == "service_healthy"
    env = dict(line.split("=", 1) for line in (compose_dir / "worker.env").read_text().splitlines()
               if line and not line.startswith("#"))
    assert set(env) <= SETTING_NAMES, f"worker.env keys that are not settings: {sorted(set(env) - SETTING_NAMES)}"
    settings = Settings.from_env(env)
    assert settings.kafka_bootstrap == services["kafka"]["environment"]["KAFKA_ADVERTISED_LISTENERS"].split("//")[1]
    prom = yaml.safe_load((DEPLOY / "prometheus" / "prometheus.yml").read_text())
    target = prom["scrape_configs"][0]["static_configs"][0]["targets"][0]
    assert target == f"worker:{settings.web_port}", f"Prometheus scrapes {target}"
    for name in ("prometheus", "grafana"):
        for volume in services[name]["volumes"]:
            source = volume.split(":")[0]
            if source.startswith("."):
                assert (compose_dir / source).exists(), f"{name} mounts missing {source}"
    mounts = {v.split(":")[1] for v in services["grafana"]["volumes"]}
    provider = yaml.safe_load((DEPLOY / "grafana" / "provisioning" / "dashboards" / "wirestream.yml").read_text())
    assert provider["providers"][0]["options"]["path"] in mounts, "Grafana provider path is not mounted"
    assert "${GRAFANA_ADMIN_PASSWORD" in services["grafana"]["environment"]["GF_SECURITY_ADMIN_PASSWORD"], \
        "the Grafana admin password must come from the environment, not the file"


# ---------------------------------------------------------------- docker

def test_dockerfile_is_multistage_nonroot_and_healthchecked() -> None:
    """Two stages, the final one copies from the build stage, runs as a numeric non-root user, checks /healthz."""
    parser = DockerfileParser(path=str(DEPLOY / "docker" / "Dockerfile"))
    instructions = parser.structure
    froms = [i for i in instructions if i["instruction"] == "FROM"]
    assert len(froms) >= 2, "multi-stage: a build stage and a slim runtime stage"
    stage_names = [f["value"].split()[-1] for f in froms if " AS " in f["value"].upper()]
    final_start = instructions.index(froms[-1])
    final = instructions[final_start:]
    copies = [i["value"] for i in final if i["instruction"] == "COPY"]
    assert any(c.startswith("--from=") and c.split()[0].split("=")[1] in stage_names for c in copies), copies
    users = [i["value"] for i in final if i["instruction"] == "USER"]
    assert users, "the runtime stage sets USER"
    uid = users[-1].split(":")[0]
    assert uid.isdigit() and int(uid) != 0, f"USER {users[-1]}: numeric and non-root (k8s runAsNonRoot needs numbers)"
    health = [i["value"] for i in final if i["instruction"] == "HEALTHCHECK"]
    assert health and "/healthz" in health[0], health
    assert not any(i["instruction"] == "ADD" for i in instructions), "ADD fetches/extracts implicitly: use COPY"
    assert "latest" not in " ".join(f["value"] for f in froms) + parser.args.get("PYTHON_IMAGE", "")
    exposed = [i["value"] for i in final if i["instruction"] == "EXPOSE"]
    env = parser.envs
    assert exposed == [env["WIRESTREAM_WEB_PORT"]], (exposed, env.get("WIRESTREAM_WEB_PORT"))
    wirestream_env = {k: v for k, v in env.items() if k.startswith("WIRESTREAM_")}
    assert set(wirestream_env) <= SETTING_NAMES, sorted(set(wirestream_env) - SETTING_NAMES)
    assert Settings.from_env(wirestream_env).web_host == "0.0.0.0"
    entry = [i["value"] for i in final if i["instruction"] == "ENTRYPOINT"]
    assert entry and json.loads(entry[0]) == ["wirestream"], "exec-form ENTRYPOINT so SIGTERM reaches the worker"
    ignore = (DEPLOY / "docker" / "Dockerfile.dockerignore").read_text()
    assert ignore.splitlines()[2:3] == ["**"] or "**" in ignore.splitlines(), "the build context is allow-listed"


def test_k8s_runs_the_image_user() -> None:
    """The pod's runAsUser matches the image's USER (a mismatch breaks volume permissions)."""
    parser = DockerfileParser(path=str(DEPLOY / "docker" / "Dockerfile"))
    user = [i["value"] for i in parser.structure if i["instruction"] == "USER"][-1].split(":")[0]
    sts = _one(render(K8S / "base"), "StatefulSet")
    assert str(sts["spec"]["template"]["spec"]["securityContext"]["runAsUser"]) == user


# ---------------------------------------------------------------- prometheus and grafana

def _declared_metric_names() -> set[str]:
    registry = CollectorRegistry()
    Metrics.create(registry)
    names: set[str] = set()
    for family in registry.collect():
        names.add(family.name)
        suffixes = {"counter": ("_total", "_created"), "histogram": ("_bucket", "_sum", "_count", "_created"),
                    "info": ("_info",), "gauge": ("",)}[family.type]
        names |= {family.name + s for s in suffixes}
    return names


_METRIC_REF = re.compile(r"\b(wirestream_[a-z0-9_]+)")


def _dashboard() -> dict[str, Any]:
    return json.loads((DEPLOY / "grafana" / "dashboards" / "wirestream.json").read_text())


def _dashboard_exprs() -> list[str]:
    return [t["expr"] for p in _dashboard()["panels"] for t in p.get("targets", [])]


def _rules() -> list[dict[str, Any]]:
    data = yaml.safe_load((DEPLOY / "prometheus" / "wirestream-alerts.yml").read_text())
    return [r for g in data["groups"] for r in g["rules"]]


def test_dashboard_json_is_generated_from_its_script() -> None:
    """The committed dashboard equals what deploy/grafana/build_dashboard.py writes."""
    import importlib.util

    spec = importlib.util.spec_from_file_location("build_dashboard", DEPLOY / "grafana" / "build_dashboard.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    committed = (DEPLOY / "grafana" / "dashboards" / "wirestream.json").read_text()
    assert module.render() == committed, "run: python deploy/grafana/build_dashboard.py"


def test_dashboard_and_rules_use_only_declared_metrics() -> None:
    """Every wirestream_* name in the dashboard and the alert rules is declared in streams/metrics.py."""
    declared = _declared_metric_names()
    used = {m for e in _dashboard_exprs() + [r["expr"] for r in _rules()] for m in _METRIC_REF.findall(e)}
    assert used, "no metric referenced at all"
    assert used <= declared, f"undeclared metrics: {sorted(used - declared)}"


def test_dashboard_covers_every_metric() -> None:
    """Every metric family the worker declares has at least one dashboard panel."""
    registry = CollectorRegistry()
    Metrics.create(registry)
    families = {f.name for f in registry.collect()}
    text = "\n".join(_dashboard_exprs())
    missing = sorted(f for f in families if f not in text)
    assert not missing, f"metrics without a panel: {missing}"


def test_dashboard_datasource_is_the_provisioned_one() -> None:
    """Panels point at the datasource uid that Grafana provisioning creates."""
    provisioned = yaml.safe_load((DEPLOY / "grafana" / "provisioning" / "datasources" / "prometheus.yml").read_text())
    uid = provisioned["datasources"][0]["uid"]
    dashboard = _dashboard()
    for panel in dashboard["panels"]:
        if panel["type"] != "row":
            assert panel["datasource"]["uid"] == uid, panel["title"]
    ids = [p["id"] for p in dashboard["panels"]]
    assert len(ids) == len(set(ids)), "panel ids must be unique"


def test_alert_rules_cover_the_operational_failures() -> None:
    """Lag growing, dead-letter rate, stalled processing, p99 latency and worker down all have a rule."""
    rules = {r["alert"]: r for r in _rules()}
    wanted = {"WirestreamConsumerLagGrowing": "wirestream_consumer_lag_records",
              "WirestreamDeadLetterRateHigh": 'verdict="dead_letter"',
              "WirestreamNotProcessing": "wirestream_topic_end_offset",
              "WirestreamEndToEndLatencyHigh": "histogram_quantile(0.99",
              "WirestreamWorkerDown": 'up{job="wirestream"}'}
    for alert, needle in wanted.items():
        assert alert in rules, f"missing alert {alert}"
        assert needle in rules[alert]["expr"], f"{alert}: expected {needle!r} in {rules[alert]['expr']!r}"
    for rule in rules.values():
        assert rule.get("for") and rule["labels"]["severity"] in {"warning", "critical"}, rule["alert"]
        assert rule["annotations"]["summary"], rule["alert"]


def test_prometheus_config_loads_the_rules() -> None:
    """prometheus.yml names the rules file next to it and scrapes job "wirestream"."""
    config = yaml.safe_load((DEPLOY / "prometheus" / "prometheus.yml").read_text())
    for rule_file in config["rule_files"]:
        assert (DEPLOY / "prometheus" / rule_file).is_file(), rule_file
    assert [j["job_name"] for j in config["scrape_configs"]] == ["wirestream"]
