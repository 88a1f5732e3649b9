"""Unit tests of the publish stage (agents/publish.py): lineage, headers with trace ids, feed subjects."""

from __future__ import annotations

import re

import pytest

import schemas
from agents.dedupe import Deduper
from agents.errors import WirestreamError
from agents.model import (
    CleanedArticle,
    Enrichment,
    FeedSubject,
    Origin,
    Prepared,
    RuleHit,
    Subject,
    Verdict,
    WireItem,
)
from agents.outcome import (
    HEADER_CONTENT_TYPE,
    HEADER_REPLAY_ID,
    HEADER_SCHEMA,
    HEADER_SCHEMA_ID,
    HEADER_TRACE_ID,
    Output,
)
from agents.publish import dead_letter, duplicate, enriched, trace_id
from streams.settings import DedupSettings

NOW = "2026-11-28T06:00:00+00:00"
PARAS = (
    "SANTIAGO (Reuters) - A magnitude 6.8 earthquake struck off the coast of northern Chile on Tuesday, killing two "
    "people in the port city of Antofagasta, officials said.",
    "The navy's hydrographic service later said there was no risk of a tsunami and lifted the evacuation order.",
)
ORIGIN = Origin(b'{"body": "x"}', key=b"k", topic="wire.raw", partition=2, offset=41)
SCHEMA_OF = {"enriched": "enriched.v1", "duplicates": "duplicate.v1", "dlq": "deadletter.v1"}


def prepared(origin: Origin = ORIGIN, subjects: tuple[FeedSubject, ...] = (), found: tuple[Subject, ...] = (),
             **item_kw) -> Prepared:
    item = WireItem(format=item_kw.pop("format", "text"), source="reuters", body_text="\n\n".join(PARAS),
                    headline="Quake strikes off northern Chile", subjects=subjects, **item_kw)
    art = CleanedArticle(item=item, headline=item.headline or "", paragraphs=PARAS)
    return Prepared(art, Enrichment(language="en", subjects=found, word_count=40), origin)


def valid(output: Output) -> Output:
    """The output, after asserting it validates against its published schema."""
    name = SCHEMA_OF[output.role]
    assert schemas.problems(name, output.value) == [], schemas.problems(name, output.value)
    return output


def headers(output: Output) -> dict[str, str]:
    return {k: v.decode() for k, v in output.headers}


def test_enriched_lineage_of_a_version():
    """A version's message carries supersedes, verdict, rules with figures, notice and the order flag."""
    v = Verdict(kind="version", uri="urn:x:1", version=3, version_kind="correction", fingerprint="v1:ab",
                supersedes=("urn:x:1", 2), notice="(Corrects toll)", out_of_order=True,
                rules=(RuleHit("notice_correction"), RuleHit("near_duplicate", (("jaccard", 0.8123), ("version", 2.0))),
                       RuleHit("recurring_report_guard", (("refacted", 1.0),), uri="urn:y:7")))
    lineage = valid(enriched(prepared(), v, NOW)).value["wirestream"]["lineage"]
    assert lineage == {
        "supersedes": {"uri": "urn:x:1", "version": "2"}, "verdict": "version", "notice": "(Corrects toll)",
        "out_of_order": True,
        "rules": [{"rule": "notice_correction"}, {"rule": "near_duplicate", "jaccard": 0.8123, "version": 2},
                  {"rule": "recurring_report_guard", "uri": "urn:y:7", "refacted": 1}],
    }, lineage


def test_new_story_lineage_from_the_deduper_validates():
    """The deduper's verdicts (new, update, duplicate) publish schema-valid lineage."""
    dd = Deduper({}, settings=DedupSettings(), clock=lambda: 1_780_000_000.0)
    first = prepared()
    new = dd.decide(first.article)
    msg = valid(enriched(first, new, NOW)).value["wirestream"]["lineage"]
    assert (msg["verdict"], msg["supersedes"], msg["rules"][0]["rule"]) == ("new", None, "no_match"), msg
    dup = dd.decide(first.article)
    out = valid(duplicate(first, dup, NOW))
    assert out.value["lineage"]["verdict"] == "duplicate", out.value
    assert out.value["lineage"]["rules"] == [{"rule": "exact_fingerprint", "version": 1}], out.value["lineage"]


def test_duplicate_lineage_stale_out_of_order():
    """A stale duplicate's message says out_of_order and keeps its figures."""
    v = Verdict(kind="duplicate", uri="urn:x:1", version=2, reason="stale", duplicate_of=("urn:x:1", 1),
                similarity=1.0, fingerprint="v1:ab", out_of_order=True,
                rules=(RuleHit("feed_identity", (("feed_version", 1.0), ("known_feed_version", 2.0))),
                       RuleHit("stale_version", (("feed_version", 1.0), ("known_feed_version", 2.0)))))
    value = valid(duplicate(prepared(), v, NOW)).value
    assert value["lineage"]["out_of_order"] is True and value["lineage"]["supersedes"] is None, value
    assert value["lineage"]["rules"][1] == {"rule": "stale_version", "feed_version": 1, "known_feed_version": 2}


def test_unknown_rule_breaks_the_schema():
    """The schema is strict: a rule name or figure it does not list is rejected."""
    v = Verdict(kind="new", uri="urn:x:1", version=1, rules=(RuleHit("made_up"),))
    assert schemas.problems("enriched.v1", enriched(prepared(), v, NOW).value)
    v = Verdict(kind="new", uri="urn:x:1", version=1, rules=(RuleHit("no_match", (("made_up", 1.0),)),))
    assert schemas.problems("enriched.v1", enriched(prepared(), v, NOW).value)


@pytest.mark.parametrize("make", [
    lambda o: enriched(prepared(o), Verdict(kind="new", uri="urn:x:1", version=1), NOW),
    lambda o: duplicate(prepared(o), Verdict(kind="duplicate", uri="urn:x:1", version=1, reason="exact",
                                             duplicate_of=("urn:x:1", 1)), NOW),
    lambda o: dead_letter(o, WirestreamError("invalid_json", "nope", stage="ingest"), NOW),
], ids=["enriched", "duplicate", "dlq"])
def test_every_message_has_the_headers(make):
    """Enriched, duplicate and dead-letter messages carry content type, schema, schema id, trace id and replay id."""
    origin = Origin(b"x", topic="wire.raw", partition=0, offset=5, headers=((HEADER_REPLAY_ID, b"r-1"),))
    out = valid(make(origin))
    h = headers(out)
    name = SCHEMA_OF[out.role]
    assert h[HEADER_CONTENT_TYPE] == "application/json", h
    assert h[HEADER_SCHEMA] == name, h
    assert h[HEADER_SCHEMA_ID] == schemas.load(name)["$id"], h
    assert re.fullmatch(r"[0-9a-f]{32}", h[HEADER_TRACE_ID]), h
    assert h[HEADER_REPLAY_ID] == "r-1", h


def test_trace_id_from_traceparent():
    """The trace-id part of a W3C traceparent header is passed through."""
    o = Origin(b"x", headers=(("traceparent", b"00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01"),))
    assert trace_id(o) == "0af7651916cd43dd8448eb211c80319c"


def test_own_trace_header_wins_and_is_lowercased():
    """An incoming wirestream-trace-id (any case) wins over traceparent."""
    o = Origin(b"x", headers=(("traceparent", b"00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01"),
                              ("Wirestream-Trace-Id", b"4BF92F3577B34DA6A3CE929D0E0E4736")))
    assert trace_id(o) == "4bf92f3577b34da6a3ce929d0e0e4736"


@pytest.mark.parametrize("bad", [
    b"00-00000000000000000000000000000000-b7ad6b7169203331-01",  # all-zero trace id
    b"00-0af7651916cd43dd8448eb211c80319c-0000000000000000-01",  # all-zero parent id
    b"ff-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01",  # forbidden version
    b"00-0AF7651916CD43DD8448EB211C80319C-b7ad6b7169203331-01",  # upper case is invalid in traceparent
    b"garbage",
])
def test_invalid_traceparent_falls_back_to_derived(bad):
    """An invalid traceparent is ignored: the id is derived from the record instead."""
    o = Origin(b"x", topic="wire.raw", partition=1, offset=9, headers=(("traceparent", bad),))
    assert trace_id(o) == trace_id(Origin(b"x", topic="wire.raw", partition=1, offset=9))


def test_derived_trace_id_is_deterministic_per_record():
    """Same coordinates give the same id (a redelivery), other coordinates another; no coordinates: the bytes."""
    a = trace_id(Origin(b"one", topic="wire.raw", partition=0, offset=1))
    assert a == trace_id(Origin(b"one", topic="wire.raw", partition=0, offset=1))
    assert a != trace_id(Origin(b"one", topic="wire.raw", partition=0, offset=2))
    assert a != trace_id(Origin(b"one", topic="wire.raw", partition=1, offset=1))
    assert trace_id(Origin(b"one")) == trace_id(Origin(b"one")) != trace_id(Origin(b"two"))
    assert re.fullmatch(r"[0-9a-f]{32}", a), a


def test_all_outputs_of_one_record_share_the_trace_id():
    """An enriched message and a dead letter answering the same record carry one trace id."""
    out = enriched(prepared(), Verdict(kind="new", uri="urn:x:1", version=1), NOW)
    dlq = dead_letter(ORIGIN, WirestreamError("invalid_json", "nope", stage="ingest"), NOW)
    assert headers(out)[HEADER_TRACE_ID] == headers(dlq)[HEADER_TRACE_ID]


def test_feed_subjects_beside_media_topics():
    """Feed subjects join the pipeline's Media Topics (creator feed vs wirestream), without repeating a code."""
    found = (Subject("medtop:11000000", "politics", 0.8),)
    feed = (FeedSubject(name="politics", uri="http://cv.iptc.org/newscodes/mediatopic/11000000",
                        code="medtop:11000000"),
            FeedSubject(name="disaster", code="medtop:03000000"),
            FeedSubject(name="Earthquake", uri="https://example.com/subj/quake"),
            FeedSubject(code="subj:06000000"),
            FeedSubject())
    out = valid(enriched(prepared(subjects=feed, found=found), Verdict(kind="new", uri="urn:x:1", version=1), NOW))
    subjects = out.value["subjects"]
    assert subjects == [
        {"name": "politics", "uri": "http://cv.iptc.org/newscodes/mediatopic/11000000", "literal": "medtop:11000000",
         "creator": "wirestream", "relevance": 80},
        {"creator": "feed", "name": "disaster", "literal": "medtop:03000000"},
        {"creator": "feed", "name": "Earthquake", "uri": "https://example.com/subj/quake"},
        {"creator": "feed", "literal": "subj:06000000"},
    ], subjects


def test_feed_subject_repeated_by_uri_variant_is_dropped():
    """A feed subject naming the pipeline's topic by an https/trailing-slash uri is the same code."""
    found = (Subject("medtop:11000000", "politics", 0.5),)
    feed = (FeedSubject(name="Politics", uri="https://cv.iptc.org/newscodes/mediatopic/11000000/"),)
    out = valid(enriched(prepared(subjects=feed, found=found), Verdict(kind="new", uri="urn:x:1", version=1), NOW))
    assert [s["creator"] for s in out.value["subjects"]] == ["wirestream"], out.value["subjects"]


def test_every_lineage_path_publishes_schema_valid_messages():
    """A feed exercising every dedupe rule publishes only schema-valid enriched and duplicate messages."""
    more = "Interior Minister Carolina Toha said rescue teams had pulled four people alive from a collapsed hostel."
    lookalike = (PARAS[0].replace("two", "five").replace("Tuesday", "Friday"), PARAS[1])
    dividend = ("Qtly div 12 cts vs 12 cts prior", "Pay April 10", "Record March 20")
    feed: list[tuple[tuple[str, ...], dict]] = [
        (PARAS, {}),
        (lookalike, {}),
        (PARAS, {}),
        (PARAS, {"reprocess": True}),
        (PARAS[:1], {"source": "site.example"}),
        ((PARAS[0], more, PARAS[1]), {}),
        (("(Corrects toll)", *PARAS), {"headline": "CORRECTED-Quake strikes off northern Chile"}),
        (("Please kill the story. It was sent in error.",), {"headline": "KILL - Quake strikes off northern Chile"}),
        (PARAS, {"format": "ninjs", "uri": "urn:n:1", "version": 3, "ednote": "Eds: updates toll"}),
        (PARAS[:1], {"format": "ninjs", "uri": "urn:n:1", "version": 1}),
        ((*PARAS, more), {"format": "ninjs", "uri": "urn:n:1", "version": 6, "embargoed": "2099-01-01T00:00:00Z"}),
        (dividend, {"headline": "QUAKER OATS CO <OAT> REGULAR DIVIDEND"}),
        (dividend, {"headline": "UNIBANCORP INC <UBCP> REGULAR DIVIDEND SET"}),
        (("VALPARAISO (Reuters) - Firefighters in the Chilean port of Valparaiso fought for a third day on Thursday "
          "to contain forest fires that have destroyed hundreds of homes above the city, officials said.",),
         {"headline": "UPDATE 2-Fires rage above Valparaiso", "versioncreated": "2026-01-01T00:00:00Z"}),
    ]
    dd = Deduper({}, settings=DedupSettings(), clock=lambda: 1_780_000_000.0)
    seen_rules: set[str] = set()
    for paras, kw in feed:
        kw = dict(kw)
        reprocess = kw.pop("reprocess", False)
        headline = kw.pop("headline", "Quake strikes off northern Chile")
        source = kw.pop("source", "reuters")
        item = WireItem(format=kw.pop("format", "text"), source=source, body_text="\n\n".join(paras),
                        headline=headline, **kw)
        prep = Prepared(CleanedArticle(item=item, headline=headline, paragraphs=paras), Enrichment(language="en"),
                        ORIGIN)
        verdict = dd.decide(prep.article, reprocess=reprocess)
        out = valid(duplicate(prep, verdict, NOW) if verdict.kind == "duplicate" else enriched(prep, verdict, NOW))
        lineage = out.value["lineage"] if out.role == "duplicates" else out.value["wirestream"]["lineage"]
        seen_rules |= {r["rule"] for r in lineage["rules"]}
    expected = {"no_match", "exact_fingerprint", "near_duplicate", "paragraph_alignment", "notice_correction",
                "notice_kill", "recurring_report_guard", "feed_identity", "stale_version", "version_gap",
                "embargo", "headline_names_guard", "reprocess", "story_not_seen"}
    assert expected <= seen_rules, expected - seen_rules
