"""IPTC Media Topics and keywords for the enrich stage.

Input: the lower-cased words of the body and headline. Outcome: top-level
Media Topics (``medtop:01000000`` ... ``medtop:17000000``, names as IPTC
publishes them) with relevance in [0, 1], and keywords. Only the 17 top-level
topics are scored: deeper levels need evidence a cue list cannot give reliably.

How: each topic has a weighted cue list (``agents/rules/enrich_topics.json``);
a topic's score is its cue weight per 100 words, headline cues counting
three times; relevance saturates with that density.

Side effects: none.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from importlib import resources
from itertools import compress, filterfalse, repeat
from operator import lt

from agents.enrich_values import subject
from agents.model import Subject

_RULES = json.loads(resources.files("agents.rules").joinpath("enrich_topics.json").read_text("utf-8"))
_NAMES: dict[str, str] = {code: t["name"] for code, t in _RULES["topics"].items()}
_CUES: dict[str, tuple[tuple[str, float], ...]] = {}
for _code, _topic in _RULES["topics"].items():
    for _cue, _w in _topic["cues"].items():
        if _w:
            _CUES[_cue] = (*_CUES.get(_cue, ()), (_code, float(_w)))
_UNIGRAMS = {c: h for c, h in _CUES.items() if " " not in c}
# Plurals resolve at import ("protests" -> "protest") so scoring is one set intersection.
_UNIGRAMS.update({f"{c}s": h for c, h in list(_UNIGRAMS.items()) if f"{c}s" not in _UNIGRAMS})
_BIGRAMS = tuple((c, c.split(" ", 1)[0], c.rsplit(" ", 1)[-1], h) for c, h in _CUES.items() if " " in c)
_BIGRAM_FIRSTS = frozenset(first for _, first, _, _ in _BIGRAMS)
_HEADLINE_WEIGHT = 3.0
# A topic is reported when its weighted cue density reaches this (per 100 words)
# and it is within this share of the best topic.
_MIN_DENSITY = 1.2
_MIN_SHARE = 0.35
_MAX_SUBJECTS = 4

_STOP = frozenset(
    """
    the of and to in a is that for on with as was by at from it be are were has have had said says will not but an
    this which who their its they he she been would could after over more than about also his her him them there
    what when where while into under other some such only can may one two three four five six seven eight nine ten
    year years last first new since told says just like even still very most much many any each both those these
    then than our out up down off all per well should does did being made make take took against between during
    before including because however through around already says reuter mln pct dlrs cts week month today monday
    tuesday wednesday thursday friday saturday sunday yesterday told according next added asked way least
    """.split()
)


def score_subjects(
    counts: Mapping[str, int], total: int, headline_words: list[str], text: str = ""
) -> tuple[Subject, ...]:
    """Top-level IPTC Media Topics for a text, best first.

    Args:
        counts: lower-cased word -> occurrences in the body.
        total: number of words in the body.
        headline_words: the headline's lower-cased words (they count three times).
        text: the body, for two-word cues ("interest rates"); lower-cased only when
            a cue's first word occurs.

    >>> [s.code for s in score_subjects({"election": 1, "opposition": 1, "protests": 1}, 5, [])]
    ['medtop:11000000']
    """
    scores: dict[str, float] = {}
    _accumulate(counts, 1.0, scores)
    if headline_words:
        heads: dict[str, int] = {}
        for w in headline_words:  # a handful of words: a plain loop beats Counter's set-up
            heads[w] = heads.get(w, 0) + 1
        _accumulate(heads, _HEADLINE_WEIGHT, scores)
    # (Most texts have none of the phrases' first words: one C-level test skips the loop.)
    if text and not counts.keys().isdisjoint(_BIGRAM_FIRSTS):
        text_lower = ""
        for phrase, first, last, hits in _BIGRAMS:
            if first not in counts or last not in counts:
                continue  # the phrase cannot occur: skip the scan of the text
            text_lower = text_lower or text.lower()
            n = text_lower.count(phrase)
            if n:
                for code, cw in hits:
                    scores[code] = scores.get(code, 0.0) + cw * n
    if not scores:
        return ()
    per100 = 100.0 / max(total + len(headline_words), 30)
    best = max(scores.values())
    out = []
    # Ties go to the smaller code: the scores' order follows a set's, which differs from process to process.
    for code, score in sorted(scores.items(), key=_by_score):
        density = score * per100
        if density < _MIN_DENSITY or score < best * _MIN_SHARE:
            continue
        relevance = round(min(1.0, density / 8.0) * (score / best) ** 0.5, 3)
        out.append(subject(code, _NAMES[code], max(relevance, 0.05)))
        if len(out) == _MAX_SUBJECTS:
            break
    return tuple(out)


def _by_score(kv: tuple[str, float]) -> tuple[float, str]:
    return (-kv[1], kv[0])


def _accumulate(counts: Mapping[str, int], weight: float, scores: dict[str, float]) -> None:
    cues = _UNIGRAMS
    for w in counts.keys() & cues.keys():  # set() of the smaller side first
        n = counts[w] * weight
        for code, cw in cues[w]:
            scores[code] = scores.get(code, 0.0) + cw * n


def keywords(
    counts: Mapping[str, int], total: int, headline_words: list[str], entity_words: frozenset[str], limit: int
) -> tuple[str, ...]:
    """The most frequent content words (headline words count two more), entity names excluded.

    >>> keywords({"protest": 3, "the": 9, "march": 2, "putin": 4}, 200, [], frozenset({"putin"}), 5)
    ('protest', 'march')
    """
    stop = _STOP
    scored: dict[str, int] = {
        w: counts.get(w, 0) + 2 for w in set(headline_words) if len(w) > 3 and w not in stop and w not in entity_words
    }
    # Walk the body's words by count (a C-level sort) only until enough are found.
    need = limit + len(scored)
    short = total < 80
    # Unless the text is short only words seen twice can rank: they are picked in C
    # (compress over "1 < count") before the sort, which then orders a third of the words.
    # (Sorting the words by their count, rather than (word, count) pairs, builds no tuples.)
    pool = counts if short else compress(counts, map(lt, repeat(1), counts.values()))
    # Stop words never rank: dropped in C too (filterfalse keeps the order, so ties still go to
    # the word seen first), which spares the loop below the most frequent words of any text.
    for w in sorted(filterfalse(stop.__contains__, pool), key=counts.__getitem__, reverse=True):
        n = counts[w]
        if need <= 0 or (n < 2 and not short):
            break
        if len(w) > 3 and w not in entity_words and w not in scored:
            scored[w] = n
            need -= 1
    ranked = sorted(scored.items(), key=lambda kv: (-kv[1], kv[0]))
    return tuple(w for w, n in ranked[:limit] if n >= 2 or total < 80)
