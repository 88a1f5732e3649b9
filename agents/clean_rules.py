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
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from importlib import resources
from typing import Literal

RuleKind = Literal["line", "edge", "boundary", "boundary_soft"]


@dataclass(frozen=True)
class Rule:
    """One chrome rule."""

    id: str
    pattern: re.Pattern[str]
    kind: RuleKind
    description: str
    max_chars: int


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
                 int(row.get("max_chars", 300)))
        )
    return tuple(rules)


RULES = load_rules()


def match(text: str, rules: tuple[Rule, ...] = RULES) -> Rule | None:
    """The first rule that names ``text`` as chrome, else None."""
    n = len(text)
    for rule in rules:
        if n <= rule.max_chars and rule.pattern.search(text):
            return rule
    return None
