"""Unit tests for the chrome rule table (agents/clean_rules.py): integrity, and needles that never hide a match."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from agents.clean_rules import RULES, Rule, anchored, load_rules, match
from agents.clean_text import split_blocks

ROOT = Path(__file__).resolve().parents[2]


def _slow_match(text: str) -> Rule | None:
    """The reference semantics: every rule in table order, no needles, no length buckets."""
    return next((r for r in RULES if len(text) <= r.max_chars and r.pattern.search(text)), None)


def _corpus() -> list[str]:
    texts: list[str] = []
    for page in sorted((ROOT / "tests" / "golden").glob("clean*/*/*.*")):
        if page.suffix == ".txt":
            texts += split_blocks(page.read_text(encoding="utf-8"))
        elif page.name.endswith(".expected.json"):
            exp = json.loads(page.read_text(encoding="utf-8"))
            texts += exp["chrome"] + exp["paragraphs"]
    return texts


# Words the patterns themselves use: random lines built from them hit the rules often.
_VOCAB = sorted({w for r in RULES for w in re.findall(r"[a-z\u00e0-\u00ff']{2,}", r.pattern.pattern)})
_TOKENS = st.sampled_from([*_VOCAB, "\u00a9", "(c)", "|", "\u00b7", "\u2022", "%", "30", "2024", ":", ">", "!",
                           "-", "...", "The", "said", "Monday."])


def test_rule_table_is_well_formed():
    """Ids are unique, kinds are known, needles are lowercase and non-empty strings."""
    ids = [r.id for r in RULES]
    assert len(ids) == len(set(ids)), ids
    for r in RULES:
        assert r.kind in ("line", "edge", "boundary", "boundary_soft"), r.id
        assert all(n and n == n.lower() for n in r.needles), (r.id, r.needles)


def test_needles_never_hide_a_match_on_the_golden_pages():
    """On every golden block and chrome line, the fast matcher answers exactly as the plain rule loop."""
    for text in _corpus():
        fast, slow = match(text), _slow_match(text)
        assert (fast and fast.id) == (slow and slow.id), f"{text!r}: fast {fast and fast.id}, slow {slow and slow.id}"


@settings(max_examples=400, deadline=None)
@given(st.lists(_TOKENS, min_size=1, max_size=14).map(" ".join), st.sampled_from(["", "\u00a9 ", "Share "]))
def test_needles_never_hide_a_match_on_random_lines(line, prefix):
    """On random lines made of the patterns' own words, the fast matcher equals the plain rule loop."""
    for text in (line, prefix + line, line.capitalize(), line.upper()):
        fast, slow = match(text), _slow_match(text)
        assert (fast and fast.id) == (slow and slow.id), f"{text!r}: fast {fast and fast.id}, slow {slow and slow.id}"


@pytest.mark.parametrize(("pattern", "expected"), [
    ("^a|^(?:b|c)", True),
    ("^[|]x|^y", True),  # a "|" inside a class does not split the pattern
    (r"^a\|b", True),  # nor does an escaped one
    (r"^a\\|b", False),  # but an escaped backslash is no escape of the "|"
    ("^[]|]x|^y", True),  # "]" first in a class is a member
    ("^a|b", False),
    ("(?:^a|b)", False),
    ("(?:^)?a", False),
    ("a^", False),
])
def test_anchored_reads_top_level_alternatives(pattern, expected):
    """Only a pattern whose every top-level alternative starts with a plain ^ counts as anchored (gate member)."""
    rule = load_rules(json.dumps([{"id": "x", "kind": "line", "pattern": pattern}]))[0]
    assert anchored(rule) is expected, pattern


def test_gated_rules_answer_in_table_order():
    """A block two rules match gets the earlier one, gated or not (the gate only filters)."""
    table = json.dumps([{"id": "first", "kind": "line", "pattern": "zz", "needles": ["zz"]},
                        {"id": "gated", "kind": "line", "pattern": "^zz"},
                        {"id": "late", "kind": "line", "pattern": "^z"}])
    rules = load_rules(table)
    assert match("zz top", rules).id == "first"
    assert match("z only", rules).id == "late"
    assert match("none", rules) is None


def test_rules_with_groups_stay_out_of_the_gate():
    """Backreferences and named groups keep their meaning: such rules are matched on their own."""
    table = json.dumps([{"id": "twice", "kind": "line", "pattern": r"^(\w+) \1$"},
                        {"id": "named", "kind": "line", "pattern": "^(?P<w>ab)c"},
                        {"id": "named2", "kind": "line", "pattern": "^(?P<w>x)y"}])
    rules = load_rules(table)
    assert match("go go", rules).id == "twice"
    assert match("go went", rules) is None
    assert match("xy", rules).id == "named2"


def test_custom_rule_table_is_matched_without_the_packaged_index():
    """A table loaded from text (tests, experiments) is matched by the same code path."""
    rules = load_rules('[{"id": "x", "kind": "line", "pattern": "^zzz$", "needles": ["zzz"]}]')
    assert match("ZZZ", rules) is not None and match("zz", rules) is None


@pytest.mark.parametrize(("text", "rule"), [
    ("06:30 GMT", "live.timestamp"),
    ("Updated 12m ago", "live.timestamp"),
    ("Live updates: 10:15 AEDT", "live.label"),
    ("This article originally appeared on Pacific Wire Service.", "syndication"),
    ("This article is republished from The Conversation under a Creative Commons license.", "syndication"),
    ("About the author: a freelance journalist who has reported from three continents.", "author.bio"),
    ("Ann Lee is a senior correspondent for The Post, covering energy. She joined in 2016.", "author.bio"),
    ("Listen to The Daily, our news podcast, on Apple Podcasts, Spotify or wherever you get your podcasts.",
     "podcast.promo"),
    ("1 / 12", "gallery"),
    ("1/4 Scene from the day, seen from the harbour", "gallery"),
    ("Continue reading: Ministers to unveil new energy strategy next week", "readmore"),
    ("Advertisement - Scroll to continue", "ad.continue"),
    ("Be the first to comment", "comments.boundary"),
    ("You've reached your limit of free articles this month.", "paywall"),
    ("Please enable JavaScript to view the comments.", "browser.notice"),
    ("We noticed you're using an ad blocker.", "browser.notice"),
    ("Got a tip? Let us know", "tips.errors"),
])
def test_new_idioms_are_chrome(text, rule):
    """Chrome idioms of batch B's kind are named by the expected rule."""
    got = match(text)
    assert got is not None and got.id == rule, (text, got and got.id)


@pytest.mark.parametrize("text", [
    "The album reached number one on Spotify within a week, the label said.",
    "3/4 of respondents said they would vote again.",
    "Smith is a former reporter for the Daily Star who was arrested in 2019 after the protests.",
    "The meeting ended at 10:30 GMT without an agreement.",
    "It was originally published in 1851 and has never been out of print.",
    "The story first appeared to be a hoax, police said.",
    "Live music returns to the city centre on Friday.",
    "Correction: An earlier version of this story misstated the capacity of the wind farm.",
    "The club said it would like this season to be remembered for the youth players.",
    "The browser war is over, analysts said on Monday, as the market share of the leader rose to 80%.",
])
def test_story_sentences_near_those_idioms_are_not_chrome(text):
    """Story sentences that share words with the new rules are not matched."""
    got = match(text)
    assert got is None, (text, got.id)
