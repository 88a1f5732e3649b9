"""The contract's validator against IPTC's own material: the official ninjs 2.2 schema, IPTC's
validation suite, and the way IPTC documents extending ninjs."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

import schemas

NINJS_SPECS = Path(__file__).resolve().parents[3] / "shared" / "specs" / "ninjs"
SUITE = NINJS_SPECS / "test_suite"
VENDOR = Path(schemas.__file__).parent / "vendor"


def _cases(kind: str) -> list[Path]:
    return sorted(SUITE.glob(f"2.*/{kind}/*.json"))


@pytest.mark.parametrize(("vendored", "official"), [("ninjs-schema_2.2.json", "ninjs-schema_2.2.json"),
                                                     ("GeoJSON-schema.json", "GeoJSON-schema.json")])
def test_vendored_schema_is_the_official_file(vendored: str, official: str) -> None:
    """The vendored ninjs 2.2 and GeoJSON schemas are byte for byte IPTC's files (never edited)."""
    assert (VENDOR / vendored).read_bytes() == (NINJS_SPECS / official).read_bytes(), (
        f"schemas/vendor/{vendored} differs from ../shared/specs/ninjs/{official}")


def test_the_suite_is_there() -> None:
    """IPTC's 2.1 and 2.2 should_pass / should_fail cases are found (a glob that finds nothing would pass)."""
    assert len(_cases("should_pass")) >= 10, _cases("should_pass")
    assert len(_cases("should_fail")) >= 4, _cases("should_fail")


@pytest.mark.parametrize("case", _cases("should_pass"), ids=lambda p: f"{p.parts[-3]}/{p.name}")
def test_iptc_should_pass(case: Path) -> None:
    """Every IPTC should_pass case validates in both of our validators (publish path and reference)."""
    doc = json.loads(case.read_bytes())
    assert schemas.problems(schemas.OFFICIAL_NINJS, doc) == [], f"{case.name} must pass"
    assert schemas.is_valid(schemas.OFFICIAL_NINJS, doc), f"{case.name}: fast validator disagrees"


@pytest.mark.parametrize("case", _cases("should_fail"), ids=lambda p: f"{p.parts[-3]}/{p.name}")
def test_iptc_should_fail(case: Path) -> None:
    """Every IPTC should_fail case is rejected by both validators."""
    doc = json.loads(case.read_bytes())
    assert schemas.problems(schemas.OFFICIAL_NINJS, doc), f"{case.name} must fail"
    assert not schemas.is_valid(schemas.OFFICIAL_NINJS, doc), f"{case.name}: fast validator accepts it"


def test_enriched_schema_is_an_iptc_style_extension() -> None:
    """enriched.v1 builds on the official ninjsType (allOf) and adds exactly one property, the
    pipeline's ``wirestream`` object; every other top-level name is a ninjs 2.2 name."""
    enriched = schemas.load("enriched.v1")
    official = schemas.load(schemas.OFFICIAL_NINJS)
    assert enriched["allOf"] == [{"$ref": official["$id"].rstrip("#") + "#/$defs/ninjsType"}]
    assert enriched["unevaluatedProperties"] is False
    ninjs_names = set(official["$defs"]["ninjsType"]["properties"])
    added = set(enriched["properties"]) - ninjs_names
    assert added == {"wirestream"}, f"properties beyond ninjs 2.2: {sorted(added)}"


def _seed_message() -> dict[str, Any]:
    from agents.model import RawRecord
    from agents.pipeline import Pipeline
    from streams.settings import Settings

    seed = next((NINJS_SPECS.parents[1] / "seeds").glob("*.txt"))
    pipeline = Pipeline(Settings(), boilerplate_store={}, story_store={}, clock=lambda: 1_700_000_000.0)
    output = pipeline.run(RawRecord(seed.read_bytes(), headers=(("content-type", b"text/plain"),)))
    assert output.role == "enriched", output.value
    return output.value


def test_enriched_message_names_its_schema_and_is_official_ninjs() -> None:
    """A published article names the extension schema in ``standard`` and, without the extension
    property, is a valid ninjs 2.2 object by IPTC's schema alone."""
    message = _seed_message()
    assert message["standard"] == {"name": "ninjs", "version": "2.2",
                                   "schema": schemas.load("enriched.v1")["$id"]}
    assert schemas.problems("enriched.v1", message) == []
    plain = {k: v for k, v in message.items() if k != "wirestream"}
    assert schemas.problems(schemas.OFFICIAL_NINJS, plain) == []


def test_every_error_code_is_in_the_dead_letter_contract() -> None:
    """The dead-letter schema's code enum lists exactly the codes the stages can raise."""
    from agents.errors import ERROR_CODES

    enum = schemas.load("deadletter.v1")["properties"]["error"]["properties"]["code"]["enum"]
    assert sorted(enum) == sorted(ERROR_CODES), f"schema vs agents/errors.py: {set(enum) ^ set(ERROR_CODES)}"
