"""Unit tests for the chrome rule table (agents/clean_rules.py): integrity, and needles that never hide a match."""

from __future__ import annotations

import json
import re
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from agents.clean_rules import RULES, Rule, load_rules, match
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


def test_custom_rule_table_is_matched_without_the_packaged_index():
    """A table loaded from text (tests, experiments) is matched by the same code path."""
    rules = load_rules('[{"id": "x", "kind": "line", "pattern": "^zzz$", "needles": ["zzz"]}]')
    assert match("ZZZ", rules) is not None and match("zz", rules) is None
