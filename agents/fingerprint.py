"""Content fingerprints of a cleaned article, for the dedupe stage.

Input: the article's paragraphs (``CleanedArticle.paragraphs``). Output: one
:class:`DocPrint` holding everything dedupe compares or stores. Pure; no I/O.
The only side effect is a bounded word-hash cache (a pure function memoised).

What a print holds, and why:

* ``fingerprint``: ``v1:`` + 64-bit BLAKE2b of the lower-cased word tokens with
  the ``Reuter``/``Reuters`` sign-off dropped. Case, punctuation, whitespace and
  line wrapping do not change it; any word or number does. The ``v1`` prefix
  versions the normalisation: change it and old keys simply stop matching.
* ``shingles`` / ``bottom``: word 5-gram hashes (64-bit, vectorised with numpy)
  and their ``k`` smallest values, a *bottom-k* sketch (Broder 1997; Cohen &
  Kaplan 2007). We chose bottom-k over k-permutation MinHash (datasketch) and
  SimHash because:

  - it costs one hash per shingle instead of k (128 in the datasketch
    baseline): a few microseconds with numpy versus hundreds;
  - the few smallest hashes double as LSH index keys (band size 1), so an
    article needs only ``index_keys`` index writes, and two articles sharing a
    shingle hash share the key whatever its rank (A's 2nd smallest can meet B's
    smallest), which keeps recall high for updates that grow a story;
  - because dedupe always has the *new* article's full shingle set in hand,
    the stored sample of an old article gives an unbiased estimate of the
    containment |old ∩ new| / |old| and, with the stored set size, of Jaccard
    and of the reverse containment. Containment is what tells a trimmed copy
    (new ⊂ old) from an update (old ⊂ new); SimHash gives neither and is noisy
    on the short stories wires are full of.

  Stored samples keep only the low 16 bits of each hash (2 bytes); the false
  match rate that brings (|new| / 65536) is corrected in :func:`containment`.
* ``paras``: per paragraph a 32-bit code: 16-bit hash of its *skeleton* (words
  with facts blanked) and 16-bit hash of its *facts* (numbers, dates, capitalised
  names, normalised). Aligning two versions' codes tells apart a paragraph that
  was reworded (same facts), one whose facts changed in the same wording (a
  recurring report: different story), and added / removed paragraphs (an
  update, a trimmed copy). 16 bits suffice: codes are only compared within one
  candidate pair.
* ``facts``: the sorted distinct 16-bit hashes of the document's facts. Stories
  store the ``FACT_SAMPLE`` smallest (a bottom-k sample, exact for the usual
  story with fewer facts): which of the old story's facts the new text lost, and
  which facts it gained, is then counted exactly (up to 16-bit collisions) within
  the sampled hash range. It decides when two versions are paragraphed too
  differently to align, and whether a rewritten paragraph replaced facts.
"""

from __future__ import annotations

import functools
import re
import struct
import zlib
from dataclasses import dataclass
from hashlib import blake2b
from typing import cast

import numpy as np
import numpy.typing as npt

FINGERPRINT_VERSION = "v1"
SHINGLE_WORDS = 5
FACT_SAMPLE = 32
"""Fact hashes stored per story (the smallest ones; 2 bytes each)."""
MAX_PARAGRAPHS = 40
"""Paragraph codes kept per story; later paragraphs fold into the last code (bounds state)."""

# Word runs joined by single inner separators ("1,750", "U.S", "Saturday's").
# Each repetition must consume a separator, so there is no ambiguous backtracking.
_TOKEN = re.compile(r"\w+(?:[.,'\u2019]\w+)*")
_TRAILING_SIGNOFF = re.compile(r"\s{0,8}\b[Rr][Ee][Uu][Tt][Ee][Rr][Ss]?\s{0,8}$")
_SIGNOFF = frozenset({"reuter", "reuters"})
# Spelled-out numbers are facts too ("two billion" vs "1.5 billion"); "one" is left out
# because it is more often a pronoun ("one of the").
_NUMBER_WORDS = {
    w: str(i) for i, w in enumerate(
        "zero _ two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen "
        "sixteen seventeen eighteen nineteen twenty".split()
    ) if w != "_"
} | {"thirty": "30", "forty": "40", "fifty": "50", "sixty": "60", "seventy": "70", "eighty": "80", "ninety": "90"}
# A spelled-out number as a whole space-separated word of a skeleton (the same test as membership
# of each word of text.split(" ") in _NUMBER_WORDS). Literal alternatives anchored on spaces.
_NUMBER_WORD_IN = re.compile("(?:^| )(?:" + "|".join(_NUMBER_WORDS) + ")(?= |$)")
# Words, and the sentence-ending marks between them as one-character tokens. Each match
# starts at its own first character and never re-reads separators, so the scan is linear
# (an earlier "punctuation, then separators, then a word" pattern rescanned runs of quotes
# or spaces from every position: quadratic). Inner separators must precede a word char.
# One pattern without groups: findall then returns plain strings, not a (mark, word) tuple per
# match (building those tuples cost more than the scan). A mark is a single character that no
# word starts with, so the first character tells them apart.
_MARK_CHARS = ".!?:;\"\u201c\u201d"
_WORD_CTX = re.compile(r"[.!?:;\"\u201c\u201d]|\w+(?:[.,'\u2019]\w+)*")
# The pattern used: the same words, except that each run of words opening with an ASCII
# lower-case letter (or "_") and separated by single spaces ("rose sharply in early") comes as
# one item. Such words are never facts, so the Python loop handles the run at once; its split on
# " " gives the same words as the pattern above. ASCII paragraphs (nearly all) use the re.ASCII
# twin, whose \w is the same set on ASCII text and a cheaper test. Linear: each repetition
# starts with a character the previous part cannot consume.
_WORD_RUNS = (r"[.!?:;\"\u201c\u201d]"
              r"|[a-z_]\w*(?:[.,'\u2019]\w+)*(?: [a-z_]\w*(?:[.,'\u2019]\w+)*)*"
              r"|\w+(?:[.,'\u2019]\w+)*")
_WORD_CTX_RUNS = re.compile(_WORD_RUNS)
_WORD_CTX_ASCII = re.compile(_WORD_RUNS, re.ASCII)
_ABBREVIATIONS = frozenset(
    "Inc Corp Co Ltd Bros Mr Mrs Ms Dr St Sen Rep Gov Gen Lt Col Jr Sr No Nos Jan Feb Mar Apr Jun Jul Aug "
    "Sep Sept Oct Nov Dec U S".split()
)
_HOLE_WORD = "qqfactqq"
"""Stands for a fact in a skeleton."""
EMPTY_FACTS = 0
"""The facts half of the code of a paragraph without facts."""
_MONTHS = {
    "jan": "jan", "january": "jan", "feb": "feb", "february": "feb", "mar": "mar", "march": "mar",
    "apr": "apr", "april": "apr", "may": "may", "jun": "jun", "june": "jun", "jul": "jul",
    "july": "jul", "aug": "aug", "august": "aug", "sep": "sep", "sept": "sep", "september": "sep",
    "oct": "oct", "october": "oct", "nov": "nov", "november": "nov", "dec": "dec", "december": "dec",
}
# Capitalised words that are wording, not facts: editors add or drop weekdays
# ("said on Tuesday") and agency credits when they republish a story.
_NOT_FACTS = frozenset(
    "monday tuesday wednesday thursday friday saturday sunday today yesterday tomorrow "
    "reuters reuter ap afp bloomberg i the a an".split()
)

_ROLL = np.uint64(0x100000001B3)
_MIX1 = np.uint64(0xFF51AFD7ED558CCD)
_SHIFT33 = np.uint64(33)

_word_cache: dict[str, int] = {}
_WORD_CACHE_MAX = 400_000


@dataclass(frozen=True, slots=True)
class DocPrint:
    """Everything dedupe needs to know about one article's content."""

    fingerprint: str
    """Versioned exact fingerprint of the normalised body (``v1:<16 hex>``)."""
    fp_bytes: bytes
    """The 8 raw bytes behind ``fingerprint`` (used in state keys)."""
    shingles: npt.NDArray[np.uint64]
    """Sorted unique 64-bit shingle hashes."""
    paras: tuple[int, ...]
    """Per paragraph ``skeleton16 << 16 | facts16`` (at most MAX_PARAGRAPHS)."""
    para_words: tuple[int, ...]
    """Word count of each paragraph (same indexing as ``paras``)."""
    facts: tuple[int, ...]
    """Sorted distinct 16-bit hashes of the document's facts."""

    @property
    def n_shingles(self) -> int:
        """How many distinct shingles the body has."""
        return int(self.shingles.shape[0])

    def bottom(self, k: int) -> npt.NDArray[np.uint64]:
        """The ``k`` smallest shingle hashes (fewer for short bodies)."""
        return self.shingles[:k]

    def samples(self, k: int) -> bytes:
        """The stored sketch: low 16 bits of the ``k`` smallest hashes, little-endian."""
        # Casting uint64 to uint16 keeps the low 16 bits (no mask pass needed).
        return self.shingles[:k].astype("<u2").tobytes()


def word_hash(word: str) -> int:
    """A stable 64-bit hash of a word (memoised; the cache is cleared when full)."""
    h = _word_cache.get(word)
    if h is None:
        if len(_word_cache) >= _WORD_CACHE_MAX:
            _word_cache.clear()
        h = int.from_bytes(blake2b(word.encode("utf-8", "surrogatepass"), digest_size=8).digest(), "little")
        _word_cache[word] = h
    return h


def hash16(text: str) -> int:
    """A stable 16-bit hash (CRC-32 folded)."""
    c = zlib.crc32(text.encode("utf-8", "surrogatepass"))
    return (c ^ (c >> 16)) & 0xFFFF


def stable_hash(text: str, size: int = 8) -> bytes:
    """A stable ``size``-byte BLAKE2b digest of ``text`` (state keys, story ids)."""
    return blake2b(text.encode("utf-8", "surrogatepass"), digest_size=size).digest()


_fact16_cache: dict[str, int] = {}
_FACT16_CACHE_MAX = 200_000


def _fact16(fact: str) -> int:
    """``hash16(fact)``, memoised (facts recur: numbers, months, names)."""
    h = _fact16_cache.get(fact)
    if h is None:
        if len(_fact16_cache) >= _FACT16_CACHE_MAX:
            _fact16_cache.clear()
        h = _fact16_cache[fact] = hash16(fact)
    return h


_cap_cache: tuple[dict[str, str | None], dict[str, str | None]] = ({}, {})
_CAP_CACHE_MAX = 200_000
_UNSEEN = "\x00unseen"
"""A value no memo holds (facts are words or None)."""


def _cap_fact(token: str, sentence_start: bool) -> str | None:
    """The normalised fact a capitalised token states, or None when it is wording (memoised)."""
    cache = _cap_cache[sentence_start]
    try:
        return cache[token]
    except KeyError:
        pass
    if len(cache) >= _CAP_CACHE_MAX:
        cache.clear()
    fact = cache[token] = _cap_fact_uncached(token, sentence_start)
    return fact


def _cap_fact_uncached(token: str, sentence_start: bool) -> str | None:
    low = token.lower().replace(".", "").replace("\u2019", "'").removesuffix("'s")
    month = _MONTHS.get(low) or _NUMBER_WORDS.get(low)
    if month is not None:
        return month
    if low in _NOT_FACTS or not low:
        return None
    if sentence_start and not (len(token) > 1 and token.isupper()):
        # "The", "Shares", "Analysts" open sentences; an all-caps token (OPEC) is a name anywhere.
        return None
    return low


def paragraph_code(paragraph: str, facts_out: list[str] | None = None) -> tuple[int, list[str]]:
    """The paragraph's 32-bit (skeleton, facts) code and its lower-cased words.

    Facts are numbers (digits or spelled out), dates and capitalised names not opening a
    sentence; the skeleton is the paragraph's words with each fact replaced by a placeholder
    word. One C-level regex pass yields the words (runs of ASCII lower-case words as one item) and the
    sentence-ending marks between them as plain strings; the Python loop does one character
    test per item for the (majority) lower-case runs.

    Args:
        paragraph: one paragraph of the cleaned body.
        facts_out: if given, the paragraph's facts are appended to it.

    Returns:
        ``(skeleton16 << 16 | facts16, words)``.
    """
    text = _norm_percent(paragraph)
    items = (_WORD_CTX_ASCII if text.isascii() else _WORD_CTX_RUNS).findall(text)
    if not items:
        return hash16("") << 16 | EMPTY_FACTS, []
    facts: list[str] = []
    skeleton: list[str] = []
    first = True
    cap_fact = _cap_fact
    cap_caches = _cap_cache
    prev = ""
    pre = ""
    tokens: list[str] = []
    for tok in items:
        # tok: a mark, a word, or (ASCII) a run of lower-case words joined by single spaces.
        c = tok[0]
        if c in _MARK_CHARS:
            if not pre:
                pre = tok
            continue
        before = prev
        prev = tok
        tokens.append(tok)
        if c.islower():
            skeleton.append(tok)
            first = False
            pre = ""
            continue
        if pre == ".":
            last = before[before.rfind(" ") + 1 :]
            if "." in last or last in _ABBREVIATIONS:
                # "U.S. Geological", "Corp. said": the full stop ends an abbreviation, not a sentence.
                pre = ""
        if c.isdigit():
            facts.append(tok.replace(",", ""))
            skeleton.append(_HOLE_WORD)
        elif c.isupper():
            # _cap_fact's memo read here (a call saved per capitalised word), computed on a miss.
            start = first or bool(pre)
            fact = cap_caches[start].get(tok, _UNSEEN)
            if fact is _UNSEEN:
                fact = cap_fact(tok, start)
            if fact is None:
                skeleton.append(tok)
            else:
                facts.append(fact)
                skeleton.append(_HOLE_WORD)
        else:
            skeleton.append(tok)
        first = False
        pre = ""
    if not tokens:
        return hash16("") << 16 | EMPTY_FACTS, []
    words = " ".join(tokens).lower().split(" ")
    skel_text = " ".join(skeleton).lower()
    if _NUMBER_WORD_IN.search(skel_text) is not None:
        # Spelled-out numbers are facts too ("two billion" vs "1.5 billion"). The search above
        # spares most paragraphs (none) the split and re-join.
        skel_words = skel_text.split(" ")
        facts.extend(_NUMBER_WORDS[w] for w in skel_words if w in _NUMBER_WORDS)
        skel_text = " ".join([_HOLE_WORD if w in _NUMBER_WORDS else w for w in skel_words])
    if facts_out is not None:
        facts_out.extend(facts)
    code = hash16(skel_text) << 16 | (hash16("\x1f".join(sorted(set(facts)))) if facts else EMPTY_FACTS)
    return code, words


def _norm_percent(text: str) -> str:
    """House-style spellings of "percent" unified ("%", "pct", "per cent")."""
    if "%" in text:
        text = text.replace("%", " percent")
    if "pc" in text or "PC" in text or "er c" in text:
        text = (text.replace(" pct", " percent").replace(" PCT", " PERCENT").replace("per cent", "percent")
                .replace("per-cent", "percent"))
    return text


def _drop_signoff(words: list[str]) -> list[str]:
    if words and words[-1] in _SIGNOFF:
        return words[:-1]
    return words


def shingle_hashes(words: list[str]) -> npt.NDArray[np.uint64]:
    """Sorted unique 64-bit hashes of the word 5-grams (one shingle for shorter texts)."""
    if not words:
        return np.zeros(0, dtype=np.uint64)
    hashes = list(map(_word_cache.get, words))
    if None in hashes:
        hashes = [h if h is not None else word_hash(x) for h, x in zip(hashes, words, strict=True)]
    w = np.array(hashes, dtype=np.uint64)
    n = SHINGLE_WORDS if len(words) >= SHINGLE_WORDS else len(words)
    m = len(words) - n + 1
    # Multiply-xor chain over the (already random) word hashes, wrapping mod 2**64 (numpy
    # array arithmetic wraps silently), then one multiply-shift round so the low bits the
    # stored samples keep depend on every word.
    s = w[:m] * _ROLL
    for j in range(1, n):
        s ^= w[j : j + m]
        s *= _MIX1
    s ^= s >> _SHIFT33
    s.sort()
    if m > 1:
        # Sorted unique without np.unique's hashing overhead on small arrays.
        keep = np.empty(m, dtype=bool)
        keep[0] = True
        np.not_equal(s[1:], s[:-1], out=keep[1:])
        s = s[keep]
    return s


def doc_print(paragraphs: tuple[str, ...] | list[str]) -> DocPrint:
    r"""Fingerprint a body given as paragraphs.

    Args:
        paragraphs: the cleaned paragraphs, in order.

    Returns:
        The article's :class:`DocPrint`.

    >>> a = doc_print(["Oil rose 2 pct on Monday.", "Traders said so.\n Reuter"])
    >>> b = doc_print(["OIL  rose 2 pct on monday", "traders said so"])
    >>> a.fingerprint == b.fingerprint, a.fingerprint[:3]
    (True, 'v1:')
    """
    codes: list[int] = []
    counts: list[int] = []
    all_words: list[str] = []
    facts: list[str] = []
    if paragraphs:
        last = _TRAILING_SIGNOFF.sub("", paragraphs[-1])
        if last != paragraphs[-1]:
            # The agency's sign-off is not story text (and would make the last paragraph
            # of a copy that dropped it look reworded).
            paragraphs = [*paragraphs[:-1], last]
    for para in paragraphs:
        code, words = paragraph_code(para, facts)
        if not words:
            continue
        codes.append(code)
        counts.append(len(words))
        all_words.extend(words)
    all_words = _drop_signoff(all_words)
    if len(codes) > MAX_PARAGRAPHS:
        tail = hash16(" ".join(str(c) for c in codes[MAX_PARAGRAPHS - 1 :]))
        codes = [*codes[: MAX_PARAGRAPHS - 1], tail << 16 | tail]
        counts = [*counts[: MAX_PARAGRAPHS - 1], sum(counts[MAX_PARAGRAPHS - 1 :])]
    digest = blake2b(" ".join(all_words).encode("utf-8", "surrogatepass"), digest_size=8).digest()
    # A multiset: "31 cts ... March 31" states 31 twice, and a template reusing one of them
    # for another figure has lost a fact.
    seen: dict[str, int] = {}
    occurrences = []
    for f in facts:
        n = seen[f] = seen.get(f, 0) + 1
        occurrences.append(f if n == 1 else f"{f}\x1e{n}")
    memo = set(map(_fact16_cache.get, occurrences))
    # All memoised (the usual case): the memo's values; else each computed (and memoised).
    hashes = {_fact16(f) for f in occurrences} if None in memo else cast("set[int]", memo)
    fact_hashes = tuple(sorted(hashes))
    return DocPrint(
        fingerprint=f"{FINGERPRINT_VERSION}:{digest.hex()}",
        fp_bytes=digest,
        shingles=shingle_hashes(all_words),
        paras=tuple(codes),
        para_words=tuple(counts),
        facts=fact_hashes,
    )


def fact_changes(stored: tuple[int, ...], new: DocPrint) -> tuple[int, int]:
    """``(gained, lost)``: facts new has that old lacks, and old's facts new lacks.

    Args:
        stored: old's stored fact sample (its FACT_SAMPLE smallest fact hashes, sorted).
        new: the new article's print.

    Returns:
        Counts within the sampled hash range (all facts when old had fewer than FACT_SAMPLE).
    """
    new_set = set(new.facts)
    old_set = set(stored)
    lost = sum(1 for h in stored if h not in new_set)
    if len(stored) < FACT_SAMPLE:
        gained = sum(1 for h in new.facts if h not in old_set)
    else:
        bound = stored[-1]
        gained = sum(1 for h in new.facts if h <= bound and h not in old_set)
    return gained, lost


def low16_set(doc: DocPrint) -> set[int]:
    """The low 16 bits of every shingle hash of ``doc`` (what stored samples are matched against)."""
    return set(doc.shingles.astype(np.uint16).tolist())


def containment(samples: bytes, n_old: int, new: DocPrint, low16: set[int] | None = None) -> float:
    """Estimate |old ∩ new| / |old| from old's stored sketch and new's full shingle set.

    Args:
        samples: old's stored sketch (:meth:`DocPrint.samples`).
        n_old: old's distinct shingle count.
        new: the new article's print.
        low16: ``low16_set(new)``, when the caller compares several candidates.

    Returns:
        The estimated containment of old in new, in [0, 1].
    """
    if not samples:
        return 0.0
    return containment_values(unpack_samples(samples), n_old, new, low16)


def unpack_samples(samples: bytes) -> tuple[int, ...]:
    """A stored sketch's 16-bit values."""
    return _halfwords(len(samples) // 2).unpack(samples)


@functools.lru_cache(maxsize=256)
def _halfwords(n: int) -> struct.Struct:
    return struct.Struct(f"<{n}H")


def containment_values(values: tuple[int, ...], n_old: int, new: DocPrint, low16: set[int] | None = None) -> float:
    """:func:`containment` from the sketch's unpacked values (callers that memoise them)."""
    if not values or n_old <= 0 or new.n_shingles == 0:
        return 0.0
    if low16 is None:
        low16 = low16_set(new)
    observed = sum(map(low16.__contains__, values)) / len(values)
    # A stored 16-bit sample matches by chance with probability ~ distinct_low / 65536.
    chance = len(low16) / 65536.0
    if chance >= 1.0:
        return observed
    est = (observed - chance) / (1.0 - chance)
    return 0.0 if est < 0.0 else (1.0 if est > 1.0 else est)


def jaccard_from_containment(c_old: float, n_old: int, n_new: int) -> tuple[float, float]:
    """Jaccard and containment of new in old, from the containment of old in new.

    >>> jaccard_from_containment(1.0, 10, 20)
    (0.5, 0.5)
    """
    inter = min(c_old * n_old, n_new)
    union = n_old + n_new - inter
    j = inter / union if union > 0 else 0.0
    c_new = inter / n_new if n_new > 0 else 0.0
    return min(1.0, j), min(1.0, c_new)
