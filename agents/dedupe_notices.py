"""Kill, correction, refile and update notices, read from a wire item.

Input: a ``CleanedArticle``. Output: a :class:`Notice` saying which kind of
version the item announces (if any), the pubstatus it asks for, and the headline
*core* (the headline without ``UPDATE 2-`` / ``CORRECTED -`` style prefixes),
which is how a notice finds its story when it carries no uri. Pure; no I/O.

Evidence, strongest first: ninjs ``pubstatus`` (canceled / withheld), feed
``signals``, a headline prefix or suffix, and a bracketed editor's line opening
the body (``(Corrects paragraph 3 ...)``, ``(Adds quotes ...)``) or a kill
advisory (``KILL - Please kill the story headlined ...``). Words inside the
story are never read as notices: "QUAKE KILLS TWO" is a headline, not a kill.
"""

from __future__ import annotations

import re
import zlib
from dataclasses import dataclass
from typing import Literal

from agents.model import CleanedArticle, PubStatus

VersionKind = Literal["update", "correction", "kill", "refile"]

_KIND_OF_WORD: dict[str, VersionKind] = {
    "update": "update", "updated": "update", "wrapup": "update",
    "corrected": "correction", "correction": "correction", "correct": "correction",
    "refile": "refile", "refiled": "refile", "rpt": "refile", "repeat": "refile", "resend": "refile",
    "kill": "kill", "killed": "kill", "withdrawn": "kill", "withdrawal": "kill", "eliminate": "kill",
}
# One prefix such as "UPDATE 2-", "(CORRECTED) - ", "MANDATORY KILL: "; applied at most
# _MAX_PREFIXES times so stacked prefixes ("CORRECTED-UPDATE 1-") are all removed.
# The separator is mandatory, so "KILLS TWO" or "UPDATE ON TALKS" never match.
_PREFIX = re.compile(
    r"^\s*[(\[]?(?:MANDATORY\s+)?(UPDATE|UPDATED|WRAPUP|CORRECTED|CORRECTION|REFILE|RPT|REPEAT|RESEND|"
    r"KILL|(?-i:KILLED)|WITHDRAWN|WITHDRAWAL|ELIMINATE)(?:\s{0,3}\d{1,3})?[)\]]?\s{0,3}[-:\u2013\u2014]\s*",
    re.IGNORECASE,
)
# "KILLED" only in capitals as a prefix: "Killed: the five victims" is a headline, "KILLED - X" a marker.
_SUFFIX = re.compile(
    r"\s*(?:[-:\u2013\u2014]\s{0,3}|[(\[])(UPDATED?|CORRECTED|CORRECTION|REFILED?|(?-i:KILLED)|KILL|WITHDRAWN)[)\]]?\s*$",
    re.IGNORECASE,
)
_SUFFIX_WORDS = ("UPDATE", "UPDATED", "CORRECTED", "CORRECTION", "REFILE", "REFILED", "KILL", "KILLED", "WITHDRAWN")
"""Cheap pre-check before the suffix regex, which would otherwise be tried at every position."""
_MAX_PREFIXES = 4
_BODY_NOTE = re.compile(
    r"^\s*[(\[]\s*(corrects|correcting|correction|adds|updates|recasts|changes|rewrites|writes through|"
    r"refiles|repeats|resends|fixes)\b",
    re.IGNORECASE,
)
_BODY_KIND: dict[str, VersionKind] = {
    "corrects": "correction", "correcting": "correction", "correction": "correction",
    "adds": "update", "updates": "update", "recasts": "update", "changes": "update", "rewrites": "update",
    "writes through": "update", "refiles": "refile", "repeats": "refile", "resends": "refile",
    "fixes": "refile",
}
_BODY_KILL = re.compile(
    r"^\s*(?:(?:mandatory\s+)?kill\b|withdrawn\b|please\s+kill\b|editors?\s*:?\s+(?:please\s+)?"
    r"(?:kill|withdraw|disregard)\b)|\b(?:story|item|report|article)\b[^.]{0,120}?\b(?:has\s+been|is\s+being|is)\s+"
    r"(?:killed|withdrawn)\b|^\s*(?:editor[\u2019']?s[\u2019']?\s+note|note\s+to\s+editors|advisory|editors?)\s*"
    r"[-:\u2013\u2014]\s*[^.]{0,160}?\b(?:has|have|had|is|are|was)\s+(?:been\s+)?(?:withdrawn|killed|eliminated)\b|"
    r"\b(?:withdrawn|killed|withdrew|withdrawing|killing)\s+(?:the|this|its|a)\s+(?:story|item|report|article|dispatch)"
    r"\s+(?:headlined|titled|entitled|slugged)\b",
    re.IGNORECASE,
)
# 'headlined "X"': the story a kill advisory names, for advisories whose own headline is the advisory.
_NAMED_HEADLINE = re.compile(
    r"\b(?:headlined|titled|entitled)\s*:?\s*[\"\u201c\u201e'\u2018]([^\"\u201c\u201d\u201e]{4,200}?)[\"\u201d\u201c'\u2019]"
    r"(?=[\s.,;:)]|$)",
    re.IGNORECASE,
)
_BODY_CORRECTION = re.compile(r"^\s*correction\s*[-:\u2013\u2014]", re.IGNORECASE)
_SIGNAL_WORD = re.compile(r"[a-z]+")
_SIGNAL_KIND: dict[str, VersionKind] = {
    "kill": "kill", "killed": "kill", "withdraw": "kill", "withdrawn": "kill", "cancel": "kill",
    "canceled": "kill", "cancelled": "kill", "correction": "correction", "corrected": "correction",
    "corrects": "correction", "correct": "correction", "refile": "refile", "refiled": "refile",
    "resend": "refile", "repeat": "refile", "update": "update", "updated": "update", "updates": "update",
}
_RANK: dict[VersionKind, int] = {"kill": 4, "correction": 3, "refile": 2, "update": 1}
_NON_WORD = re.compile(r"\W+")
_ASCII_WORDS = bytes(
    c + 32 if 65 <= c <= 90 else c if 48 <= c <= 57 or 97 <= c <= 122 or c == 95 else 32 for c in range(256)
)
"""bytes.translate table: ASCII upper case to lower, every character outside ``\\w`` to a space."""
NOTICE_CHARS = 500
"""Notice text is published cut to this many characters (whitespace collapsed)."""


@dataclass(slots=True)
class Notice:
    """What an item announces about itself."""

    kind: VersionKind | None
    """The version kind the item announces, or None for an ordinary item."""
    pubstatus: PubStatus
    """``canceled`` / ``withheld`` for kills (feed pubstatus wins), else ``usable``."""
    core: str
    """Lower-cased headline words without notice prefixes/suffixes ('' if no headline)."""
    text: str | None = None
    """The notice as the item words it (set only when ``kind`` is): the editor's note, else the
    body's notice line, else the feed signal, else the headline's marker (``CORRECTED-``)."""


def headline_core(headline: str) -> tuple[str, VersionKind | None]:
    """Strip notice prefixes and suffixes; return the normalised core and the strongest kind seen.

    >>> headline_core("CORRECTED-UPDATE 2-Quake kills 12 in Chile <XYZ>")
    ('quake kills 12 in chile xyz', 'correction')
    >>> headline_core("QUAKE KILLS TWO")
    ('quake kills two', None)
    """
    core, kind, _ = _headline_parts(headline)
    return core, kind


def _headline_parts(headline: str) -> tuple[str, VersionKind | None, str]:
    """The core, the strongest kind and the marker text (prefixes and suffix as written)."""
    if _PREFIX.match(headline) is None:
        tail = headline.rstrip()[-12:].upper()
        if not (tail.endswith((")", "]")) or tail.endswith(_SUFFIX_WORDS)):
            # No prefix, no suffix to look for (nearly every headline): the core alone.
            return _words_joined(headline), None, ""
    kind: VersionKind | None = None
    text = headline
    marks: list[str] = []
    for _ in range(_MAX_PREFIXES):
        m = _PREFIX.match(text)
        if m is None:
            break
        kind = _stronger(kind, _KIND_OF_WORD[m.group(1).lower()])
        marks.append(text[: m.end()].strip())
        text = text[m.end() :]
    tail = text.rstrip()[-12:].upper()
    if tail.endswith((")", "]")) or tail.endswith(_SUFFIX_WORDS):
        # Searched in the last 40 characters only: a suffix is short, and searching a long
        # headline from every position would be quadratic on runs of spaces.
        cut = max(0, len(text) - 40)
        m = _SUFFIX.search(text, cut)
        if m is not None:
            kind = _stronger(kind, _KIND_OF_WORD[m.group(1).lower()])
            marks.append(text[m.start() :].strip())
            text = text[: m.start()]
    return _words_joined(text), kind, " ".join(marks)


def _words_joined(text: str) -> str:
    r"""Lower-cased word runs (``\w+``) joined by single spaces.

    ASCII text (nearly every headline) takes C calls that match ``\w`` exactly on ASCII: one
    bytes translate (lower-casing, every non-word character to a space), then split/join (about
    a quarter of the Unicode regex's cost); other text takes the regex.

    >>> _words_joined("  U.S. <IBM> -- 2nd_qtr!  "), _words_joined("Café <X> up")
    ('u s ibm 2nd_qtr', 'café x up')
    """
    if text.isascii():
        return b" ".join(text.encode("ascii").translate(_ASCII_WORDS).split()).decode("ascii")
    return _NON_WORD.sub(" ", text.lower()).strip(" ")


def _stronger(a: VersionKind | None, b: VersionKind | None) -> VersionKind | None:
    if a is None:
        return b
    if b is None:
        return a
    return a if _RANK[a] >= _RANK[b] else b


# Words that say what kind of notice a headline is, not whom it is about ("X CORP SETS
# QUARTERLY DIVIDEND"): left out when comparing the headlines of very short stories.
_GENERIC = frozenset(
    "a an and the of to in on for at by with from as is are be says said sees set sets raises raised "
    "hikes cuts omits declares declared votes pays regular quarterly qtly annual div dividend dividends "
    "payout initial special stock split net shr qtr 1st 2nd 3rd 4th year loss profit results inc corp co "
    "ltd plc llc group holdings holding company cos unit units".split()
)
MAX_NAMES = 8


def headline_names(core: str) -> tuple[int, ...]:
    """16-bit hashes of the headline core's distinctive words (at most MAX_NAMES, sorted).

    >>> headline_names("quaker oats co oat regular dividend") == headline_names("quaker oats oat dividend")
    True
    """
    words = sorted({w for w in core.split() if w not in _GENERIC})
    return tuple(sorted({zlib.crc32(w.encode("utf-8", "surrogatepass")) & 0xFFFF for w in words}))[:MAX_NAMES]


def names_agree(a: tuple[int, ...], b: tuple[int, ...]) -> bool:
    """Whether two headlines name the same subject: half the smaller name set is shared (or unknown)."""
    if not a or not b:
        return True
    shared = len(set(a).intersection(b))
    return shared * 2 >= min(len(a), len(b))


_ADVISORY_LEADS = frozenset("AaEeNn")
"""First letters of the advisory openings (advisory, editor's note, note to editors) _BODY_KILL accepts."""


def _named_headline(*texts: str) -> str:
    """The core of the headline a kill advisory quotes ('headlined "X"'), or ''."""
    for text in texts:
        head = text[:600]
        if "itled" in head or "headlined" in head.lower():
            m = _NAMED_HEADLINE.search(head)
            if m is not None:
                return headline_core(m.group(1))[0]
    return ""


def read_notice(article: CleanedArticle) -> Notice:
    """Read the notice an article carries (see module docstring for the evidence used).

    Args:
        article: the cleaned article.

    Returns:
        Its :class:`Notice`.
    """
    item = article.item
    core, kind, marker = _headline_parts(article.headline or item.headline or "")
    signal_text: str | None = None
    # The editor's note is read like a feed signal (ingest used to pass it as one).
    notes = (*item.signals, item.ednote) if item.ednote else item.signals
    for signal in notes:
        for word in _SIGNAL_WORD.findall(signal.lower()[:200]):
            found = _SIGNAL_KIND.get(word)
            if found is not None:
                kind = _stronger(kind, found)
                signal_text = signal_text or signal
    body_line: str | None = None
    if article.paragraphs:
        first = article.paragraphs[0][:300]
        lead = first.lstrip()[:1]
        m = _BODY_NOTE.match(first) if lead in "([" else None
        if m is not None:
            kind = _stronger(kind, _BODY_KIND[" ".join(m.group(1).lower().split())])
            body_line = first
        if lead in "cC" and _BODY_CORRECTION.match(first):
            kind = _stronger(kind, "correction")
            body_line = first
        low = first.lower()
        if ("kill" in low or "withdr" in low or "disregard" in low) and _BODY_KILL.search(first):
            kind = _stronger(kind, "kill")
            body_line = first
    headline = article.headline or item.headline or ""
    if kind != "kill" and headline[:1] in _ADVISORY_LEADS and _BODY_KILL.match(headline[:300]) is not None:
        # The advisory is the headline itself ("Advisory: the story on X has been withdrawn").
        kind = "kill"
        body_line = body_line or headline
    if kind == "kill" and not marker:
        # An advisory naming its story ('withdrawn the story headlined "X"') finds it by that headline.
        named = _named_headline(headline, article.paragraphs[0] if article.paragraphs else "")
        if named:
            core = named
    pubstatus: PubStatus = item.pubstatus
    if pubstatus in ("canceled", "withheld"):
        kind = "kill"
    elif kind == "kill":
        pubstatus = "canceled"
    if kind is None:
        return Notice(kind=None, pubstatus=pubstatus, core=core)
    text = item.ednote or body_line or signal_text or marker or None
    if text is None and kind == "kill" and len(article.paragraphs) == 1:
        # A feed-status kill whose whole body is the advisory ("Withdrawn.").
        text = article.paragraphs[0]
    if text is not None:
        text = " ".join(text.split())[:NOTICE_CHARS] or None
    return Notice(kind=kind, pubstatus=pubstatus, core=core, text=text)
