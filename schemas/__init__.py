"""The published message contract: versioned JSON Schemas (draft 2020-12), one per message family.

``enriched.v1`` (an IPTC ninjs 2.2 object extended the IPTC way), ``duplicate.v1``,
``deadletter.v1``, ``raw-input.v1`` (the JSON input forms) and ``archive-record.v1``
(one line of a JSON Lines archive). The vendored ninjs 2.2 and GeoJSON schemas are
registered under their own ``$id`` so validation never touches the network.

>>> problems("deadletter.v1", {"schema": "wirestream.deadletter.v1"})[0]
"$: 'error' is a required property"
"""

from __future__ import annotations

import functools
import json
from importlib import resources
from typing import Any

import jsonschema_rs
from jsonschema import Draft202012Validator
from referencing import Registry, Resource

SCHEMA_NAMES = ("enriched.v1", "duplicate.v1", "deadletter.v1", "raw-input.v1", "archive-record.v1")
BASE_URI = "https://wirestream.dev/schemas/"
OFFICIAL_NINJS = "ninjs-2.2"
"""IPTC's own ninjs 2.2 schema (vendored verbatim), validated through the same registry as ours."""
_VENDORED = {OFFICIAL_NINJS: "vendor/ninjs-schema_2.2.json", "geojson": "vendor/GeoJSON-schema.json"}


class ContractError(ValueError):
    """A message does not match its published JSON Schema."""


def load(name: str) -> dict[str, Any]:
    """The parsed JSON Schema called ``name`` (for example ``enriched.v1``, or :data:`OFFICIAL_NINJS`)."""
    return _load_file(_VENDORED.get(name, f"{name}.json"))


@functools.cache
def _load_file(filename: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(resources.files(__name__).joinpath(filename).read_text("utf-8"))
    return data


def _all_docs() -> list[dict[str, Any]]:
    return [load(n) for n in SCHEMA_NAMES] + [_load_file(f) for f in _VENDORED.values()]


@functools.cache
def _registry() -> Registry:
    pairs = []
    for doc in _all_docs():
        uri = doc["$id"].rstrip("#")
        pairs.append((uri, Resource.from_contents(doc)))
        pairs.append((uri + "#", Resource.from_contents(doc)))
    registry: Registry = Registry().with_resources(pairs)
    return registry


@functools.cache
def _fast_validator(name: str) -> Any:
    registry = jsonschema_rs.Registry([(doc["$id"].rstrip("#"), doc) for doc in _all_docs()])
    return jsonschema_rs.validator_for(load(name), registry=registry, offline=True)


def is_valid(name: str, message: Any) -> bool:
    """Fast check on the publish path (jsonschema-rs, ~15 µs for an enriched article).

    Two independent implementations guard the contract: this one on every message the
    worker publishes, and :func:`problems` (the reference ``jsonschema``) for error
    detail and in the tests.
    """
    return bool(_fast_validator(name).is_valid(message))


@functools.cache
def validator(name: str) -> Draft202012Validator:
    """A compiled validator for schema ``name``, built once per process."""
    return Draft202012Validator(load(name), registry=_registry())


def problems(name: str, message: Any) -> list[str]:
    """Every way ``message`` breaks schema ``name``, as ``path: reason`` lines (empty if valid)."""
    found = []
    for err in sorted(validator(name).iter_errors(message), key=lambda e: list(map(str, e.absolute_path))):
        path = "$" + "".join(f"[{p!r}]" if isinstance(p, int) else f".{p}" for p in err.absolute_path)
        found.append(f"{path}: {err.message[:300]}")
    return found


def validate(name: str, message: Any) -> None:
    """Raise :class:`ContractError` listing every problem if ``message`` breaks schema ``name``."""
    found = problems(name, message)
    if found:
        raise ContractError(f"message breaks {name}: " + "; ".join(found[:10]))
