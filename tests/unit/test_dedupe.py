"""Unit tests of the dedupe stage (agents/dedupe.py): verdicts, persistence, expiry, state size."""

from __future__ import annotations

from dataclasses import replace

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from agents.dedupe import URI_PREFIX, Deduper, canonical_url
from agents.model import CleanedArticle, WireItem
from streams.settings import DedupSettings

T0 = 1_780_000_000.0

LEAD = [
    "SANTIAGO (Reuters) - A magnitude 6.8 earthquake struck off the coast of northern Chile on Tuesday, killing two "
    "people in the port city of Antofagasta and knocking out power to about 40,000 homes, officials said.",
    "The quake hit at 0412 GMT at a depth of 35 km, about 60 km north-west of Antofagasta, according to the U.S. "
    "Geological Survey. Residents of low-lying areas were told to move to higher ground as a precaution.",
    "The navy's hydrographic service later said there was no risk of a tsunami and lifted the evacuation order.",
    "Mining company Escondida, the world's largest copper mine, said operations were normal and that it was "
    "inspecting its facilities.",
]
ADDED = ("Interior Minister Carolina Toha told reporters that rescue teams had pulled four people alive from a "
         "collapsed hostel near the waterfront and that the search would continue through the night.")
REPORT = [
    "CHICAGO (Reuters) - Chicago Mercantile Exchange floor traders and commission house representatives are "
    "guesstimating today's hog slaughter at about {a},000 to {b},000 head versus {c},000 week ago and {d},000 a "
    "year ago.",
    "Cattle slaughter is guesstimated at about {e},000 to {f},000 head versus {g},000 week ago and {h},000 a year ago.",
]


class Clock:
    """A settable fake clock."""

    def __init__(self, t: float = T0) -> None:
        self.t = t

    def __call__(self) -> float:
        return self.t


def article(paras, headline="Quake strikes off northern Chile", source="reuters", **item_kw) -> CleanedArticle:
    item = WireItem(format=item_kw.pop("format", "text"), source=source, body_text="\n\n".join(paras),
                    headline=headline, **item_kw)
    return CleanedArticle(item=item, headline=headline, paragraphs=tuple(paras),
                          versioncreated=item_kw.get("versioncreated"))


def report(day: int) -> list[str]:
    n = [285 + 5 * day, 300 + 4 * day, 292 + day, 309 - day, 120 + day, 125 + day, 122 + 2 * day, 119 + day]
    return [p.format(**dict(zip("abcdefgh", n, strict=True))) for p in REPORT]


def make(store=None, clock=None, **kw) -> tuple[Deduper, dict, Clock]:
    store = {} if store is None else store
    clock = clock or Clock()
    return Deduper(store, settings=DedupSettings(**kw), clock=clock), store, clock


# (label, articles fed in order (the last one is checked), expected kind, reason / version_kind, version)
SCENARIOS = [
    ("first sighting is new", [article(LEAD)], "new", None, 1),
    ("byte-identical resend", [article(LEAD), article(LEAD)], "duplicate", "exact", 1),
    ("case/whitespace/line-wrap changes only", [article(LEAD), article([p.upper().replace(" ", "\n ") for p in LEAD])],
     "duplicate", "exact", 1),
    ("site copy: trimmed last paragraph, credit dropped, percent style",
     [article(LEAD), article([LEAD[0].replace(" (Reuters)", ""), *LEAD[1:3]], source="site.example")],
     "duplicate", "syndicated", 1),
    ("same-source near copy", [article(LEAD), article([*LEAD[:3], LEAD[3].replace("facilities", "mine")])],
     "duplicate", "near", 1),
    ("update adds a paragraph", [article(LEAD), article([*LEAD[:2], ADDED, *LEAD[2:]])], "version", "update", 2),
    ("correction notice", [article(LEAD), article([LEAD[0].replace("two people", "three people"), *LEAD[1:]],
                                                  headline="CORRECTED-Quake strikes off northern Chile")],
     "version", "correction", 2),
    ("kill notice found by headline core", [article(LEAD), article(
        ['Editors: Please kill the story headlined "Quake strikes off northern Chile". It was sent in error.'],
        headline="KILL - Quake strikes off northern Chile")], "version", "kill", 2),
    ("refile", [article(LEAD), article([*LEAD[:3], LEAD[3] + " It gave no further details."],
                                       headline="REFILE-Quake strikes off northern Chile")],
     "version", "refile", 2),
    ("recurring report with other numbers is another story",
     [article(report(0), headline="Hog and cattle slaughter guesstimates"),
      article(report(1), headline="Hog and cattle slaughter guesstimates")], "new", None, 1),
    ("ninjs same uri higher version", [
        article(LEAD, format="ninjs", uri="urn:x:1", version=1),
        article([*LEAD, ADDED], format="ninjs", uri="urn:x:1", version=2)], "version", "update", 2),
    ("ninjs same uri same version", [
        article(LEAD, format="ninjs", uri="urn:x:1", version=3),
        article(LEAD, format="ninjs", uri="urn:x:1", version=3)], "duplicate", "resend", 1),
    ("ninjs lower version after higher", [
        article([*LEAD, ADDED], format="ninjs", uri="urn:x:1", version=2),
        article(LEAD, format="ninjs", uri="urn:x:1", version=1)], "duplicate", "stale", 1),
    ("same uri, earlier versioncreated", [
        article([*LEAD, ADDED], uri="urn:x:2", versioncreated="2026-05-01T12:00:00Z"),
        article(LEAD, uri="urn:x:2", versioncreated="2026-05-01T10:00:00Z")], "duplicate", "stale", 1),
    ("ninjs canceled pubstatus", [
        article(LEAD, format="ninjs", uri="urn:x:3", version=1),
        article(LEAD, format="ninjs", uri="urn:x:3", version=2, pubstatus="canceled")], "version", "kill", 2),
    ("same canonical url, new text", [
        article(LEAD, url="https://www.example.com/quake?utm_source=x"),
        article([*LEAD, ADDED], url="http://example.com/quake/")], "version", "update", 2),
]


@pytest.mark.parametrize(("label", "feed", "kind", "detail", "version"), SCENARIOS, ids=[s[0] for s in SCENARIOS])
def test_scenarios(label, feed, kind, detail, version):
    """Each scenario's last article gets the expected verdict."""
    dd, _, clock = make()
    verdicts = []
    for a in feed:
        clock.t += 60
        verdicts.append(dd.decide(a))
    v = verdicts[-1]
    assert v.kind == kind, f"{label}: {v}"
    if kind == "duplicate":
        assert v.reason == detail, f"{label}: reason {v.reason}"
        assert v.duplicate_of is not None and v.duplicate_of[0] == verdicts[0].uri, f"{label}: {v.duplicate_of}"
    elif kind == "version":
        assert v.version_kind == detail, f"{label}: version_kind {v.version_kind}"
        assert v.uri == verdicts[0].uri, f"{label}: version not linked to its story"
    assert v.version == version, f"{label}: version {v.version}"
    assert v.fingerprint.startswith("v1:"), v.fingerprint


def test_kill_sets_pubstatus_canceled():
    """A kill notice is a version with pubstatus canceled, linked to the story."""
    dd, _, _ = make()
    first = dd.decide(article(LEAD))
    v = dd.decide(article(["KILL - This story has been withdrawn."], headline="KILL-Quake strikes off northern Chile"))
    assert (v.kind, v.pubstatus, v.uri) == ("version", "canceled", first.uri), v


def test_copy_after_kill_is_duplicate_of_killed_story():
    """Copies of a killed story still match it (a kill keeps the story's content sketch)."""
    dd, _, _ = make()
    first = dd.decide(article(LEAD))
    dd.decide(article(["Please kill the story. It was sent in error."],
                      headline="KILL - Quake strikes off northern Chile"))
    v = dd.decide(article(LEAD[:3], source="site.example"))
    assert v.kind == "duplicate" and v.duplicate_of == (first.uri, 1), v  # the text it repeats
    assert (v.version, v.pubstatus) == (2, "canceled"), v  # the story's current state


def test_change_summary_counts_added_paragraph():
    """An update's change summary reports one paragraph added and no headline change."""
    dd, _, _ = make()
    dd.decide(article(LEAD))
    v = dd.decide(article([*LEAD[:2], ADDED, *LEAD[2:]]))
    assert v.changes is not None and v.changes.paragraphs_added == 1, v.changes
    assert v.changes.paragraphs_removed == 0 and not v.changes.headline_changed, v.changes


def test_headline_change_is_reported():
    """A version under a new headline says the headline changed."""
    dd, _, _ = make()
    dd.decide(article(LEAD))
    v = dd.decide(article([*LEAD, ADDED], headline="UPDATE 1-Chile quake kills two, rescuers search hostel"))
    assert v.kind == "version" and v.changes is not None and v.changes.headline_changed, v


def test_reprocess_publishes_seen_story_as_new_version():
    """reprocess=True turns what would be a duplicate into version + 1."""
    dd, _, _ = make()
    first = dd.decide(article(LEAD))
    v = dd.decide(article(LEAD), reprocess=True)
    assert (v.kind, v.uri, v.version) == ("version", first.uri, 2), v
    again = dd.decide(article(LEAD))
    assert again.kind == "duplicate" and again.duplicate_of == (first.uri, 2), again


def test_embargoed_item_is_held_with_allocated_version():
    """An embargo in the future holds the item with uri and version allocated; after it, copies are duplicates."""
    dd, _, clock = make()
    v = dd.decide(article(LEAD, embargoed="2026-05-29T00:00:00Z"))
    assert clock.t < 1_780_012_800  # the embargo is in the future of the fake clock
    assert (v.kind, v.version, v.release_at) == ("held", 1, "2026-05-29T00:00:00Z"), v
    assert v.uri.startswith(URI_PREFIX), v.uri
    assert dd.decide(article(LEAD)).kind == "duplicate"


def test_past_embargo_is_not_held():
    """An embargo already lifted does not hold the item."""
    dd, _, _ = make()
    v = dd.decide(article(LEAD, embargoed="2020-01-01T00:00:00Z"))
    assert v.kind == "new", v


def test_feed_uri_is_the_story_uri():
    """A story that arrives with a ninjs uri keeps it; a copy without uri points at it."""
    dd, _, _ = make()
    v = dd.decide(article(LEAD, format="ninjs", uri="urn:newsml:x:42", version=1))
    assert v.uri == "urn:newsml:x:42", v
    copy = dd.decide(article(LEAD, source="site.example"))
    assert copy.duplicate_of == ("urn:newsml:x:42", 1), copy


def test_other_uri_for_same_text_becomes_alias():
    """A copy under another uri is a duplicate, and that uri's later versions join the same story."""
    dd, _, _ = make()
    dd.decide(article(LEAD, format="ninjs", uri="urn:a:1", version=1))
    dup = dd.decide(article(LEAD, format="ninjs", uri="urn:b:9", version=1, source="partner"))
    assert dup.kind == "duplicate" and dup.duplicate_of == ("urn:a:1", 1), dup
    upd = dd.decide(article(["Something entirely different now.", ADDED], format="ninjs", uri="urn:b:9",
                            version=2, source="partner"))
    assert (upd.kind, upd.uri, upd.version) == ("version", "urn:a:1", 2), upd


def test_restart_on_same_store_recovers_state():
    """A new Deduper on the same store (a restarted worker) still knows every story."""
    store: dict[str, bytes] = {}
    dd, _, clock = make(store)
    first = dd.decide(article(LEAD))
    dd.decide(article([*LEAD, ADDED]))
    restarted = Deduper(store, settings=DedupSettings(), clock=clock)
    v = restarted.decide(article([*LEAD, ADDED], source="site.example"))
    assert v.kind == "duplicate" and v.duplicate_of == (first.uri, 2), v


def test_expire_drops_old_state_and_keeps_recent():
    """expire() removes stories older than the window; newer ones survive and still match."""
    dd, store, clock = make(window_days=14)
    dd.decide(article(LEAD))
    clock.t += 10 * 86_400
    recent = dd.decide(article(report(0), headline="Hog and cattle slaughter guesstimates"))
    clock.t += 5 * 86_400
    removed = dd.expire()
    assert removed > 0, "nothing expired"
    assert dd.stats().stories == 1, dd.stats()
    assert dd.decide(article(LEAD)).kind == "new", "expired story still matched"
    v = dd.decide(article(report(0), headline="Hog and cattle slaughter guesstimates"))
    assert v.kind == "duplicate" and v.duplicate_of == (recent.uri, 1), v
    assert all(isinstance(k, str) and isinstance(x, bytes) for k, x in store.items())


def test_expire_enforces_max_stories_oldest_first():
    """With more stories than max_stories, expire() evicts the oldest."""
    dd, _, clock = make(max_stories=2)
    uris = []
    for day in range(4):
        clock.t += 3600
        uris.append(dd.decide(article([*report(day), f"Report number {day} of the series."],
                                      headline=f"Report {day}")).uri)
    dd.expire()
    assert dd.stats().stories == 2, dd.stats()
    assert dd.decide(article([*report(3), "Report number 3 of the series."], headline="Report 3")).kind == "duplicate"
    assert dd.decide(article([*report(0), "Report number 0 of the series."], headline="Report 0")).kind == "new"


def test_stats_are_incremental_and_match_a_scan():
    """stats() after more decisions equals a fresh scan of the store."""
    dd, store, _ = make()
    dd.decide(article(LEAD))
    dd.stats()
    dd.decide(article([*LEAD, ADDED]))
    dd.decide(article(report(2), headline="Hog and cattle slaughter guesstimates"))
    fresh = Deduper(store, settings=DedupSettings(), clock=Clock()).stats()
    assert dd.stats() == fresh, (dd.stats(), fresh)
    assert fresh.approx_bytes == sum(len(k) + len(v) for k, v in store.items())


def test_state_per_story_is_compact():
    """A typical story costs well under the 400-byte budget of state."""
    dd, _store, clock = make()
    for day in range(30):
        clock.t += 3600
        dd.decide(article([*report(day), f"Traders said day {day} trade was quiet in the pits near Chicago."],
                          headline=f"Day {day}"))
    s = dd.stats()
    assert s.stories == 30, s
    assert s.bytes_per_story <= 400, s


def test_duplicates_write_nothing():
    """A duplicate verdict leaves the store unchanged (no changelog records)."""
    dd, store, _ = make()
    dd.decide(article(LEAD))
    before = dict(store)
    dd.decide(article(LEAD))
    dd.decide(article(LEAD[:3], source="site.example"))
    assert store == before


@pytest.mark.parametrize(("url", "canon"), [
    ("https://www.example.com/a/?utm_medium=x#frag", "example.com/a"),
    ("http://Example.com/a?id=7&fbclid=z", "example.com/a?id=7"),
])
def test_canonical_url(url, canon):
    """Scheme, www, trailing slash, fragment and tracking parameters do not change a page's identity."""
    assert canonical_url(url) == canon


words = st.sampled_from(
    "the bank said oil prices rose fell sharply after talks with union leaders over pay and pensions "
    "in March April Paris Tokyo Reuters 12 15 2.5 percent shares market".split()
)
paragraph = st.lists(words, min_size=6, max_size=30).map(" ".join)
body = st.lists(paragraph, min_size=1, max_size=6)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(paras=body)
def test_property_second_identical_is_exact_duplicate(paras):
    """Any article seen twice: the second is an exact duplicate of the first."""
    dd, _, _ = make()
    first = dd.decide(article(paras))
    second = dd.decide(article(paras))
    assert first.kind == "new"
    assert second.kind == "duplicate" and second.reason == "exact", second
    assert second.duplicate_of == (first.uri, 1) and second.fingerprint == first.fingerprint


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(feed=st.lists(st.tuples(body, st.booleans()), min_size=1, max_size=8))
def test_property_restart_gives_same_verdicts(feed):
    """Replaying a feed with a restart in the middle gives the same verdicts as without."""
    arts = [article(p, headline=("UPDATE 1-Story" if flag else "Story")) for p, flag in feed]
    one, _, _ = make()
    straight = [one.decide(a) for a in arts]
    store: dict[str, bytes] = {}
    clock = Clock()
    half = len(arts) // 2
    first = Deduper(store, settings=DedupSettings(), clock=clock)
    restarted = [first.decide(a) for a in arts[:half]]
    second = Deduper(store, settings=DedupSettings(), clock=clock)
    restarted += [second.decide(a) for a in arts[half:]]
    assert restarted == straight


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(feed=st.lists(st.tuples(body, st.integers(0, 3), st.booleans()), min_size=1, max_size=10))
def test_property_versions_strictly_increase_per_uri(feed):
    """Published versions of each uri are 1, 2, 3... in order; duplicates point at published versions."""
    dd, _, clock = make()
    published: dict[str, list[int]] = {}
    for paras, uri_n, reprocess in feed:
        clock.t += 30
        v = dd.decide(article(paras, uri=f"urn:p:{uri_n}" if uri_n else None), reprocess=reprocess)
        if v.kind in ("new", "version", "held"):
            seen = published.setdefault(v.uri, [])
            assert v.version == len(seen) + 1, (v, seen)
            seen.append(v.version)
        else:
            assert v.duplicate_of is not None
            uri, version = v.duplicate_of
            assert version in published.get(uri, []), (v, published)


def test_verdict_is_frozen_value():
    """Verdicts are plain frozen values (safe to hand to the publisher)."""
    dd, _, _ = make()
    v = dd.decide(article(LEAD))
    with pytest.raises(AttributeError):
        v.kind = "duplicate"  # type: ignore[misc]
    assert replace(v, version=2).version == 2


def test_window_applies_without_a_sweep():
    """A story older than the window is not matched even before expire() runs (sweep timing never changes verdicts)."""
    dd, _, clock = make(window_days=14)
    dd.decide(article(LEAD))
    clock.t += 15 * 86_400
    v = dd.decide(article(LEAD))
    assert v.kind == "new", v
    assert dd.stats().stories == 1, dd.stats()  # the old record was replaced, not duplicated


def test_short_template_notices_about_other_companies_stay_apart():
    """Two dividend notices with the same wording but other figures are different stories."""
    dd, _, _ = make()
    a = dd.decide(article(["Qtly div 31 cts vs 31 cts prior", "Pay April 24", "Record March 31"],
                          headline="CPC INTERNATIONAL INC REGULAR DIVIDEND"))
    b = dd.decide(article(["Annual div 11 cts vs 10 cts prior", "Pay April 24", "Record March 31"],
                          headline="ANALYSIS AND TECHNOLOGY INC HIKES PAYOUT"))
    assert b.kind == "new" and b.uri != a.uri, b


def test_identical_short_notices_about_other_companies_are_different_stories():
    """A 15-word dividend notice repeated word for word for another company is another story; a resend is not."""
    dd, _, clock = make()
    body = ["Qtly div 12 cts vs 12 cts prior", "Pay April 10", "Record March 20"]
    a = dd.decide(article(body, headline="QUAKER OATS CO <OAT> REGULAR DIVIDEND"))
    clock.t += 3600
    b = dd.decide(article(body, headline="UNIBANCORP INC <UBCP> REGULAR DIVIDEND SET"))
    assert b.kind == "new" and b.uri != a.uri, b
    again = dd.decide(article(body, headline="QUAKER OATS <OAT> SETS DIVIDEND"))
    assert again.kind == "duplicate" and again.duplicate_of == (a.uri, 1), again


def test_resent_ninjs_kill_points_at_the_kill_version():
    """The same ninjs kill sent twice: the second is a resend of the kill version."""
    dd, _, _ = make()
    dd.decide(article(LEAD, format="ninjs", uri="urn:k:1", version=1))
    kill = dd.decide(article(["Withdrawn."], format="ninjs", uri="urn:k:1", version=2, pubstatus="canceled"))
    again = dd.decide(article(["Withdrawn."], format="ninjs", uri="urn:k:1", version=2, pubstatus="canceled"))
    assert (kill.kind, kill.version) == ("version", 2), kill
    assert again.kind == "duplicate" and again.reason == "resend" and again.duplicate_of == ("urn:k:1", 2), again
