"""Site-chrome rules for the cleaning stage, loaded once from ``agents/rules/chrome.json``.

Each rule is data: ``{id, pattern, kind, description, max_chars}``. Kinds:

- ``line``: the block is chrome.
- ``edge``: the block is chrome when it sits before or after the story (a call to
  action at the top or bottom), kept when it sits between story paragraphs.
- ``boundary``: the block and everything after it are chrome (comment sections,
  legal disclaimers) once the story has started.
- ``boundary_soft``: the block is a list heading ("Related", "Most read"); the
  short blocks that follow it are chrome until story text resumes.

Rules only look at blocks up to ``max_chars`` long (default 300), so a long story
paragraph never pays for them and a huge line cannot make them slow.

Speed: a rule with an unanchored pattern also lists ``needles``, lowercase
substrings of which at least one must occur wherever the pattern matches (a
necessary condition, checked by ``tests/unit/test_clean_rules.py``), substrings
checked with ``in`` on the lowercased block before the pattern runs, and rules are
pre-sorted by ``max_chars`` so a block only visits the rules that apply to its
length. (Looking needles up once per page instead measured no faster: a needle
scan costs about the same per character either way.) The anchored rules without
needles (every alternative starts with ``^``) of a length bucket are joined into one
gate pattern matched at the block's start: one regex call instead of one per rule
(on Reuters blocks the gate costs half what the separate calls did), and only when the
gate matches are they tried one by one, in table order. Rules with needles stay out of
the gate: their needles are what keeps an expensive pattern (``^.{0,120}`` before a word
list) off ordinary prose. Story prose thus pays for one gate and the needles of the
needled rules. Those needles are all looked up in one pass over the lowercased block by
an Aho-Corasick automaton (pyahocorasick, in C) instead of one ``in`` scan per needle
(up to 91 for a short block; the pass took _match from ~111 to ~67 µs per Reuters
article). Answers for blocks up to ``CACHE_MAX_CHARS`` long are memoised (a
bounded LRU, matching is pure): chrome lines and sign-offs recur across a source's
pages (a fifth of Reuters blocks are repeats).
"""

from __future__ import annotations

import functools
import json
import re
from bisect import bisect_left
from dataclasses import dataclass
from importlib import resources
from typing import Literal

import ahocorasick

RuleKind = Literal["line", "edge", "boundary", "boundary_soft"]


@dataclass(frozen=True)
class Rule:
    """One chrome rule."""

    id: str
    pattern: re.Pattern[str]
    kind: RuleKind
    description: str
    max_chars: int
    needles: tuple[str, ...] = ()
    """Lowercase substrings, one of which every match contains; empty: the rule always runs."""


def load_rules(text: str | None = None) -> tuple[Rule, ...]:
    """Compile the rule table (``text`` overrides the packaged ``chrome.json``, for tests)."""
    if text is None:
        text = resources.files("agents.rules").joinpath("chrome.json").read_text(encoding="utf-8")
    rules = []
    for row in json.loads(text):
        if row["kind"] not in ("line", "edge", "boundary", "boundary_soft"):
            raise ValueError(f"rule {row['id']}: unknown kind {row['kind']!r}")
        rules.append(
            Rule(row["id"], re.compile(row["pattern"], re.IGNORECASE), row["kind"], row.get("description", ""),
                 int(row.get("max_chars", 300)), tuple(n.lower() for n in row.get("needles", ())))
        )
    return tuple(rules)


RULES = load_rules()


def _top_level_branches(pattern: str) -> list[str]:
    """``pattern`` split at its top-level ``|`` (outside groups and character classes)."""
    branches: list[str] = []
    depth, start, i, n = 0, 0, 0, len(pattern)
    while i < n:
        ch = pattern[i]
        if ch == "\\":
            i += 2
            continue
        if ch == "[":
            # A class ends at the first "]" that is not its first member ("[]a]", "[^]a]").
            i += 2 if pattern.startswith("[^", i) else 1
            i += 1 if pattern.startswith("]", i) else 0
            while i < n and pattern[i] != "]":
                i += 2 if pattern[i] == "\\" else 1
        elif ch == "(":
            depth += 1
        elif ch == ")":
            depth -= 1
        elif ch == "|" and depth == 0:
            branches.append(pattern[start:i])
            start = i + 1
        i += 1
    branches.append(pattern[start:])
    return branches


def anchored(rule: Rule) -> bool:
    """Whether every match of ``rule`` starts at the block's first character (each alternative opens with ``^``).

    >>> anchored(load_rules('[{"id": "a", "kind": "line", "pattern": "^a|^(?:b|c)"}]')[0])
    True
    >>> anchored(load_rules('[{"id": "a", "kind": "line", "pattern": "^a|b"}]')[0])
    False
    """
    # Conservative: a quantified "^" counts as unanchored (such a rule then simply runs on its own).
    return all(b.startswith("^") and b[1:2] not in ("*", "+", "?", "{")
               for b in _top_level_branches(rule.pattern.pattern))


@dataclass(frozen=True)
class _Bucket:
    """The rules that look at blocks up to one length limit."""

    rules: tuple[Rule, ...]
    """All of them, in table order."""
    ungated: tuple[Rule, ...]
    """Those the gate does not stand for, in table order."""
    gate: re.Pattern[str] | None
    """Matches at a block's start iff one of the other rules does (None: there are none)."""
    ungated_need_needles: bool
    """Every ungated rule has needles: a block holding none of them matches no ungated rule."""


def _bucket(rules: tuple[Rule, ...]) -> _Bucket:
    # A pattern with capturing groups stays out: joined, its group numbers (backreferences) would shift
    # and its group names could clash.
    gated = [r for r in rules if not r.needles and not r.pattern.groups and anchored(r)]
    # Alternatives tried at one position form a union: the gate matches iff one of the gated rules does.
    gate = re.compile("|".join(f"(?:{r.pattern.pattern})" for r in gated), re.IGNORECASE) if gated else None
    ungated = tuple(r for r in rules if r not in gated)
    return _Bucket(rules, ungated, gate, all(r.needles for r in ungated))


@dataclass(frozen=True)
class _Index:
    """A rule table prepared for matching: length buckets and one automaton over every needle."""

    limits: tuple[int, ...]
    buckets: tuple[_Bucket, ...]
    needles: ahocorasick.Automaton | None
    """Finds every occurrence of every needle (overlapping ones too) in one pass; None: no needles."""


def _by_length(rules: tuple[Rule, ...]) -> _Index:
    """For each distinct ``max_chars`` limit, the rules (in table order) that still look at a block that long."""
    limits = tuple(sorted({r.max_chars for r in rules}))
    needles = {n for r in rules for n in r.needles}
    automaton = None
    if needles:
        automaton = ahocorasick.Automaton()
        for needle in sorted(needles):
            automaton.add_word(needle, needle)
        automaton.make_automaton()
    return _Index(limits, tuple(_bucket(tuple(r for r in rules if r.max_chars >= lim)) for lim in limits), automaton)


_RULES_BY_LENGTH = _by_length(RULES)


def match(text: str, rules: tuple[Rule, ...] = RULES) -> Rule | None:
    """The first rule (in table order) that names ``text`` as chrome, else None.

    >>> match("Share on Facebook").id
    'share'
    >>> match("The minister resigned on Monday.") is None
    True
    """
    # Identity test: hashing a rule table per call would cost more than the matching it saves.
    if rules is not RULES:
        return _match(text, _by_length(rules))
    if len(text) <= CACHE_MAX_CHARS:
        return _match_memo(text)
    return _match(text, _RULES_BY_LENGTH)


CACHE_MAX_CHARS = 300
"""Blocks up to this long have their answer memoised (longer ones are story prose, rarely repeated)."""
_CACHE_SIZE = 4096  # at most ~5 MB of keys even for 4-byte characters


@functools.lru_cache(maxsize=_CACHE_SIZE)
def _match_memo(text: str) -> Rule | None:
    return _match(text, _RULES_BY_LENGTH)


def _match(text: str, index: _Index) -> Rule | None:
    k = bisect_left(index.limits, len(text))
    if k == len(index.limits):
        return None
    bucket = index.buckets[k]
    found: set[str] | None = None
    if bucket.gate is not None and bucket.gate.match(text):
        rules = bucket.rules
    else:
        # No gated rule matches: the first matching rule in table order is among the others.
        rules = bucket.ungated
        if bucket.ungated_need_needles:
            found = _needles_in(text, index)
            if not found:  # most prose: no needle at all, so no rule to try
                return None
    for rule in rules:
        if rule.needles:
            if found is None:
                found = _needles_in(text, index)
            if found.isdisjoint(rule.needles):
                continue
        if rule.pattern.search(text):
            return rule
    return None


def _needles_in(text: str, index: _Index) -> set[str]:
    """The needles of the table that occur in ``text`` (case-insensitively: needles are lowercase)."""
    if index.needles is None:
        return set()
    return {needle for _, needle in index.needles.iter(text.lower())}
