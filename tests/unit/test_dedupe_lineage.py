"""Lineage on every dedupe verdict (agents/dedupe.py): supersedes, rules with figures, notice text, out of order."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from agents.dedupe import RULE_NAMES, Deduper
from agents.dedupe_notices import read_notice
from agents.model import CleanedArticle, Verdict
from streams.settings import DedupSettings
from tests.unit.test_dedupe import ADDED, LEAD, T0, article

HEADLINE = "Quake strikes off northern Chile"  # the default headline of test_dedupe.article


def feed(*articles: CleanedArticle) -> list[Verdict]:
    """Decide each article in order on a fresh store, a minute apart."""
    t = [T0]

    def clock() -> float:
        return t[0]

    dd = Deduper({}, settings=DedupSettings(), clock=clock)
    out = []
    for a in articles:
        t[0] += 60
        out.append(dd.decide(a))
    return out


def rules(v: Verdict) -> dict[str, dict[str, float]]:
    """The verdict's rules as {rule: {figure: value}} (the last hit of a rule wins)."""
    return {r.rule: dict(r.figures) for r in v.rules}


def test_new_story_says_no_match():
    """A first sighting is new, supersedes nothing, is in order, and names the no_match rule."""
    (v,) = feed(article(LEAD))
    assert (v.kind, v.supersedes, v.notice, v.out_of_order) == ("new", None, None, False), v
    assert rules(v) == {"no_match": {"candidates": 0.0}}, v.rules


def test_exact_resend_names_the_fingerprint_rule():
    """A byte-identical resend is explained by the exact fingerprint of version 1."""
    _, v = feed(article(LEAD), article(LEAD))
    assert (v.kind, v.reason) == ("duplicate", "exact"), v
    assert rules(v) == {"exact_fingerprint": {"version": 1.0}}, v.rules
    assert not v.out_of_order and v.supersedes is None, v


def test_syndicated_copy_carries_similarity_figures():
    """A site's trimmed copy is explained by near_duplicate (estimates and thresholds) and the paragraph alignment."""
    _, v = feed(article(LEAD), article([LEAD[0].replace(" (Reuters)", ""), *LEAD[1:3]], source="site.example"))
    assert (v.kind, v.reason) == ("duplicate", "syndicated"), v
    r = rules(v)
    near = r["near_duplicate"]
    assert near["containment_of_item"] >= near["near_threshold"], near
    assert 0 < near["jaccard"] <= 1 and near["near_threshold"] == 0.8, near
    assert r["paragraph_alignment"]["removed"] == 1 and r["paragraph_alignment"]["added"] == 0, r


def test_update_supersedes_the_previous_version():
    """An update with a new paragraph supersedes version 1 and its alignment counts the added paragraph."""
    first, v = feed(article(LEAD), article([*LEAD[:2], ADDED, *LEAD[2:]]))
    assert (v.kind, v.version_kind, v.supersedes) == ("version", "update", (first.uri, 1)), v
    assert rules(v)["paragraph_alignment"]["added_substantive"] == 1, v.rules
    assert not v.out_of_order


def test_feed_identity_update_names_both_versions():
    """A ninjs version 2 of a known uri is explained by feed_identity with both feed versions."""
    _, v = feed(article(LEAD, format="ninjs", uri="urn:x:1", version=1),
                article([*LEAD, ADDED], format="ninjs", uri="urn:x:1", version=2))
    assert v.supersedes == ("urn:x:1", 1), v
    assert rules(v)["feed_identity"] == {"feed_version": 2.0, "known_feed_version": 1.0}, v.rules


def test_correction_carries_its_notice_line():
    """A correction's notice is the body's editor line, and notice_correction is the first rule."""
    note = "(Corrects death toll in first paragraph to three from two)"
    first, v = feed(article(LEAD), article([note, LEAD[0].replace("two people", "three people"), *LEAD[1:]],
                                           headline="CORRECTED-" + HEADLINE))
    assert (v.kind, v.version_kind, v.supersedes) == ("version", "correction", (first.uri, 1)), v
    assert v.notice == note, v.notice
    assert v.rules[0].rule == "notice_correction", v.rules


def test_ednote_is_the_notice_text():
    """The item's editor's note is the notice text when present (and is read for the notice kind)."""
    note = "Eds: This story has been withdrawn at the request of the source."
    _, v = feed(article(LEAD, format="ninjs", uri="urn:k:1", version=1),
                article(["Withdrawn."], format="ninjs", uri="urn:k:1", version=2, ednote=note))
    assert (v.kind, v.version_kind, v.pubstatus) == ("version", "kill", "canceled"), v
    assert v.notice == note and v.supersedes == ("urn:k:1", 1), v


def test_kill_found_by_headline_carries_advisory():
    """A kill advisory without uri finds its story by headline core; the advisory is the notice text."""
    advisory = f'Editors: Please kill the story headlined "{HEADLINE}". It was sent in error.'
    first, v = feed(article(LEAD), article([advisory], headline="KILL - " + HEADLINE))
    assert (v.kind, v.version_kind, v.supersedes) == ("version", "kill", (first.uri, 1)), v
    assert v.notice == advisory, v.notice
    assert "headline_core" in rules(v) and "notice_kill" in rules(v), v.rules


def test_headline_marker_is_notice_when_nothing_else():
    """A refile announced only by its headline prefix carries the prefix as notice text."""
    notice = read_notice(article(LEAD, headline="REFILE-" + HEADLINE))
    assert (notice.kind, notice.text) == ("refile", "REFILE-"), notice


def test_ordinary_item_has_no_notice_text():
    """An item that announces nothing has no notice text even with an editor's note."""
    assert read_notice(article(LEAD, ednote="Eds: photo available")).text is None


def test_stale_late_version_is_flagged_out_of_order():
    """Feed version 1 after 2: a stale duplicate, flagged out of order, with both versions as figures."""
    _, v = feed(article([*LEAD, ADDED], format="ninjs", uri="urn:x:1", version=2),
                article(LEAD, format="ninjs", uri="urn:x:1", version=1))
    assert (v.kind, v.reason, v.out_of_order) == ("duplicate", "stale", True), v
    assert rules(v)["stale_version"] == {"feed_version": 1.0, "known_feed_version": 2.0}, v.rules


def test_version_skipping_ahead_is_published_and_flagged():
    """Version 3 after 1 is published (flagged, one version missing); version 2 arriving next is stale."""
    _, three, two = feed(article(LEAD, format="ninjs", uri="urn:x:1", version=1),
                         article([*LEAD, ADDED], format="ninjs", uri="urn:x:1", version=3),
                         article([*LEAD[:3], ADDED], format="ninjs", uri="urn:x:1", version=2))
    assert (three.kind, three.version, three.out_of_order) == ("version", 2, True), three
    assert rules(three)["version_gap"]["missing"] == 1, three.rules
    assert (two.kind, two.reason, two.out_of_order) == ("duplicate", "stale", True), two


def test_update_of_unseen_story_then_original():
    """An UPDATE of a story not seen is new and flagged; the original arriving after it is stale and flagged."""
    update, original = feed(article([*LEAD[:2], ADDED, *LEAD[2:]], headline="UPDATE 1-" + HEADLINE),
                            article(LEAD))
    assert (update.kind, update.out_of_order, update.notice) == ("new", True, "UPDATE 1-"), update
    assert "story_not_seen" in rules(update), update.rules
    assert (original.kind, original.reason, original.out_of_order) == ("duplicate", "stale", True), original
    assert original.duplicate_of == (update.uri, 1), original


def test_first_seen_feed_version_above_one_is_flagged():
    """A uri first seen at feed version 3 is new, flagged out of order (versions 1-2 not seen)."""
    (v,) = feed(article(LEAD, format="ninjs", uri="urn:x:9", version=3))
    assert (v.kind, v.out_of_order) == ("new", True), v
    assert rules(v)["version_gap"] == {"feed_version": 3.0, "known_feed_version": 0.0, "missing": 2.0}, v.rules


def test_look_alike_kept_apart_names_the_guard():
    """Same wording with other numbers is another story; the guard names the look-alike and the differing facts."""
    other = [LEAD[0].replace("two people", "five people").replace("40,000", "60,000"), *LEAD[1:]]
    first, v = feed(article(LEAD), article(other))
    assert v.kind == "new" and v.uri != first.uri, v
    guard = next(r for r in v.rules if r.rule == "recurring_report_guard")
    figures = dict(guard.figures)
    assert guard.uri == first.uri, guard
    assert figures["refacted"] >= 1 and figures["facts_gained"] >= 1 and figures["facts_lost"] >= 1, figures
    assert rules(v)["no_match"]["candidates"] >= 1, v.rules


def test_short_notice_about_other_company_names_the_names_guard():
    """An identical short notice under another company's headline is kept apart by headline_names_guard."""
    body = ["Qtly div 12 cts vs 12 cts prior", "Pay April 10", "Record March 20"]
    first, v = feed(article(body, headline="QUAKER OATS CO <OAT> REGULAR DIVIDEND"),
                    article(body, headline="UNIBANCORP INC <UBCP> REGULAR DIVIDEND SET"))
    assert v.kind == "new", v
    guard = next(r for r in v.rules if r.rule == "headline_names_guard")
    assert guard.uri == first.uri and dict(guard.figures)["words"] < 30, guard


def test_held_item_adds_embargo_rule():
    """An embargoed new story keeps its explanation and adds the embargo rule with the wait."""
    (v,) = feed(article(LEAD, embargoed="2026-05-29T00:00:00Z"))
    assert v.kind == "held", v
    assert rules(v)["embargo"]["release_in_s"] > 0 and "no_match" in rules(v), v.rules


def test_reprocess_names_the_rule():
    """A replay with reprocess publishes version 2, explained by the reprocess rule."""
    t = [T0]
    dd = Deduper({}, settings=DedupSettings(), clock=lambda: t[0])
    first = dd.decide(article(LEAD))
    v = dd.decide(article(LEAD), reprocess=True)
    assert (v.kind, v.supersedes) == ("version", (first.uri, 1)), v
    assert "reprocess" in rules(v), v.rules


@pytest.mark.parametrize("name", ["enriched.v1"])
def test_rule_names_match_the_schema(name):
    """Every rule name the deduper can emit is in the published schema's enum, and no other."""
    path = Path(__file__).resolve().parents[2] / "schemas" / f"{name}.json"
    enum = json.loads(path.read_text())["$defs"]["rule"]["properties"]["rule"]["enum"]
    assert sorted(enum) == sorted(RULE_NAMES), (enum, RULE_NAMES)


def test_fast_verdict_equals_the_dataclass_constructor():
    """The deduper's fast Verdict builder gives the same frozen value as Verdict(...), defaults included."""
    from agents.dedupe import _verdict
    from agents.model import RuleHit

    kw = dict(kind="version", uri="urn:x:1", version=2, supersedes=("urn:x:1", 1), rules=(RuleHit("reprocess"),))
    fast, slow = _verdict(**kw), Verdict(**kw)
    assert fast == slow and repr(fast) == repr(slow) and hash(fast) == hash(slow), (fast, slow)
    with pytest.raises(AttributeError):
        fast.kind = "new"  # type: ignore[misc]


def test_original_arriving_after_its_kill_is_stale():
    """A kill seen before its story; the original arriving after it is a stale duplicate (never published)."""
    advisory = f'Editors: Please kill the story headlined "{HEADLINE}". It was sent in error.'
    kill, original = feed(article([advisory], headline="KILL - " + HEADLINE), article(LEAD))
    assert (kill.kind, kill.pubstatus, kill.out_of_order) == ("new", "canceled", True), kill
    assert (original.kind, original.reason, original.out_of_order) == ("duplicate", "stale", True), original
    assert original.duplicate_of is not None and original.duplicate_of[0] == kill.uri, original
    assert "headline_core" in rules(original) and "stale_version" in rules(original), original.rules


def test_later_report_under_a_killed_headline_is_new():
    """A story written after an early kill under the same headline is a new story, not the killed original."""
    advisory = f'Editors: Please kill the story headlined "{HEADLINE}". It was sent in error.'
    kill, later = feed(article([advisory], headline="KILL - " + HEADLINE, versioncreated="2026-05-01T10:00:00Z"),
                       article(LEAD, versioncreated="2026-05-02T10:00:00Z"))
    assert later.kind == "new" and later.uri != kill.uri, later
