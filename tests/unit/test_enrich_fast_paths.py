"""Enrich fast paths: each shortcut taken for speed gives exactly what the general code gives."""

from __future__ import annotations

from collections import Counter
from itertools import permutations

from hypothesis import given, settings
from hypothesis import strategies as st

from agents.enrich_lang import detect_language_words
from agents.enrich_ner import (
    _ASCII_CAP_RE,
    _ASCII_CLASSES,
    _CAP_RE,
    WORD_TABLE,
    lowercase_used,
    tokenize,
    words_of,
)
from agents.enrich_quotes import _QUOTE_RE, _STRAIGHT_QUOTE_RE

# Wire-copy-like ASCII: names, possessives, initials, acronyms, dotted abbreviations, quotes.
_ASCII_PIECES = st.sampled_from(
    ["U.S.", "Russia's", "J.", "OPEC", "McDonald", "the", "said", "Bank", "of", "&", "-", ".", ",", "'", '"',
     " ", "  ", "\n", "\n\n", "(", ")", "35", "Kremlin", "x-Ray", "A", "s", "S", "'s", "AT&T", "Co.", ":", "_"]
)
_ASCII_TEXT = st.lists(_ASCII_PIECES, max_size=60).map("".join) | st.text(
    alphabet=st.characters(min_codepoint=9, max_codepoint=126), max_size=200
)
_ANY_TEXT = _ASCII_TEXT | st.text(max_size=200) | st.lists(
    st.sampled_from(["Łódź", "\u2019s", "\u201c", "\u201d", "É", "Ёлка", "ПУТИН", " ", ".", "a"]), max_size=30
).map("".join) | st.lists(  # English with typographic punctuation (the ASCII-twin path) and the odd accent
    st.sampled_from(["Putin", "O\u2019Neil", "Russia\u2019s", "\u2018", "\u2019", "\u201c", "\u201d", "\u2014",
                     "\u2013", "\u2026", "\xa0", "\u00a3", "\u20ac", "\u00b0", "\u2022", "\u00ab", "\u00bb",
                     "U.S.", "J.", " ", ". ", "-", "'", "said", "é", "A"]), max_size=40
).map("".join)


@settings(max_examples=400, deadline=None)
@given(_ASCII_TEXT)
def test_ascii_capital_regex_finds_what_the_general_one_finds(text: str) -> None:
    """On ASCII text the class-mapped bytes pattern matches the same spans as the general pattern."""
    fast = [m.span() for m in _ASCII_CAP_RE.finditer(text.encode("ascii").translate(_ASCII_CLASSES))]
    general = [m.span() for m in _CAP_RE.finditer(text)]
    assert fast == general, f"{text!r}: fast {fast} != general {general}"


@settings(max_examples=300, deadline=None)
@given(_ANY_TEXT)
def test_tokens_match_the_capital_regex(text: str) -> None:
    """Tokens start where the general capital pattern matches, whichever path the text takes."""
    starts = [m.start() for m in _CAP_RE.finditer(text)]
    got = [t.start for t in tokenize(text)]
    assert got == starts, f"{text!r}: token starts {got} != pattern starts {starts}"
    for t in tokenize(text):
        assert text[t.start : t.end] == t.text and t.low == t.text.lower(), f"{text!r}: token {t} not its slice"


@settings(max_examples=400, deadline=None)
@given(_ANY_TEXT)
def test_words_of_is_the_translate_lower_split(text: str) -> None:
    """words_of (bytes path for ASCII) equals text.translate(WORD_TABLE).lower().split()."""
    expected = text.translate(WORD_TABLE).lower().split()
    assert words_of(text) == expected, f"{text!r}: {words_of(text)} != {expected}"


@settings(max_examples=300, deadline=None)
@given(_ASCII_TEXT | st.text(alphabet='ab ,."”\n\'', max_size=120))
def test_straight_quote_regex_equals_general_without_curly_openers(text: str) -> None:
    """Without a curly opening quote, the literal-first quote pattern finds the same quotations."""
    text = text.replace("“", "")
    fast = [(m.span(), m.group(1)) for m in _STRAIGHT_QUOTE_RE.finditer(text)]
    general = [(m.span(), m.group(1)) for m in _QUOTE_RE.finditer(text)]
    assert fast == general, f"{text!r}: {fast} != {general}"


@settings(max_examples=200, deadline=None)
@given(_ASCII_TEXT)
def test_lowercase_used_matches_its_definition(text: str) -> None:
    """A token's word is 'used in lower case' exactly when the text has more of it than capitalised tokens."""
    tokens = tokenize(text)
    counts = Counter(words_of(text))
    caps = Counter(t.low for t in tokens)
    expected = {t.low for t in tokens if counts.get(t.low, 0) > caps[t.low]}
    assert lowercase_used(counts, tokens) == expected, f"{text!r}: {lowercase_used(counts, tokens)} != {expected}"


def test_lowercase_used_example() -> None:
    """'Police' at a sentence start counts as lower-case use when the story also writes 'police'."""
    text = "Police said so. The police left. Putin spoke."
    tokens = tokenize(text)
    used = lowercase_used(Counter(words_of(text)), tokens)
    assert "police" in used and "putin" not in used, f"lower-case use: {sorted(used)}"


def test_language_tie_does_not_depend_on_word_order() -> None:
    """Two languages with equal evidence get one answer whatever order (or hash order) the words come in."""
    words = ["disse", "pela", "jako", "jeho"]  # two Portuguese-only and two Czech-only common words
    answers = {detect_language_words(list(p), " ".join(p)) for p in permutations(words)}
    assert len(answers) == 1, f"a tie decided by word order: {answers}"


@settings(max_examples=200, deadline=None)
@given(st.lists(st.sampled_from(["disse", "pela", "jako", "jeho", "the", "said", "der", "und", "le", "il", "co", "di"]),
                max_size=12), st.sampled_from([None, "en", "pt", "cs", "de", "en-GB", "xyz"]))
def test_language_from_words_equals_the_sorted_scoring(words: list[str], declared: str | None) -> None:
    """detect_language_words decides as _decide does over the languages' scores in code order."""
    from agents.enrich_lang import _WORDS, _decide

    hits = _WORDS.keys() & words
    scores = Counter(lang for w in hits for lang in _WORDS[w])
    hint = declared.split("-")[0].lower() if declared else None
    hint = hint if hint is None or len(hint) == 2 else None
    expected = _decide(dict(sorted(scores.items())), len(hits), hint, max(map(len, hits), default=0))
    got = detect_language_words(words, " ".join(words), declared)
    assert got == expected, f"{words} declared {declared}: {got} != {expected}"


def test_subject_ties_go_to_the_smaller_code() -> None:
    """Two topics with equal scores come out in code order (not in the order a set of words happens to have)."""
    from agents.enrich_topics import score_subjects

    for words in (["voters", "shares"], ["shares", "voters"], ["ballot", "stocks", "voters", "shares"]):
        codes = [s.code for s in score_subjects(Counter(words), 30, [])]
        assert codes == ["medtop:04000000", "medtop:11000000"], f"{words}: {codes}"


def test_value_builders_equal_the_constructors() -> None:
    """Each fast builder gives a value equal to the class's own, with the same repr, hash and pickle."""
    import pickle

    from agents import enrich_values as v
    from agents.model import Enrichment, Entity, Mention, Place, Quote, Subject

    m = (Mention(3, 9, "Putin"),)
    cases = [
        (v.mention, Mention, (3, 9, "Putin")),
        (v.entity, Entity, ("Vladimir Putin", "person", m, 0.5, None, "President")),
        (v.place, Place, ("Minsk", "BY", 625144, 53.9, 27.56, "city", m, 1.0)),
        (v.subject, Subject, ("medtop:11000000", "politics", 0.4)),
        (v.quote, Quote, ("We will win", "Anna Petrova", 1, 12)),
        (v.enrichment, Enrichment, ("en", (), (), (), None, "BY", (), ("minsk",), (), 120, 31, "fast", ())),
    ]
    for build, cls, args in cases:
        fast, slow = build(*args), cls(*args)
        assert type(fast) is cls, f"{build} built a {type(fast)}"
        assert fast == slow and hash(fast) == hash(slow), f"{cls.__name__}: {fast!r} != {slow!r}"
        assert repr(fast) == repr(slow) and pickle.dumps(fast) == pickle.dumps(slow), f"{cls.__name__} differs"


_CONTEXT_TEXT = st.lists(
    st.sampled_from(["Putin", "Lawson", " ", ",", ", ", " said", " has said", " also", " told", "said ", "told ",
                     "according to ", "added ", " 35,", ", 35,", " of ", "Belarus", "Russia's ", "Russia\u2019s ",
                     " dollar", " Dollar", " DLRS", " franc", " francs", " frank", " \u017fterling", " yen", " won",
                     " wonder", "unsaid ", "x", "."]),
    max_size=14,
).map("".join)


def _state_for(text: str) -> object:
    from agents.enrich_ner import _State

    class _Rec:
        gaz = lex = None

    return _State(_Rec(), text, tokenize(text), frozenset())  # type: ignore[arg-type]


@settings(max_examples=400, deadline=None)
@given(_CONTEXT_TEXT, st.integers(min_value=0, max_value=200))
def test_regex_pre_checks_agree_with_the_patterns(text: str, at: int) -> None:
    """Each cheap pre-check before a context regex answers exactly as the regex alone does."""
    from agents.enrich_ner import (
        _CURRENCY_AFTER_RE,
        _SPEECH_BEFORE_RE,
        _SPEECH_OR_AGE_AFTER_RE,
        Token,
        _currency_after,
    )

    at = min(at, len(text))
    state = _state_for(text)
    tok = [Token("X", at, at, True, False, False, " ", "x")]
    assert state._followed_by_speech(tok) == (_SPEECH_OR_AGE_AFTER_RE.match(text, at) is not None), (text, at)
    assert state._preceded_by_speech(tok) == (
        _SPEECH_BEFORE_RE.search(text, max(0, at - 16), at) is not None
    ), (text, at)
    assert _currency_after(text, at) == (_CURRENCY_AFTER_RE.match(text, at) is not None), (text, at)


def test_lexicon_entries_answer_as_the_lexicon_lookups() -> None:
    """For every known name, written lower, title or upper case, the precomputed entry gives what the lexicons say."""
    from agents.enrich_gazetteer import Gazetteer
    from agents.enrich_ner import Lexicon, Recogniser

    gaz, lex = Gazetteer.load(), Lexicon.load()
    rec = Recogniser(gaz, lex)
    assert rec.lexicon_entries.keys() == rec.known_lexicon, "an entry per known name, no more"
    for low, (org, org_caps, cc, cc_caps, demonym_cc) in rec.lexicon_entries.items():
        for surface in {low, low.title(), low.upper()}:
            caps = surface.replace(".", "").isupper()
            # The lookups as _lexicon_hit made them before the table.
            want_org = lex.orgs.get(low)
            if want_org is not None and len(low) <= 4 and low.replace(".", "").isalpha() and (
                low not in lex.short_org_case_insensitive and not caps
            ):
                want_org = None
            country = gaz.countries.get(low)
            want_cc = None if country is None or (len(low) <= 3 and not caps) else country.country_code
            got_org = org if org is not None and (not org_caps or caps) else None
            got_cc = cc if cc is not None and (not cc_caps or caps) else None
            assert (got_org, got_cc, demonym_cc) == (want_org, want_cc, gaz.demonyms.get(low)), surface


def test_spans_join_across_and_only_where_a_span_follows_and() -> None:
    """Organisation names across "and"/"&" join; a titled person and an organisation after "and" stay apart."""
    from agents.enrich_ner import Lexicon, _spans

    text = ("Officials at the Securities and Exchange Commission and Procter & Gamble Co met Treasury "
            "Secretary James Baker and Federal Reserve Board staff. And Smith and Jones Inc.")
    got = [" ".join(t.text for t in span) for span in _spans(tokenize(text), Lexicon.load(), text)]
    assert got == ["Officials", "Securities Exchange Commission", "Procter Gamble Co",
                   "Treasury Secretary James Baker", "Federal Reserve Board", "And Smith Jones Inc"], got


def test_best_city_with_cached_priors_picks_as_the_direct_scoring() -> None:
    """best_city (priors cached per name) picks the city the direct log-population scoring picks, cached or not."""
    import math

    from agents.enrich_gazetteer import _ALTNAME_PENALTY, Gazetteer

    gaz = Gazetteer.load()

    def direct(key: str, story: frozenset[str], prefer: str | None, min_population: int) -> object:
        best, best_score = None, -1.0
        for city in gaz.cities.get(key, ()):
            score = math.log10(city.population + 10)
            if (key, city.geonames_id) in gaz.alt_only:
                score -= _ALTNAME_PENALTY
            if city.country_code in story:
                score += 2.0
            elif city.population < min_population:
                continue
            if prefer is not None and prefer == key:
                score += 0.5
            if score > best_score:
                best, best_score = city, score
        return best

    keys = ["springfield", "paris", "birmingham", "salem", "santos", "delta", "london", "no such town"]
    for key in keys:
        for story in (frozenset(), frozenset({"US"}), frozenset({"GB", "BR"})):
            for prefer, min_population in ((None, 0), (key, 0), (None, 100_000), ("paris", 500_000)):
                want = direct(key, story, prefer, min_population)
                for _ in range(2):  # the first call fills the cache, the second reads it
                    got = gaz.best_city(key, story_countries=story, prefer=prefer, min_population=min_population)
                    assert got == want, f"{key} {sorted(story)} {prefer} {min_population}: {got} != {want}"
