"""Hostile input: whatever arrives, Pipeline.run returns one schema-valid Output and never raises.

Payload families (10,000 generated payloads in total per run, split below): arbitrary
bytes, wrong JSON shapes, deep nesting, huge fields (up to 200,000 chars), invalid
UTF-8, NUL/control, zero-width and bidi-override characters, HTML with scripts,
iframes, event handlers and ``javascript:`` links, unparseable and absurd dates.
No markup or script may survive into headline, body or entity names.
"""

from __future__ import annotations

import re
from typing import Any

import orjson
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import schemas
from agents.model import RawRecord
from agents.outcome import Output
from agents.pipeline import Pipeline
from streams.settings import Settings

_SCHEMA_OF = {"enriched": "enriched.v1", "duplicates": "duplicate.v1", "dlq": "deadletter.v1"}
_SETTINGS = dict(deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow,
                                                                       HealthCheck.data_too_large])

# Markup that must never reach a text field: tags of active/structural elements, event-handler
# attributes inside a tag, and javascript: URLs.
# A tag opens with "<" or "</" directly followed by its name, and the name ends at white space, "/" or
# ">" (the HTML tokenizer's rules): "<(<\n\nA story" and "<i§" are text, not markup.
_TAG = re.compile(r"</?(?:script|iframe|style|object|embed|svg|img|a|form|input|body|html|meta|link|base|"
                  r"frame|frameset|p|div|span|b|i)(?=[\s/>])", re.I)
_HANDLER = re.compile(r"<[a-z][^>]{0,200}\bon[a-z]{2,20}\s*=", re.I)
_JS_URL = re.compile(r"javascript\s*:", re.I)

_base: Pipeline | None = None
# Markup found in text fields, collected by check() and asserted by test_no_markup_survives (last in the
# module), so that the never-raises / one-output / schema properties are asserted on every payload regardless.
MARKUP_FOUND: list[str] = []
CHECKED = [0]


def pipeline() -> Pipeline:
    """A pipeline with fresh dict state per payload (deterministic examples), sharing the loaded enricher."""
    global _base
    if _base is None:
        _base = Pipeline(Settings(), boilerplate_store={}, story_store={})
    return Pipeline(Settings(), boilerplate_store={}, story_store={}, enricher=_base.enricher)


def text_fields(output: Output) -> list[tuple[str, str]]:
    """(name, text) of every field a reader sees as text: headline, body, entity and place names."""
    v = output.value
    if output.role == "enriched":
        fields = [("headline", h["value"]) for h in v.get("headlines", [])]
        fields += [("body", b["value"]) for b in v.get("bodies", [])]
        for group in ("people", "organisations", "places"):
            fields += [(group, e["name"]) for e in v.get(group, [])]
        fields += [("entity", e["name"]) for e in v.get("wirestream", {}).get("entities", {}).get("people", [])]
        fields += [("keyword", k) for k in v.get("wirestream", {}).get("keywords", [])]
        return fields
    if output.role == "duplicates":
        return [("headline", v.get("headline") or "")]
    return []


def check(value: bytes, headers: tuple[tuple[str, bytes], ...] = ()) -> Output:
    """Run one payload and assert the contract; returns the output."""
    record = RawRecord(value=value, key=b"k", headers=headers, topic="wire.raw", partition=0, offset=1)
    try:
        output = pipeline().run(record)
    except Exception as exc:  # the assertion message carries the payload head
        raise AssertionError(f"Pipeline.run raised {exc!r} on {value[:200]!r}") from exc
    assert isinstance(output, Output), f"expected one Output, got {type(output).__name__}"
    problems = schemas.problems(_SCHEMA_OF[output.role], output.value)
    assert not problems, f"{output.role} output breaks its schema: {problems[:3]} for {value[:200]!r}"
    orjson.dumps(output.value)  # must be JSON-encodable as published
    if output.role == "dlq":
        assert output.value["error"]["code"] != "internal", \
            f"internal error (a bug) on {value[:200]!r}: {output.value['error']['message']}"
    CHECKED[0] += 1
    for name, text in text_fields(output):
        assert "\x00" not in text, f"NUL survived in {name}"
        for pattern in (_TAG, _HANDLER, _JS_URL):
            if found := pattern.search(text):
                MARKUP_FOUND.append(f"{name}: {text[max(found.start() - 30, 0):found.end() + 30]!r} "
                                    f"(input {value[:80]!r})")
    return output


# ---------------------------------------------------------------- building blocks

ZERO_WIDTH_BIDI = ["\u200b", "\u200c", "\u200d", "\u2060", "\ufeff", "\u202e", "\u202d", "\u2066", "\u2067",
                   "\u2069", "\u061c", "\u200e", "\u200f"]
CONTROL = [chr(c) for c in range(0, 32)] + ["\x7f", "\x85", "\u2028", "\u2029"]
HOSTILE_HTML = [
    "<script>alert(1)</script>", "<SCRIPT SRC=//evil.example/x.js></SCRIPT>", "<iframe src='//evil.example'></iframe>",
    "<img src=x onerror=alert(1)>", "<a href=\"javascript:alert(1)\">click here</a>", "<svg onload=alert(1)>",
    "<body onload=alert(1)>", "<div onclick='steal()'>Tap</div>", "<style>body{display:none}</style>",
    "<object data='x.swf'></object>", "<embed src=x>", "<scr<script>ipt>alert(1)</script>",
    "<a href='JaVaScRiPt:alert(1)'>x</a>", "<iframe srcdoc='<script>alert(1)</script>'>", "<!-- <script> -->",
    "<math><mi xlink:href='javascript:alert(1)'>x</mi></math>", "<p style='x:expression(alert(1))'>y</p>",
    "<form action=javascript:alert(1)><input type=submit></form>", "<meta http-equiv=refresh content='0;url=x'>",
    "&lt;script&gt;alert(1)&lt;/script&gt;", "<![CDATA[<script>x</script>]]>",
    "<base href=javascript:/>",
]
SENTENCE = st.lists(st.sampled_from(
    "the council said on Tuesday that river traffic would resume after the bridge inspection was completed "
    "by engineers from Lyon and Berlin while ministers in Paris met union leaders".split()), min_size=8,
    max_size=40).map(lambda ws: " ".join(ws).capitalize() + ".")
NOISE = st.one_of(st.sampled_from(ZERO_WIDTH_BIDI + CONTROL + HOSTILE_HTML), st.text(max_size=30))


@st.composite
def hostile_text(draw: Any, min_paras: int = 1, max_paras: int = 6) -> str:
    """Plausible sentences with hostile fragments spliced in at random places."""
    paras = []
    for _ in range(draw(st.integers(min_paras, max_paras))):
        parts = draw(st.lists(st.one_of(SENTENCE, NOISE), min_size=1, max_size=8))
        paras.append(" ".join(parts))
    return "\n\n".join(paras)


@st.composite
def hostile_html(draw: Any) -> str:
    """An HTML page whose article paragraphs carry hostile markup."""
    paras = draw(st.lists(hostile_text(1, 1), min_size=1, max_size=6))
    extra = draw(st.lists(st.sampled_from(HOSTILE_HTML), max_size=6))
    title = draw(st.one_of(SENTENCE, hostile_text(1, 1)))
    body = "".join(f"<p>{p}</p>{e}" for p, e in zip(paras, extra + [""] * len(paras), strict=False))
    return (f"<!doctype html><html><head><title>{title}</title>{''.join(extra)}</head><body><nav><a href='/'>Home</a>"
            f"</nav><article><h1 onclick='x()'>{title}</h1>{body}</article><footer>(c) Example</footer></body></html>")


DATES = st.one_of(
    st.text(max_size=40), st.integers(-(2**63), 2**63 - 1), st.floats(allow_nan=True), st.none(), st.booleans(),
    st.sampled_from(["0000-00-00", "9999-12-31T23:59:59Z", "-0001-01-01", "2024-02-30T10:00:00Z", "2024-13-01",
                     "1066-10-14T09:00:00+00:00", "2200-01-01T00:00:00+25:00", "yesterday", "2024-06-01T10:00:00",
                     "2024-06-01T10:00:00+05:45", "\u0662\u0660\u0662\u0664-01-01", "2024-06-01T10:00:00Z" * 10,
                     "1e308", "NaN", "2024-W01-1"]),
)
_SCALARS = (st.none() | st.booleans() | st.integers(-(2**63), 2**63 - 1) | st.floats(allow_nan=False)
            | st.text(max_size=20))
JSON = st.recursive(_SCALARS,
                    lambda children: st.lists(children, max_size=5) | st.dictionaries(st.text(max_size=10), children,
                                                                                      max_size=5), max_leaves=25)
NINJS_KEYS = ["uri", "headline", "headlines", "body_text", "body_html", "bodies", "versioncreated", "firstcreated",
              "pubstatus", "version", "by", "located", "language", "embargoed", "altids", "infosources", "ednote",
              "slugline", "copyrightholder", "signals"]
GENERIC_KEYS = ["id", "title", "body", "html", "text", "url", "source", "author", "published", "updated", "language",
                "agency"]


# ---------------------------------------------------------------- properties (10,000 examples in total)


@settings(max_examples=2000, **_SETTINGS)
@given(st.binary(max_size=3000))
def test_arbitrary_bytes(value: bytes) -> None:
    """Arbitrary bytes (mostly invalid UTF-8 and junk) never raise and always yield a valid output."""
    check(value)


@settings(max_examples=500, **_SETTINGS)
@given(st.binary(max_size=2000), st.sampled_from([b"application/json", b"text/html", b"text/plain", b"image/png"]))
def test_arbitrary_bytes_with_declared_type(value: bytes, ctype: bytes) -> None:
    """A content-type header that lies about the bytes changes nothing about the contract."""
    check(value, (("content-type", ctype),))


@settings(max_examples=1500, **_SETTINGS)
@given(JSON)
def test_wrong_json_shapes(obj: Any) -> None:
    """Any JSON value (arrays, scalars, objects of junk) is handled."""
    check(orjson.dumps(obj))


@settings(max_examples=1500, **_SETTINGS)
@given(st.dictionaries(st.sampled_from(NINJS_KEYS + GENERIC_KEYS), JSON, max_size=12), st.booleans())
def test_known_keys_with_wrong_types(obj: dict[str, Any], ninjs: bool) -> None:
    """Known ninjs / generic keys holding values of the wrong type are rejected cleanly or tolerated."""
    obj = {**obj, "uri": "urn:x:y:1", "headline": "H"} if ninjs else {**obj, "id": obj.get("id", 1)}
    check(orjson.dumps(obj))


@settings(max_examples=1800, **_SETTINGS)
@given(hostile_text(), hostile_text(1, 1), st.sampled_from(["ninjs_text", "ninjs_html", "generic_text",
                                                            "generic_html"]), DATES, DATES)
def test_hostile_text_in_feed_objects(body: str, headline: str, form: str, created: Any, updated: Any) -> None:
    """Scripts, handlers, javascript: links, control, zero-width and bidi characters never reach text fields."""
    if form.startswith("ninjs"):
        key = "body_text" if form == "ninjs_text" else "body_html"
        obj = {"uri": "urn:newsml:example.com:1", "headline": headline, key: body, "firstcreated": created,
               "versioncreated": updated, "embargoed": updated, "by": headline[:50]}
    else:
        key = "body" if form == "generic_text" else "html"
        obj = {"id": "x1", "title": headline, key: body, "published": created, "updated": updated,
               "author": headline[:60], "url": "javascript:alert(1)"}
    check(orjson.dumps(obj))


@settings(max_examples=1200, **_SETTINGS)
@given(hostile_html())
def test_hostile_html_pages(page: str) -> None:
    """Raw HTML pages with scripts, iframes and handlers come out as plain text or a dead letter."""
    check(page.encode("utf-8", "surrogatepass"), (("content-type", b"text/html"), ("source", b"evil")))


@settings(max_examples=600, **_SETTINGS)
@given(hostile_text(), st.sampled_from([b"text/plain", b""]))
def test_hostile_plain_text_pages(text: str, ctype: bytes) -> None:
    """Scraped page text that contains markup is still cleaned of it."""
    check(text.encode("utf-8", "surrogatepass"), (("content-type", ctype),) if ctype else ())


@settings(max_examples=500, **_SETTINGS)
@given(DATES, DATES, DATES)
def test_unparseable_and_absurd_dates(first: Any, version: Any, embargo: Any) -> None:
    """Garbled or absurd timestamps never fail the record; outputs carry only valid ISO dates."""
    obj = {"uri": "urn:newsml:example.com:d", "headline": "Dates", "firstcreated": first, "versioncreated": version,
           "embargoed": embargo, "body_text": "The council met on Tuesday to approve the budget for the bridge."}
    check(orjson.dumps(obj))


@settings(max_examples=200, **_SETTINGS)
@given(st.integers(1, 5000), st.sampled_from(["[", "{\"a\":", "{\"body\":"]))
def test_deep_nesting(depth: int, opener: str) -> None:
    """JSON nested thousands deep is rejected (too_deep / invalid_json), never a RecursionError."""
    closer = {"[": "]", "{\"a\":": "}", "{\"body\":": "}"}[opener]
    check((opener * depth + "1" + closer * depth).encode())


@settings(max_examples=200, **_SETTINGS)
@given(st.sampled_from([1_000, 20_000, 200_000]), st.sampled_from(["a", "word ", "<b>x</b>", "\u202e", "ü", "\x00"]),
       st.sampled_from(["body_text", "body_html", "headline"]))
def test_huge_fields(size: int, unit: str, field: str) -> None:
    """Fields up to 200,000 characters of repeated text, markup or control characters are handled."""
    filler = (unit * (size // len(unit) + 1))[:size]
    obj = {"uri": "urn:newsml:example.com:big", "headline": "Big", "body_text": "The council met on Tuesday."}
    obj[field] = filler
    check(orjson.dumps(obj))


def test_invalid_utf8_inside_json() -> None:
    """Invalid UTF-8 bytes inside an otherwise valid JSON object dead-letter with not_utf8."""
    out = check(b'{"id": 1, "body": "caf\xe9 \xff\xfe", "title": "x"}')
    assert out.role == "dlq" and out.value["error"]["code"] == "not_utf8", out.value
    assert out.value["payload"]["encoding"] == "base64", "undecodable bytes are kept verbatim as base64"


def test_oversized_payload_is_rejected_by_limit() -> None:
    """A payload over max_payload_bytes is dead-lettered as payload_too_large without being parsed."""
    big = b'{"id": 1, "body": "' + b"a" * (Settings().max_payload_bytes + 10) + b'"}'
    out = check(big)
    assert out.value["error"]["code"] == "payload_too_large"


def test_unclosed_tag_in_a_headline_is_dropped() -> None:
    """A tag opened and never closed ("K<p ..." to the end, found by the generator) leaves no markup."""
    out = check('{"id": "x1", "title": "\\u001c K\\u0007<p \u00aa\u00d7 W H^% 0", "body": "Rates held."}'.encode())
    headline = out.value["headlines"][0]["value"]
    assert not _TAG.search(headline), headline
    assert headline.startswith("K"), headline


def test_no_markup_survives() -> None:
    """No tag, event handler or javascript: URL survived into a headline, body or entity name (all payloads above)."""
    if CHECKED[0] < 1000:
        pytest.skip("run with the whole module: this asserts over the payloads the property tests generated")
    assert not MARKUP_FOUND, f"markup survived in {len(MARKUP_FOUND)} of {CHECKED[0]} outputs, e.g.:\n" + \
        "\n".join(MARKUP_FOUND[:8])


def test_record_budget_dead_letters_slow_records() -> None:
    """A record whose processing exceeds record_budget_s goes to the dead-letter topic with code timeout."""
    base = pipeline()
    tiny = Pipeline(Settings(record_budget_s=1e-9), boilerplate_store={}, story_store={}, enricher=base.enricher)
    body = "The council met on Tuesday to approve the budget. " * 40
    value = orjson.dumps({"id": 1, "title": "Bridge", "body": body})
    out = tiny.run(RawRecord(value=value, topic="wire.raw", partition=2, offset=9))
    assert out.role == "dlq", f"expected a dead letter, got {out.role}"
    assert out.value["error"]["code"] == "timeout" and "budget" in out.value["error"]["message"], out.value["error"]
    assert out.value["source"]["offset"] == 9 and orjson.loads(out.value["payload"]["value"])["id"] == 1
    assert not schemas.problems("deadletter.v1", out.value)
    normal = Pipeline(Settings(), boilerplate_store={}, story_store={}, enricher=base.enricher).run(
        RawRecord(value=value, topic="wire.raw", partition=2, offset=9))
    assert normal.role == "enriched", "the same record within the default budget is published"
