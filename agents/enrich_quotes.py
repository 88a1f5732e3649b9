"""Direct quotations and their speakers, for the enrich stage.

Input: the body text and the people already recognised (to map a surname or a
pronoun to a full name). Outcome: :class:`~agents.model.Quote` values whose
``start``/``end`` index the quoted words (without the quote marks) in the body.
Forms handled: ``"...," said Gennady, 35``, ``"...," Gennady said``,
``Gennady said: "..."``, and ``"...," he said`` (the nearest person named
before the quote). Short unattributed scare quotes (``"reserve police
force"``) are not quotations and are skipped.

Side effects: none.
"""

from __future__ import annotations

import re

from agents.enrich_values import quote
from agents.model import Quote

_VERBS = (
    r"(?:said|says|told\s+\w+|added|asked|wrote|explained|warned|insisted|argued|declared|continued|replied"
    r"|stressed)"
)
_NAME = r"(?:[A-Z][\w'’.\-]*)(?:\s+(?:[A-Z][\w'’.\-]*|de|van|von|der|bin|al)){0,3}"  # noqa: RUF001
_PRONOUN = r"(?:he|she|He|She)"
_QUOTE_RE = re.compile(r"[\"“]([^\"“”\n]{2,2000})[\"”]")
# The same for text without curly opening quotes (most wire copy): a literal first
# character lets the regex engine jump from quote mark to quote mark instead of
# testing every character against a set (about 8x faster on a 600-word story).
_STRAIGHT_QUOTE_RE = re.compile(r"\"([^\"“”\n]{2,2000})[\"”]")
# After the quote: '"...," said Gennady' (group 1), else '"...," Gennady said' (group 2);
# one anchored match tries the branches in that order.
_AFTER = re.compile(
    rf"\s*{_VERBS}\s+(?:the\s+[a-z]+\s+)?({_NAME}|{_PRONOUN})|\s*({_NAME}|{_PRONOUN})\s+{_VERBS}\b"
)
_BEFORE = re.compile(rf"({_NAME}|{_PRONOUN})\s+{_VERBS}\s*[:,]?\s*$")
_VERB_WORDS = frozenset(
    "said says added asked wrote explained warned insisted argued declared continued replied stressed".split()
)
_UNATTRIBUTED_MIN_WORDS = 8
_PRONOUN_WINDOW = 600


def find_quotes(body: str, people: dict[str, list[tuple[int, int]]]) -> tuple[Quote, ...]:
    """Quotations in the body with their speakers.

    Args:
        body: the cleaned body.
        people: person name -> mention (start, end) offsets, used to resolve
            "Lukashenko" -> "Alexander Lukashenko" and "he" -> the nearest person.

    >>> find_quotes('"We will win," said Anna Petrova, a nurse.', {})[0].speaker
    'Anna Petrova'
    """
    quotes: list[Quote] = []
    for m in (_QUOTE_RE if "“" in body else _STRAIGHT_QUOTE_RE).finditer(body):
        text = m.group(1).strip(" ,.")
        if not text:
            continue
        after = body[m.end() : m.end() + 120]
        before = body[max(0, m.start() - 120) : m.start()]
        speaker: str | None = None
        attributed = False
        a = _AFTER.match(after.lstrip(",") if after.startswith(",") else after)
        if a:
            speaker, attributed = a[1] if a[1] is not None else a[2], True
        if not attributed and _ends_with_verb(before):
            b = _BEFORE.search(before)
            if b:
                speaker, attributed = b.group(1), True
        # (maxsplit: counting stops once the quote is long enough to keep)
        if not attributed and len(text.split(None, _UNATTRIBUTED_MIN_WORDS)) < _UNATTRIBUTED_MIN_WORDS:
            continue
        if speaker is not None:
            speaker = _resolve(speaker, m.start(), people)
        start = m.start(1) + (len(m.group(1)) - len(m.group(1).lstrip(" ,.")))
        quotes.append(quote(text=text, speaker=speaker, start=start, end=start + len(text)))
    return tuple(quotes)


def _ends_with_verb(before: str) -> bool:
    """Cheap test before the anchored search: the text before the quote ends "said:" or "told X"."""
    words = before[-40:].rstrip(" \t:,").rsplit(None, 2)
    return bool(words) and (words[-1] in _VERB_WORDS or (len(words) >= 2 and words[-2] == "told"))


def _resolve(speaker: str, at: int, people: dict[str, list[tuple[int, int]]]) -> str | None:
    if speaker.lower() in ("he", "she"):
        best: tuple[int, str] | None = None
        for name, spans in people.items():
            for s, _ in spans:
                if s < at and at - s <= _PRONOUN_WINDOW and (best is None or s > best[0]):
                    best = (s, name)
        return best[1] if best else None
    if speaker in people:
        return speaker
    hits = [n for n in people if n.rsplit(" ", 1)[-1] == speaker.rsplit(" ", 1)[-1]]
    return hits[0] if len(hits) == 1 else speaker
