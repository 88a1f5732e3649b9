"""Fast rule and gazetteer based entity recognition for the enrich stage.

Input: the cleaned body text, the byline names, the dateline city and the
shared :class:`~agents.enrich_gazetteer.Gazetteer` and :class:`Lexicon`.
Outcome: people, organisations and places (:class:`Found`) with every mention's
character offsets into the body. Side effects: none.

How, in one pass over the capitalised words:

1. Runs of capitalised words (with name particles such as ``von``/``bin`` and
   ``of`` after an organisation head word) are candidate spans; a possessive
   ``'s`` or any punctuation ends a span.
2. Sentence-initial and common capitalised words (``The``, ``Police`` when the
   story also writes ``police``) are trimmed: the classic false positives.
3. Whole-span lexicon hits first (organisations, countries, demonyms, US
   states), then organisation suffixes (``Inc``, ``Bank``, ``Ministry``), then
   titles/roles split a span into its left part (``Belarus``) and a person
   (``President`` -> ``Alexander Lukashenko``). Persons also come from given
   names, a following speech verb (``X said``, ``X has said``) or an age apposition
   (``X, 35,``); plural titles (``Prime Ministers Zhao Ziyang``) and ``Chancellor of
   the Exchequer Nigel Lawson`` forms give the role too.
4. Single unknown words are resolved in a second pass: a known person's
   surname (``Lukashenko`` -> ``Alexander Lukashenko``), else a city. A town
   outside the story's countries (named ones and the dateline's) needs to be
   big (1M+) or read as a place ("in Santos", "Exton, Pa.", "Santos-based"):
   company names are often also towns. Provinces outside the US
   (``Ontario``) follow the same rule. A small town's name that is not read as a
   place but comes before a speech verb is a person ("Lawson said").
5. A "person" whose name opens one of the story's organisations ("Akzo said"
   after "Akzo NV") is that organisation, unless titled ("President Reagan"
   beside "the Reagan Administration").
6. Role references such as ``the Kremlin leader`` or ``the Belarusian leader``
   become mentions of the person tied to that country by ``Russia's Vladimir
   Putin`` or ``President Alexander Lukashenko of Belarus``.

The byline's names never become people of the story.
"""

from __future__ import annotations

import json
import re
import string
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from importlib import resources
from itertools import compress, repeat
from operator import attrgetter, gt
from typing import Literal, NamedTuple

from agents.enrich_gazetteer import City, Gazetteer
from agents.enrich_values import mention
from agents.model import Mention

Kind = Literal["person", "organisation", "place"]
Feature = Literal["country", "city", "region", "other"]

# A word: "U.S." style dotted acronyms, else letters with inner apostrophes,
# hyphens, dots or ampersands (each needs a word character after it, so the
# pattern is linear: no nested quantifiers over overlapping classes).
# The capital comes first and the lookbehind second: the engine then only tries
# the lookbehind where a capital is, about three times faster than the reverse.
_CAP_RE = re.compile(r"[A-ZÀ-ÖØ-ÞА-ЯЁ](?<![\w'’.\-][A-ZÀ-ÖØ-ÞА-ЯЁ])(?:\.(?:[A-Z]\.)+|[\w&]*(?:['’.\-][\w&]+)*)")  # noqa: RUF001 (typographic quotes and dashes are meant)
# The same pattern for ASCII text, run over a bytes copy in which every capital is "A"
# and every other word character "a" (one byte a character, so the offsets are the
# text's): a literal first character lets the engine jump from capital to capital
# instead of testing each character against a set, and bytes.translate is a plain
# table loop (together about half the work of the pattern above).
_ASCII_CLASSES = bytes.maketrans(
    (string.ascii_uppercase + string.ascii_lowercase + string.digits + "_").encode("ascii"), b"A" * 26 + b"a" * 37
)
_ASCII_CAP_RE = re.compile(rb"A(?<![Aa'.\-]A)(?:\.(?:A\.)+|[Aa&]*(?:['.\-][Aa&]+)*)")
# Word statistics come from one C-level pass: punctuation and digits become spaces,
# apostrophes and dots vanish ("Russia's" -> "russias", "U.S." -> "us"), then split.
WORD_TABLE = str.maketrans(
    {**{c: " " for c in ",;:!?\"()[]{}“”«»<>/*+=|\\$%#@~`^_0123456789–—…\t\r\n\xa0"}, **{c: None for c in ".'’‘"}}  # noqa: RUF001 (typographic quotes and dashes are meant)
)
# WORD_TABLE for ASCII text as a bytes table plus the bytes it deletes (a plain table loop).
_ASCII_WORD_TABLE = bytes.maketrans(
    bytes(c for c in range(128) if WORD_TABLE.get(c) == " "), b" " * sum(WORD_TABLE.get(c) == " " for c in range(128))
)
_ASCII_WORD_DELETE = bytes(c for c in range(128) if c in WORD_TABLE and WORD_TABLE[c] is None)
# WORD_TABLE's entries beyond ASCII, for words_of's replace-then-bytes path.
_WORD_TABLE_NON_ASCII = tuple((chr(c), rep or "") for c, rep in WORD_TABLE.items() if c > 127)
# Non-ASCII characters and an ASCII stand-in that _CAP_RE treats alike: the right single quote
# is an apostrophe as "'" is; the others are in none of its classes (not word characters, not
# apostrophes, ".", "-" or "&"), as " " is.
_CAP_TWINS = (
    ("\u2019", "'"),
    *((ch, " ") for ch in "\u2018\u201c\u201d\u00ab\u00bb\u2013\u2014\u2026\u00a0\u00a3\u20ac\u00b0\u2022"),
)
_BOUNDARY_CHARS = frozenset(".!?:;\n\u2013\u2014")
_SKIP_BACK = " \t\"“”‘'(["  # noqa: RUF001 (typographic quotes and dashes are meant)
_APOSTROPHES = ("'", "’")  # noqa: RUF001 (typographic quotes and dashes are meant)
_CONNECTOR_GAPS = {" of ": "of", " & ": "&"}
_PREV_WORDS_RE = re.compile(r"(?:^|[^\w'’])((?:[a-z][\w\-]* ){1,3})$")  # noqa: RUF001 (typographic quotes and dashes are meant)
_POSSESSIVE_BEFORE_RE = re.compile(r"([A-Z][\w.\-]*(?: [A-Z][\w.\-]*)?)['’]s $")  # noqa: RUF001 (typographic quotes and dashes are meant)
# The text before a name must end so for that pattern to match (tested first, in C).
_POSSESSIVE_ENDS = ("'s ", "\u2019s ")
_SPEECH_BEFORE_WORDS = ("said", "says", "told", "added", "according to")
_SPEECH_BEFORE_RE = re.compile(rf"\b(?:{'|'.join(_SPEECH_BEFORE_WORDS)}) $")
# What the text before a name must end with for that pattern to match (tested first, in C).
_SPEECH_BEFORE_ENDS = tuple(f"{w} " for w in _SPEECH_BEFORE_WORDS)
_LEADER_AFTER_RE = re.compile(r" (leader|president|prime minister|premier|chancellor|strongman)\b")
_THE_BEFORE_RE = re.compile(r"\b(?:the|veteran|embattled|former) $", re.IGNORECASE)
# After a name: a speech verb ("X said", "X has said") or an age apposition ("X, 35,"), in one anchored match.
_SPEECH_AFTER_ADVERBS = ("has", "had", "also", "later", "earlier")
_SPEECH_AFTER_VERBS = (
    "said", "says", "told", "added", "asked", "stated", "noted", "warned", "explained", "argued", "insisted",
    "declared", "wrote", "replied", "announced",
)
_SPEECH_OR_AGE_AFTER_RE = re.compile(
    rf",? (?:(?:{'|'.join(_SPEECH_AFTER_ADVERBS)}) )?(?:{'|'.join(_SPEECH_AFTER_VERBS)})\b|,\s+\d{{1,3}},"
)
# After a name and a space, the pattern can only match where one of these follows (tested first, in C).
_SPEECH_AFTER_STARTS = tuple(f" {w}" for w in (*_SPEECH_AFTER_ADVERBS, *_SPEECH_AFTER_VERBS))
# A demonym or country before a currency names the currency ("Swiss franc bond"),
# a weak sign the story is about that country.
_CURRENCY_AFTER_RE = re.compile(
    r" (?:dollars?|dlrs?|francs?|marks?|yen|pounds?|sterling|crowns?|kron[ae]r?|krona|lire|lira|guilders?|pesos?"
    r"|rupees?|rand|schillings?|escudos?|pesetas?|drachmas?|currency|ecus?|yuan|won|real|roubles?|rubles?)\b",
    re.IGNORECASE,
)
# The first three letters of every currency word above: an ASCII word after the space that opens
# none of them cannot match (the pattern is then not run; other text is left to the pattern).
_CURRENCY_PREFIXES = frozenset(
    "dol dlr fra mar yen pou ste cro kro lir gui pes rup ran sch esc dra cur ecu yua won rea rou rub".split()
)
# Place context around a name: "in Santos", "near Delta", "Santos-based", "Exton, Pa.".
_PLACE_BEFORE_RE = re.compile(
    r"\b(?:in|at|from|near|outside|across|around|via|to|into|visit(?:ed|ing)?)(?: the)? $", re.IGNORECASE
)
_PLACE_AFTER_RE = re.compile(r"(?:-based\b|, [A-Z][a-z]{1,5}\.|, [A-Z]{2}\b)")
# Cities at least this big are known well enough to need no place context.
_WELL_KNOWN_CITY = 1_000_000
_OF_PLACE_RE = re.compile(r" of ((?:[A-Z][\w.'’-]*)(?: [A-Z][\w.'’-]*){0,2})")  # noqa: RUF001 (typographic quotes and dashes are meant)
_MAX_SPAN_TOKENS = 8
_JOIN_GAPS = (" and ", " & ")
_MAX_TITLE_TOKENS = 4


@dataclass(slots=True)
class Found:
    """One entity as the recogniser collected it (mutable while collecting)."""

    kind: Kind
    name: str
    mentions: list[Mention] = field(default_factory=list)
    role: str | None = None
    country_code: str | None = None
    geonames_id: int | None = None
    lat: float | None = None
    lon: float | None = None
    feature: Feature = "other"
    population: int = 0
    weak: int = 0
    """Mentions that name the place only in passing (a currency: "Swiss franc")."""


@dataclass(frozen=True)
class Lexicon:
    """The recogniser's word lists (``agents/rules/enrich_lexicon.json`` and given names)."""

    titles: frozenset[str]
    title_heads: frozenset[str]
    """First words of multi-word titles ("prime" of "prime minister")."""
    person_titles: frozenset[str]
    leader_nouns: frozenset[str]
    org_suffixes: frozenset[str]
    org_of_heads: frozenset[str]
    particles: frozenset[str]
    honorifics: frozenset[str]
    speech_verbs: frozenset[str]
    orgs: dict[str, str]
    org_countries: dict[str, str]
    function_words: frozenset[str]
    common_caps: frozenset[str]
    short_org_case_insensitive: frozenset[str]
    first_names: frozenset[str]

    @classmethod
    def load(cls) -> Lexicon:
        """Read the packaged lexicon files."""
        rules = resources.files("agents.rules")
        raw = json.loads(rules.joinpath("enrich_lexicon.json").read_text("utf-8"))
        names_text = resources.files("agents").joinpath("data/enrich_first_names.txt").read_text("utf-8")
        first = frozenset(
            line.strip() for line in names_text.splitlines() if line.strip() and not line.startswith("#")
        )
        return cls(
            titles=frozenset(raw["titles"]),
            title_heads=frozenset(t.split(" ", 1)[0] for t in raw["titles"] if " " in t),
            person_titles=frozenset(raw["person_only_titles"]),
            leader_nouns=frozenset(raw["leader_nouns"]),
            org_suffixes=frozenset(raw["org_suffixes"]),
            org_of_heads=frozenset(raw["org_of_heads"]),
            particles=frozenset(raw["name_particles"]),
            honorifics=frozenset(raw["honorifics"]),
            speech_verbs=frozenset(raw["speech_verbs"]),
            orgs=dict(raw["orgs"]),
            org_countries={k: v for k, v in raw["org_countries"].items() if v},
            function_words=frozenset(raw["function_words"]),
            common_caps=frozenset(raw["common_caps"]),
            short_org_case_insensitive=frozenset(raw["short_org_case_insensitive"]),
            first_names=first,
        )


class Token(NamedTuple):
    """A word of the body: its text without a possessive ending, and where it is."""

    text: str
    start: int
    end: int
    cap: bool
    sentence_start: bool
    possessive: bool
    gap_before: str
    low: str = ""
    """``text`` lower-cased (computed once: the classifier asks for it many times)."""


@dataclass
class Recognised:
    """What :func:`recognise` returns."""

    people: list[Found]
    organisations: list[Found]
    places: list[Found]
    word_counts: Counter[str]
    """Lower-cased word -> occurrences in the body (reused by topics and keywords)."""
    word_total: int
    story_countries: frozenset[str]
    words: list[str] = field(default_factory=list)
    """The body's words in order (:func:`words_of`), when the engine keeps them (else empty)."""


def words_of(text: str) -> list[str]:
    """The text's words for statistics: ``text.translate(WORD_TABLE).lower().split()``.

    >>> words_of("Russia's U.S. talks, 2020")
    ['russias', 'us', 'talks']
    """
    if text.isascii():  # the same, as bytes (several times less work for the translation)
        return text.encode("ascii").translate(_ASCII_WORD_TABLE, _ASCII_WORD_DELETE).lower().decode("ascii").split()
    # The table's few non-ASCII entries (typographic quotes and dashes) by str.replace, each a
    # C-level scan; the rest as bytes: a UTF-8 sequence for any other character has no ASCII byte,
    # so the ASCII table leaves it whole. (str.translate with the table costs a dict lookup per
    # character, several times this on a long page.)
    for ch, rep in _WORD_TABLE_NON_ASCII:
        if ch in text:
            text = text.replace(ch, rep)
    if text.isascii():
        return text.encode("ascii").translate(_ASCII_WORD_TABLE, _ASCII_WORD_DELETE).lower().decode("ascii").split()
    raw = text.encode("utf-8", "surrogatepass").translate(_ASCII_WORD_TABLE, _ASCII_WORD_DELETE)
    return raw.decode("utf-8", "surrogatepass").lower().split()


def _ascii_twin(text: str) -> str | None:
    """The text with its typographic punctuation made ASCII, if that leaves it ASCII; else None.

    The stand-ins play the same part in :data:`_CAP_RE` and keep the length (so the offsets).
    English news is mostly ASCII but for curly quotes and dashes: those texts then take the fast path too.
    """
    for ch, rep in _CAP_TWINS:
        if ch in text:
            text = text.replace(ch, rep)
    return text if text.isascii() else None


def tokenize(text: str) -> list[Token]:
    """The capitalised words of a text with offsets, sentence starts and possessives.

    Only capitalised words become tokens (about one word in six in news text):
    context around them is read with small anchored regexes, which keeps the
    per-article cost in C rather than in a Python loop over every word.
    """
    tokens: list[Token] = []
    append = tokens.append
    new = tuple.__new__
    boundary = _BOUNDARY_CHARS
    prev_end = 0
    ascii_twin = text if text.isascii() else _ascii_twin(text)
    if ascii_twin is not None:
        found: Iterator[re.Match[str]] | Iterator[re.Match[bytes]] = _ASCII_CAP_RE.finditer(
            ascii_twin.encode("ascii").translate(_ASCII_CLASSES)
        )
    else:
        found = _CAP_RE.finditer(text)
    for m in found:
        start, end = m.span()
        word = text[start:end]
        possessive = False
        # (A word cannot end in "." unless it is a dotted acronym: "Gov." matches as "Gov".)
        # The last letter first: most words end in neither "s" nor "S".
        if word[-1] in "sS" and len(word) > 2 and word[-2] in _APOSTROPHES:
            word = word[:-2]
            end -= 2
            possessive = True
        elif end - start == 1 and text[end : end + 2] == ". " and start > 0 and text[start - 1] == " ":
            word += "."  # an initial: "Donald J. Trump" stays one name
            end += 1
        gap = text[prev_end:start]
        if gap == " " and prev_end:
            # One space (inside a name, the common case): a sentence starts only after "U.S."-like
            # dots, as below.
            starts = text[prev_end - 1] == "." and tokens[-1].text[1:] != "."
        else:
            # Sentence start: only quotes/brackets/spaces between the word and a boundary.
            stripped = gap.rstrip(_SKIP_BACK)
            if stripped:
                ch = stripped[-1]
                starts = ch in boundary or (ch == "-" and stripped[-2:-1] == " ")
            else:
                # Right after "U.S." (or at the very start): as if after a full stop, so
                # "U.S. Agriculture Department" splits into the country and the department;
                # an initial ("J.") does not end a sentence.
                starts = prev_end == 0 or (text[prev_end - 1] == "." and tokens[-1].text[1:] != ".")
        # tuple.__new__ skips NamedTuple's Python-level constructor.
        append(new(Token, (word, start, end, True, starts, possessive, gap, word.lower())))
        prev_end = end + 2 if possessive else end
    return tokens


_LOW = attrgetter("low")


class Recogniser:
    """The fast entity recogniser; build once, call :meth:`recognise` per article."""

    def __init__(self, gazetteer: Gazetteer, lexicon: Lexicon) -> None:
        self.gaz = gazetteer
        self.lex = lexicon
        # Union sets answer "is this span known at all?" in one lookup (most spans are not).
        self.known_whole = frozenset(lexicon.orgs).union(gazetteer.countries, gazetteer.regions)
        self.known_lexicon = self.known_whole.union(gazetteer.demonyms)
        # Per known name, what the lexicon says of it (see _State._lexicon_hit), worked out once
        # here rather than per mention: the organisation and whether it counts only in capitals
        # (short acronyms: "WHO", not "who"), likewise the country ("US", not "us"), the demonym's country.
        short_ci = lexicon.short_org_case_insensitive
        self.lexicon_entries: dict[str, tuple[str | None, bool, str | None, bool, str | None]] = {}
        for low in self.known_lexicon:
            country = gazetteer.countries.get(low)
            self.lexicon_entries[low] = (
                lexicon.orgs.get(low),
                len(low) <= 4 and low.replace(".", "").isalpha() and low not in short_ci,
                country.country_code if country is not None else None,
                len(low) <= 3,
                gazetteer.demonyms.get(low),
            )
        self.known_prefix = self.known_whole.union(k for k in gazetteer.cities if " " in k)
        self.title_lasts = frozenset(t.rsplit(" ", 1)[-1] for t in lexicon.titles)
        self.title_starts = frozenset(t.split(" ", 1)[0] for t in lexicon.titles)
        # A lone capitalised function word ("The", "But") that names nothing: a third of all spans.
        self.never_alone = lexicon.function_words - self.known_lexicon
        # ... nor does a lone name particle ("Van", "De"): both answered by one lookup.
        self.skip_alone = self.never_alone | lexicon.particles
        # Word -> the country a role reference through it points at ("kremlin" -> RU via its
        # organisation, "belarusian" -> BY as a demonym; the organisation wins).
        self.role_country: dict[str, str] = {}
        for word in set(lexicon.orgs).union(gazetteer.demonyms):
            code = lexicon.org_countries.get(lexicon.orgs.get(word, "")) or gazetteer.demonyms.get(word)
            if code is not None:
                self.role_country[word] = code

    def recognise(
        self,
        body: str,
        *,
        byline: tuple[str, ...] = (),
        dateline_city: str | None = None,
        dateline_country: str | None = None,
    ) -> Recognised:
        """Find the people, organisations and places of one body text.

        Args:
            body: the cleaned body.
            byline: the authors (never reported as people).
            dateline_city: the dateline's city, preferred among same-named cities.
            dateline_country: the dateline's country when known; its cities are
                preferred, as for a country named in the story.
        """
        tokens = tokenize(body)
        words = words_of(body)
        word_counts = Counter(words)
        # Words the story also writes in lower case ("police") are common words when capitalised.
        state = _State(self, body, tokens, lowercase_used(word_counts, tokens))
        if dateline_country:
            state.context_countries.add(dateline_country)
        state.spans = _spans(tokens, self.lex, body)
        skip_alone = self.skip_alone
        classify_word = state._classify_single
        classify_span = state.classify_span
        for span in state.spans:
            if len(span) > 1:
                classify_span(span)
            elif span[0].low not in skip_alone:  # a lone "The" or "But" (a third of all spans) names nothing
                classify_word(span)
        state.resolve_pending(dateline_city.lower() if dateline_city else None)
        state.resolve_role_references()
        state.people_to_orgs()
        state.drop_byline(byline)
        return Recognised(
            people=list(state.people.values()),
            organisations=list(state.orgs.values()),
            places=list(state.places.values()),
            word_counts=word_counts,
            word_total=len(words),
            words=words,
            story_countries=frozenset(state.countries_named | state.context_countries),
        )


def lowercase_used(all_counts: Counter[str], tokens: list[Token]) -> frozenset[str]:
    """The tokens' words (lower-cased) that the text also writes in lower case ("police").

    Only tokens' words are ever asked about, so the set is built from them once:
    every question is then one set lookup, not a Python call.
    """
    caps = Counter(map(_LOW, tokens))
    # {w for w, n in caps.items() if all_counts.get(w, 0) > n}, evaluated in C (map/compress).
    return frozenset(compress(caps, map(gt, map(all_counts.get, caps, repeat(0)), caps.values())))


def _spans(tokens: list[Token], lex: Lexicon, body: str) -> list[list[Token]]:
    """Maximal runs of capitalised words joined by single spaces or name particles."""
    spans: list[list[Token]] = []
    cur: list[Token] = []
    joins: list[int] = []  # the spans that start after "and"/"&": only they can join the span before
    for t in tokens:
        if cur and not t.sentence_start and len(cur) < _MAX_SPAN_TOKENS and not cur[-1].possessive:
            gap = t.gap_before
            if gap == " ":
                cur.append(t)
                continue
            # "Bank of England", "Procter & Gamble", "Ursula von der Leyen".
            conn = _CONNECTOR_GAPS.get(gap)
            if conn is not None and cur[-1].low in lex.org_of_heads:
                cur.append(t)
                continue
            if len(gap) < 12 and gap[:1] == " " and gap[-1:] == " " and "  " not in gap:
                if lex.particles.issuperset(gap.strip().split(" ")):  # (every word a particle; in C)
                    cur.append(t)
                    continue
        if cur:
            spans.append(cur)
            if t.gap_before in _JOIN_GAPS:
                joins.append(len(spans))  # (the index of the span t opens)
        cur = [t]
    if cur:
        spans.append(cur)
    return _join_and(spans, lex, joins) if joins else spans


def _bare_left(toks: list[Token], lex: Lexicon) -> bool:
    """One or two plain words: "Treasury Secretary James Baker and Federal Reserve Board" is two names."""
    return 0 < len(toks) <= 2 and not any(
        t.low in lex.function_words or t.low in lex.titles or t.low in lex.title_heads or t.low in lex.first_names
        for t in toks
    )


def _join_and(spans: list[list[Token]], lex: Lexicon, after_and: list[int]) -> list[list[Token]]:
    """One name across "and"/"&": "Securities and Exchange Commission", "Procter & Gamble Co".

    ``after_and``: the indexes (ascending, none 0) of the spans whose first word follows
    " and " or " & "; the others are copied over as they are, in slices.
    """
    out: list[list[Token]] = []
    done = 0
    for i in after_and:
        out.extend(spans[done:i])
        done = i + 1
        span = spans[i]
        prev = out[-1]
        if (
            span[-1].low in lex.org_suffixes
            and len(prev) + len(span) <= _MAX_SPAN_TOKENS
            and not span[0].sentence_start
            and not prev[-1].possessive
            and _bare_left(prev[1:] if prev[0].low in lex.function_words else prev, lex)
        ):
            out[-1] = [*prev, *span]
        else:
            out.append(span)
    out.extend(spans[done:])
    return out


def _surface(toks: list[Token]) -> str:
    return " ".join(t.text for t in toks)


def _span_text(body: str, toks: list[Token]) -> str:
    """The span as written, particles included ("Ursula von der Leyen")."""
    return body[toks[0].start : toks[-1].end]


class _State:
    """Per-article collection state (kept out of the recogniser so it stays shareable)."""

    def __init__(self, rec: Recogniser, body: str, tokens: list[Token], lowercase_used: frozenset[str]) -> None:
        self.gaz = rec.gaz
        self.lex = rec.lex
        self.rec = rec
        self.body = body
        self.tokens = tokens
        self.spans: list[list[Token]] = []
        self.lowercase_used = lowercase_used
        self.people: dict[str, Found] = {}
        self.orgs: dict[str, Found] = {}
        self.places: dict[str, Found] = {}
        self.countries_named: set[str] = set()
        self.context_countries: set[str] = set()
        """Countries known from outside the text (the dateline): they disambiguate, they are not mentions."""
        self.pending_regions: list[tuple[list[Token], str]] = []
        self.pending: list[list[Token]] = []
        self.pending_cities: list[tuple[str, list[Token], bool]] = []
        self.person_country: dict[str, str] = {}
        self.by_last: dict[str, int] = {}
        self.by_last_name: dict[str, str] = {}

    # --- adding -----------------------------------------------------------------

    def _mention(self, toks: list[Token]) -> Mention:
        start, end = toks[0].start, toks[-1].end
        return mention(start, end, self.body[start:end])

    def add_person(self, toks: list[Token], role: str | None = None, name: str | None = None) -> Found:
        name = name or _span_text(self.body, toks)
        found = self.people.get(name)
        if found is None:
            found = self.people[name] = Found("person", name)
            last = name.rsplit(" ", 1)[-1]
            self.by_last[last] = self.by_last.get(last, 0) + 1
            self.by_last_name[last] = name
        found.mentions.append(self._mention(toks))
        if role and not found.role:
            found.role = role
        return found

    def add_org(self, toks: list[Token], name: str) -> None:
        found = self.orgs.get(name)
        if found is None:
            found = self.orgs[name] = Found("organisation", name)
            cc = self.lex.org_countries.get(name)
            if cc:
                found.country_code = cc
        found.mentions.append(self._mention(toks))

    def add_country(self, toks: list[Token], cc: str) -> None:
        country = self.gaz.by_code[cc]
        key = f"country:{cc}"
        found = self.places.get(key)
        if found is None:
            found = self.places[key] = Found(
                "place", country.name, country_code=cc, geonames_id=country.geonames_id,
                lat=country.lat, lon=country.lon, feature="country",
            )
        found.mentions.append(self._mention(toks))
        if _currency_after(self.body, toks[-1].end + (2 if toks[-1].possessive else 0)):
            found.weak += 1
        self.countries_named.add(cc)

    def add_city(self, toks: list[Token], city: City) -> None:
        key = f"city:{city.geonames_id}"
        found = self.places.get(key)
        if found is None:
            found = self.places[key] = Found(
                "place", city.name, country_code=city.country_code, geonames_id=city.geonames_id,
                lat=city.lat, lon=city.lon, feature="city", population=city.population,
            )
        found.mentions.append(self._mention(toks))

    def add_region(self, toks: list[Token], key: str, *, checked: bool = False) -> None:
        region = self.gaz.regions[key]
        cc = region.country_code
        if region.subdivision and not checked and cc not in self.countries_named and cc not in self.context_countries:
            self.pending_regions.append((toks, key))  # judged once the story's countries are known
            return
        pkey = f"region:{region.name}"
        found = self.places.get(pkey)
        if found is None:
            found = self.places[pkey] = Found(
                "place", region.name, country_code=region.country_code, geonames_id=region.geonames_id,
                feature="region",
            )
        found.mentions.append(self._mention(toks))

    # --- classifying --------------------------------------------------------------

    def classify_span(self, span: list[Token]) -> None:
        if len(span) == 1:
            self._classify_single(span)
            return
        span = self._trim(span)
        if not span:
            return
        if self._lexicon_hit(span):
            return
        # Organisation suffix: "Standard Oil Co", "Texas Commerce Bancshares", "Defence Ministry".
        last = span[-1].low
        if len(span) >= 2 and last in self.lex.org_suffixes and span[0].low not in self.lex.person_titles:
            self._split_leading_place(span, org=True)
            return
        if span[0].low in self.lex.org_of_heads and any(t.text == "of" for t in span):
            self.add_org(span, _span_text(self.body, span))
            return
        if self._title_split(span):
            return
        self._classify_plain(span)

    def _classify_single(self, span: list[Token]) -> None:
        """:meth:`classify_span` for one word (three spans in four), without the multi-word steps."""
        tok = span[0]
        low = tok.low
        if low in self.rec.skip_alone:
            return
        if (
            tok.sentence_start
            and low not in self.rec.known_whole
            and (low in self.lex.common_caps or (low in self.lowercase_used and not self._known_word(low)))
        ):
            return  # "Police said ...", "Economic growth ...": a capitalised common word
        if low in self.rec.known_lexicon and self._lexicon_hit(span):
            return
        self._classify_plain_word(span)

    def _trim(self, span: list[Token]) -> list[Token]:
        """Drop sentence-initial common words, function words and trailing particles."""
        lex = self.lex
        while span:
            first = span[0]
            low = first.low
            # Most first words are not droppable: that cheap test first, the known-name tests only then.
            drop = low in lex.function_words or (
                first.sentence_start
                and (low in lex.common_caps or (low in self.lowercase_used and not self._known_word(low)))
            )
            if not drop or self._known_whole(span):
                break
            if (low in lex.titles or low in lex.title_heads) and len(span) > 1:
                break  # "President Alexander Lukashenko" at a sentence start: the title split needs it.
            if len(span) > 1 and self._known_prefix(span):
                break  # "New York cocoa traders": "New" belongs to the name.
            span = span[1:]
            if span:
                span = [_restart(span[0]), *span[1:]]
        while span and (span[-1].low in lex.function_words or span[-1].low in lex.particles):
            span = span[:-1]
        while span and span[0].low in lex.particles:
            span = span[1:]
        # Split at inner function words ("Monday", "The"): rare, handle the left part only.
        if len(span) < 2 or lex.function_words.isdisjoint(map(_LOW, span[1:])) or self._known_whole(span):
            return span
        for k, t in enumerate(span[1:], 1):
            if t.low in lex.function_words and not self._known_prefix(span[k:]):
                rest = span[k + 1 :]
                if rest:
                    self.classify_span(rest)
                span = span[:k]
                break
        return span

    def _low(self, span: list[Token]) -> str:
        """The span as written, lower-cased."""
        if len(span) == 1:
            return span[0].low
        return self.body[span[0].start : span[-1].end].lower()

    def _known_prefix(self, span: list[Token]) -> bool:
        """The span opens with a known name of two or three words ("New York", "New Zealand")."""
        known = self.rec.known_prefix
        body = self.body
        start = span[0].start
        return (len(span) >= 2 and body[start : span[1].end].lower() in known) or (
            len(span) >= 3 and body[start : span[2].end].lower() in known
        )

    def _known_word(self, low: str) -> bool:
        return low in self.gaz.countries or low in self.gaz.demonyms or low in self.lex.orgs

    def _known_whole(self, span: list[Token]) -> bool:
        return self._low(span) in self.rec.known_whole

    def _lexicon_hit(self, span: list[Token]) -> bool:
        low = self._low(span)
        entry = self.rec.lexicon_entries.get(low)
        if entry is None:
            return False
        # Organisation first, then country, then demonym; the surface form is read only for
        # short names, which count in capitals only ("WHO", "EC", "US": "who", "Ec", "us" are words).
        org, org_caps_only, cc, cc_caps_only, demonym_cc = entry
        caps: bool | None = None
        if org is not None:
            if org_caps_only:
                caps = _span_text(self.body, span).replace(".", "").isupper()
            if not org_caps_only or caps:
                self.add_org(span, org)
                return True
        if cc is not None:
            if cc_caps_only and caps is None:
                caps = _span_text(self.body, span).replace(".", "").isupper()
            if not cc_caps_only or caps:
                self.add_country(span, cc)
                return True
        if demonym_cc is not None:
            self.add_country(span, demonym_cc)
            return True
        if low in self.gaz.regions and not (len(span) == 1 and span[0].sentence_start and low in self.lowercase_used):
            self.add_region(span, low)
            return True
        return False

    def _country_code(self, span: list[Token]) -> str | None:
        surface = _span_text(self.body, span)
        low = surface.lower()
        country = self.gaz.countries.get(low)
        if country is None:
            return None
        if len(low) <= 3 and not surface.replace(".", "").isupper():
            return None  # "us" the pronoun, "Us"
        return country.country_code

    def _split_leading_place(self, span: list[Token], *, org: bool) -> None:
        # "Russian Defence Ministry", "U.S. Agriculture Department": the first word names
        # the country too (a mention of it: the story is about that country's body).
        first = span[0].low
        if len(span) >= 2:
            # (The country test reads the surface only for a word that names one: rarely.)
            cc = (self._country_code(span[:1]) if first in self.gaz.countries else None) or self.gaz.demonyms.get(first)
            if cc is not None:
                self.add_country(span[:1], cc)
        if org:
            self.add_org(span, _span_text(self.body, span))

    def _title_split(self, span: list[Token]) -> bool:
        """Split ``[left] Title Name`` into the left part and a person with a role."""
        n = len(span)
        starts = self.rec.title_starts
        for i in range(n - 1):
            if span[i].low not in starts:
                continue  # no title begins with this word: skip the joins
            for k in range(min(_MAX_TITLE_TOKENS, n - 1 - i), 0, -1):
                title = " ".join(t.low for t in span[i : i + k])
                # A plural multi-word title names several people: "Prime Ministers Zhao Ziyang of China and ...".
                if title not in self.lex.titles and not (k > 1 and title[-1] == "s" and title[:-1] in self.lex.titles):
                    continue
                rest = span[i + k :]
                left = span[:i]
                if not rest or not self._person_like(rest):
                    continue
                role = " ".join(t.text for t in span[i : i + k])
                cc = None
                if left:
                    left_low = _span_text(self.body, left).lower()
                    cc = self._country_code(left) or self.gaz.demonyms.get(left_low)
                    if not self._lexicon_hit(left):
                        self.classify_span(left)
                person = self._add_person_resolved(rest, role)
                if cc:
                    self.person_country.setdefault(person.name, cc)
                return True
        return False

    def _person_like(self, toks: list[Token]) -> bool:
        if len(toks) > 5:
            return False
        low = self._low(toks)  # (lower-cased once for both tests)
        if low in self.rec.known_whole or low in self.gaz.demonyms:
            return False
        lex = self.lex
        names = [t for t in toks if t.low not in lex.particles]
        if len(names) == 1 and (names[0].low in lex.titles or names[0].low in self.lowercase_used):
            return False  # "General Agreement ...", "the Chancellor": a word, not a name
        if len(names) >= 2 and names[0].low not in lex.first_names and (
            names[-1].low in self.gaz.countries or names[-1].low in self.gaz.demonyms
        ):
            return False  # "Statistics Canada", "Banca Commerciale Italiana"
        if any(t.text == "of" for t in toks):
            return False  # "Chamber of Mines"
        return bool(names) and all(
            t.cap and t.low not in lex.org_suffixes and t.low not in lex.common_caps
            and (not t.text.isupper() or len(t.text) <= 2)
            for t in names
        )

    def _add_person_resolved(self, toks: list[Token], role: str | None) -> Found:
        """Add a person, mapping a lone surname (or honorific + surname) to a known full name."""
        if len(toks) >= 3 and toks[0].low not in self.lex.first_names and toks[1].low in self.lex.first_names:
            # "(Secretary of) Agriculture Daniel Amstutz": the first word ends a title.
            toks = toks[1:]
        if len(toks) == 1:
            full = self._full_name_for(toks[0].text)
            if full is not None:
                return self.add_person(toks, role, name=full)
        found = self.add_person(toks, role)
        self._after_person(toks, found)
        return found

    def _after_person(self, toks: list[Token], found: Found) -> None:
        # "President Alexander Lukashenko of Belarus", "Russia's Vladimir Putin".
        m = _OF_PLACE_RE.match(self.body, toks[-1].end) if self.body.startswith(" of ", toks[-1].end) else None
        if m:
            cc_country = self.gaz.countries.get(m.group(1).lower())
            if cc_country is not None:
                self.person_country.setdefault(found.name, cc_country.country_code)
        start = toks[0].start
        pm = (
            _POSSESSIVE_BEFORE_RE.search(self.body, max(0, start - 40), start)
            if self.body.endswith(_POSSESSIVE_ENDS, 0, start)
            else None
        )
        if pm:
            c = self.gaz.countries.get(pm.group(1).lower())
            if c is not None:
                self.person_country.setdefault(found.name, c.country_code)

    def _lowercase_title_before(self, first: Token) -> str | None:
        """A lower-case role right before a name: "opposition leader Maria Kolesnikova"."""
        body = self.body
        start = first.start
        if start < 2 or body[start - 1] != " ":
            return None
        # Cheap test first: the word before must end a title ("leader", "minister").
        if body[body.rfind(" ", max(0, start - 30), start - 1) + 1 : start - 1] not in self.rec.title_lasts:
            return None
        m = _PREV_WORDS_RE.search(body, max(0, start - 50), start)
        if not m:
            return None
        words = m.group(1).split()
        for k in range(len(words)):
            title = " ".join(words[k:])
            if title in self.lex.titles:
                return title
        return None

    def _of_title_before(self, first: Token) -> str | None:
        """The capitalised title before "of the" right before ``first``: "Chancellor" of "Chancellor of the Exchequer".

        Lower-case roles ("head of the ...") are left out: they usually run on into a body's name.
        """
        end = first.start - len(" of the ")
        body = self.body
        word = body[body.rfind(" ", max(0, end - 30), end) + 1 : end]
        return word if word[:1].isupper() and word.lower() in self.lex.titles else None

    def _followed_by_speech(self, toks: list[Token]) -> bool:
        body = self.body
        end = toks[-1].end
        after = body[end : end + 1]
        if after != ",":
            # Without a comma only the first branch can match: a space and one of the listed words.
            if after != " " or not body.startswith(_SPEECH_AFTER_STARTS, end):
                return False
        return _SPEECH_OR_AGE_AFTER_RE.match(body, end) is not None

    def _preceded_by_speech(self, toks: list[Token]) -> bool:
        start = toks[0].start
        body = self.body
        if not body.endswith(_SPEECH_BEFORE_ENDS, 0, start):
            return False  # the pattern needs one of these words and a space right before the name
        return _SPEECH_BEFORE_RE.search(body, max(0, start - 16), start) is not None

    def _classify_plain_word(self, span: list[Token]) -> None:
        """:meth:`_classify_plain` for one word: an acronym, a person with evidence, or pending."""
        tok = span[0]
        low = tok.low
        word = tok.text
        if word.isupper() and 2 <= len(word) <= 5 and not tok.sentence_start and word.isalpha():
            # Unknown acronym: an organisation (companies, parties, agencies).
            lex = self.lex
            if low not in lex.function_words and low not in lex.common_caps and low not in self.lowercase_used:
                self.add_org(span, word)
            return
        # Cheap tests first: most single words fail them (the role is looked for only then).
        if low not in self.gaz.cities and low not in self.lowercase_used:
            role = self._lowercase_title_before(tok)
            if (
                role is not None or self._followed_by_speech(span) or self._preceded_by_speech(span)
            ) and self._person_like(span):
                self._add_person_resolved(span, role)
                return
        self.pending.append(span)

    def _classify_plain(self, span: list[Token]) -> None:
        if len(span) == 1:
            self._classify_plain_word(span)
            return
        lex = self.lex
        first_low = span[0].low
        # A demonym before a name or an org: "Russian Vladimir Putin", "Belarusian KGB".
        if first_low in self.gaz.demonyms and first_low not in self.gaz.countries:
            self.add_country(span[:1], self.gaz.demonyms[first_low])
            self.classify_span(span[1:])
            return
        low = self._low(span)
        role = self._lowercase_title_before(span[0])
        if role is None and len(span) >= 3 and self.body.endswith(" of the ", 0, span[0].start):
            of_title = self._of_title_before(span[0])
            rest = span[1:]
            known = self.rec.known_lexicon
            if of_title is not None and self._person_like(rest) and not any(t.low in known for t in rest):
                # "Chancellor of the Exchequer Nigel Lawson": the first word ends the title
                # (a known word after it reads as a body: "Head of the West German Bundesbank").
                self._add_person_resolved(rest, f"{of_title} of the {span[0].text}")
                return
        person_evidence = (
            role is not None
            or first_low in lex.first_names
            or first_low in lex.honorifics
            or self._followed_by_speech(span)
            or self._preceded_by_speech(span)
        )
        if person_evidence:
            if self._person_like(span):
                self._add_person_resolved(span, role)
                return
        if low in self.gaz.cities:
            self.pending_cities.append((low, span, False))
            return
        # "Black Sea resort", "BP North America": unknown multi-word names are left out
        # (precision first) except their known parts.
        for k in range(len(span) - 1, 0, -1):
            tail = span[k:]
            if self._lexicon_hit(tail):
                # "U.S. Treasury": the head is judged on its own (a country here).
                self.classify_span([_restart(span[0]), *span[1:k]])
                break

    # --- second pass ----------------------------------------------------------------

    def _full_name_for(self, word: str) -> str | None:
        """The known person whose surname (or sole name) is ``word``, if exactly one."""
        # Indexed by last word as people are added: a lookup, not a scan of everyone so far.
        if self.by_last.get(word) != 1:
            return None
        name = self.by_last_name[word]
        return name if name in self.people else None

    def _place_context(self, span: list[Token]) -> bool:
        """A preposition before ("in Santos") or a qualifier after ("Exton, Pa.", "Santos-based")."""
        start, end = span[0].start, span[-1].end
        return (
            _PLACE_BEFORE_RE.search(self.body, max(0, start - 16), start) is not None
            or _PLACE_AFTER_RE.match(self.body, end) is not None
        )

    def _accept_city(self, span: list[Token], city: City, story: frozenset[str], dateline_city: str | None) -> bool:
        """A city outside the story's countries must be well known or read as a place in context.

        Without this, company and product names that are also towns ("Santos",
        "Delta", "Rio Tinto") become places in countries the story never names.
        """
        if city.country_code in story or city.population >= _WELL_KNOWN_CITY:
            return True
        if dateline_city is not None and city.name.lower() == dateline_city:
            return True
        return self._place_context(span)

    def resolve_pending(self, dateline_city: str | None) -> None:
        story = frozenset(self.countries_named | self.context_countries)
        for toks, key in self.pending_regions:
            region = self.gaz.regions[key]
            if region.country_code in story or self._place_context(toks):
                self.add_region(toks, key, checked=True)
        for span in self.pending:
            tok = span[0]
            low = tok.low
            full = self._full_name_for(tok.text)
            if full is not None:
                self.add_person(span, name=full)
                continue
            if low in self.lowercase_used or low in self.lex.common_caps:
                continue
            min_pop = 500_000 if tok.sentence_start else 100_000
            if dateline_city == low:
                min_pop = 0
            city = self.gaz.best_city(low, story_countries=story, prefer=dateline_city, min_population=min_pop)
            if city is not None and self._accept_city(span, city, story, dateline_city):
                self.add_city(span, city)
            elif low in self.gaz.cities and self._followed_by_speech(span) and self._person_like(span):
                # "Lawson said": a surname that is also a small town, not read as a place here.
                # (Other words had the speech test in the first pass; big cities stay places:
                # "Tokyo said" speaks for a government.)
                self._add_person_resolved(span, None)
        for low, span, _ in self.pending_cities:
            city = self.gaz.best_city(low, story_countries=story, prefer=dateline_city, min_population=15_000)
            if city is not None and self._accept_city(span, city, story, dateline_city):
                self.add_city(span, city)

    def resolve_role_references(self) -> None:
        """Mentions such as "the Kremlin leader" for the person tied to that country."""
        if not self.person_country:
            return
        by_country: dict[str, list[str]] = {}
        for name, cc in self.person_country.items():
            by_country.setdefault(cc, []).append(name)
        body = self.body
        role_country = self.rec.role_country
        for t in self.tokens:
            code = role_country.get(t.low)
            if code is None or len(by_country.get(code, ())) != 1:
                continue
            after = _LEADER_AFTER_RE.match(body, t.end)
            if after is None or _THE_BEFORE_RE.search(body, max(0, t.start - 12), t.start) is None:
                continue
            person = self.people.get(by_country[code][0])
            if person is not None:
                person.mentions.append(mention(t.start, after.end(), body[t.start : after.end()]))

    def people_to_orgs(self) -> None:
        """A "person" whose whole name opens an organisation of the story is that organisation, unless titled.

        "Akzo said" after "Akzo NV", "Parker Drilling said" after "Parker Drilling Co":
        speech verbs follow companies as often as people.
        """
        if not self.orgs or not self.people:
            return
        heads: dict[str, str] = {}
        for name in self.orgs:
            words = name.split(" ")
            for k in range(1, len(words)):
                heads.setdefault(" ".join(words[:k]), name)
        # A titled person stays one: "President Reagan" beside "the Reagan Administration".
        for name in [p for p, found in self.people.items() if p in heads and found.role is None]:
            found = self.people.pop(name)
            self.orgs[heads[name]].mentions.extend(found.mentions)

    def drop_byline(self, byline: tuple[str, ...]) -> None:
        """Remove the byline's authors from the story's people."""
        if not byline:
            return
        authors = {b.strip().lower() for b in byline if b.strip()}
        for name in list(self.people):
            if name.lower() in authors:
                del self.people[name]


def _currency_after(body: str, pos: int) -> bool:
    """``_CURRENCY_AFTER_RE.match(body, pos)``, skipping the match where its first letters rule it out."""
    if body[pos : pos + 1] != " ":
        return False
    head = body[pos + 1 : pos + 4]
    if head.isascii() and head.lower() not in _CURRENCY_PREFIXES:
        return False
    return _CURRENCY_AFTER_RE.match(body, pos) is not None


def _restart(tok: Token) -> Token:
    # After trimming a leading word the next word inherits the sentence start
    # only if the trimmed word was itself a sentence start; keep it simple and
    # mark it not sentence-initial so "The Kremlin" -> "Kremlin" is judged mid-sentence.
    text, start, end, cap, _, possessive, gap, low = tok
    # (tuple.__new__ rather than _replace: NamedTuple's _replace is several Python-level calls.)
    return tuple.__new__(Token, (text, start, end, cap, False, possessive, gap, low))
