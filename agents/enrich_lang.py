"""Language identification for the enrich stage (ISO 639-1), in microseconds.

Input: a text (the caller passes the headline and the start of the body) and
an optional language the feed declared. Outcome: an ISO 639-1 code or None.

How: non-Latin scripts decide by their Unicode block (Cyrillic then by
function words, Arabic-script by Persian/Urdu letters, CJK by kana); Latin and
Cyrillic text scores a word list per language (``agents/rules/enrich_language.json``).
A feed-declared language wins when the text's evidence is weak (short
headlines without function words). No model is loaded: the tables are ~20 kB.

Side effects: none.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping
from importlib import resources

_RULES = json.loads(resources.files("agents.rules").joinpath("enrich_language.json").read_text("utf-8"))
_WORDS: dict[str, tuple[str, ...]] = {}
for _lang, _words in _RULES["words"].items():
    for _w in set(_words.split()):
        _WORDS[_w] = (*_WORDS.get(_w, ()), _lang)
_SCRIPTS: tuple[tuple[int, int, str], ...] = tuple((ord(a), ord(b), lang) for a, b, lang in _RULES["scripts"])
_PERSIAN = frozenset(_RULES["persian_letters"])
_URDU = frozenset(_RULES["urdu_letters"])
_WORD_RE = re.compile(r"[^\W\d_]+(?:[-'][^\W\d_]+)?")
_MAX_CHARS = 800
_NON_LATIN_RE = re.compile(r"[\u0370-\U0010ffff]")
# Stop scoring once the leader is this many words ahead (long texts decide early).
_DECIDED_MARGIN = 6
# Evidence below this many scored words is "weak": a declared language wins.
_WEAK = 2
# A single scored word this long ("prices", "sagte") is evidence on its own.
_STRONG_WORD = 4


def detect_language(text: str, declared: str | None = None) -> str | None:
    """The text's ISO 639-1 language, or None when there is no evidence at all.

    Args:
        text: any text; only its first 800 characters are read (bounded cost).
        declared: the feed's language (``item.language``), e.g. ``"en"`` or ``"en-GB"``.

    Returns:
        A two-letter code such as ``"en"``.

    >>> detect_language("Der Bundeskanzler sagte am Montag in Berlin, dass die Regierung")
    'de'
    >>> detect_language("Oil prices", declared="en-GB")
    'en'
    """
    hint = declared.split("-")[0].split("_")[0].lower() if declared else None
    if hint is not None and len(hint) != 2:
        hint = None
    sample = text[:_MAX_CHARS]
    if not sample.isascii():
        script = _script_language(sample)
        if script is not None:
            return script
    scores: dict[str, int] = {}
    total = 0
    longest = 0
    for m in _WORD_RE.finditer(sample.lower()):
        langs = _WORDS.get(m.group())
        if langs:
            total += 1
            longest = max(longest, len(m.group()))
            for lang in langs:
                scores[lang] = scores.get(lang, 0) + 1
            if total >= _DECIDED_MARGIN and len(langs) == 1 and total % 4 == 0:
                ranked = sorted(scores.values(), reverse=True)
                if ranked[0] - (ranked[1] if len(ranked) > 1 else 0) >= _DECIDED_MARGIN:
                    break
    return _decide(scores, total, hint, longest)


def detect_language_words(words: Iterable[str], sample: str, declared: str | None = None) -> str | None:
    """Like :func:`detect_language`, from the words the caller already has.

    Each distinct word votes once for every language it is a common word of
    (a set intersection in C, then a loop over the few dozen words it keeps).

    Args:
        words: the lower-cased words of the sample (repeats count once).
        sample: the text, read only for its script when it is not ASCII.
        declared: the feed's language.

    >>> detect_language_words({"the", "said", "of"}, "The minister said")
    'en'
    """
    hint = declared.split("-")[0].split("_")[0].lower() if declared else None
    if hint is not None and len(hint) != 2:
        hint = None
    sample = sample[:_MAX_CHARS]
    if not sample.isascii():
        script = _script_language(sample)
        if script is not None:
            return script
    hits = _WORDS.keys() & words
    if not hits:
        return hint
    scores: dict[str, int] = {}
    get = scores.get
    longest = 0
    for w in hits:  # a few dozen words: a plain loop beats Counter's set-up
        for lang in _WORDS[w]:
            scores[lang] = get(lang, 0) + 1
        if len(w) > longest:
            longest = len(w)
    if len(hits) < _WEAK and longest < _STRONG_WORD:
        return hint
    return _best_of(scores, len(hits), hint)


def _best_of(scores: Mapping[str, int], total: int, hint: str | None) -> str:
    """:func:`_decide` for non-empty evidence, ties going to the smallest code rather than the first seen.

    A set's order follows string hashes, which differ from process to process: a tie
    must not be decided by that (nor cost a sort of the scores to avoid it).
    """
    top = max(scores.values())
    if hint is not None and (total < _WEAK or scores.get(hint, 0) >= top):
        return hint
    tied = [lang for lang, n in scores.items() if n == top]
    if len(tied) == 1:
        return tied[0]
    return "en" if "en" in tied else min(tied)


def _decide(scores: Mapping[str, int], total: int, hint: str | None, longest: int) -> str | None:
    """The best-scoring language; the declared one on weak evidence.

    One short word alone ("co", "di": abbreviations in any language) is no evidence.
    """
    if not scores or (total < _WEAK and longest < _STRONG_WORD):
        return hint
    best = max(scores.items(), key=lambda kv: (kv[1], kv[0] == hint, kv[0] == "en"))
    if total < _WEAK and hint is not None:
        return hint
    if hint is not None and scores.get(hint, 0) >= best[1]:
        return hint
    return best[0]


def _script_language(sample: str) -> str | None:
    """A language decided by script alone (None for Latin or Cyrillic text)."""
    counts: dict[str, int] = {}
    foreign = _NON_LATIN_RE.findall(sample)
    cyrillic = 0
    for ch in foreign:
        o = ord(ch)
        if 0x400 <= o <= 0x4FF:
            cyrillic += 1
            continue  # Cyrillic: decided by word lists.
        for lo, hi, lang in _SCRIPTS:
            if lo <= o <= hi:
                counts[lang] = counts.get(lang, 0) + 1
                break
    if not counts:
        return None  # (Latin text with curly quotes and dashes ends here, before the letters are counted)
    letters = sum(map(str.isalpha, sample)) - len(foreign) + cyrillic
    lang, n = max(counts.items(), key=lambda kv: kv[1])
    if n < letters:
        return None  # mostly Latin/Cyrillic with a few foreign characters.
    if lang == "ja" or (lang == "zh" and counts.get("ja", 0) * 10 >= n):
        return "ja" if counts.get("ja") else "zh"
    if lang == "ar":
        chars = set(sample)
        if chars & _URDU:
            return "ur"
        if chars & _PERSIAN:
            return "fa"
    return lang
