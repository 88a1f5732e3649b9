"""Unit tests of content fingerprints (agents/fingerprint.py)."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from agents.fingerprint import containment, doc_print, jaccard_from_containment, paragraph_code

P = ("The Dutch central bank raised its forecast for economic growth this year to 1.4 percent from 0.9 percent "
     "on Monday, citing a stronger-than-expected recovery in exports to Germany and Belgium.")


def test_fingerprint_ignores_case_space_and_signoff():
    """Case, whitespace, line wrapping and the Reuter sign-off do not change the fingerprint."""
    a = doc_print([P, "Reuter"])
    b = doc_print([P.upper().replace(" ", "\n  ")])
    assert a.fingerprint == b.fingerprint and a.fingerprint.startswith("v1:")


def test_fingerprint_changes_with_a_number():
    """One changed number changes the fingerprint."""
    assert doc_print([P]).fingerprint != doc_print([P.replace("1.4", "1.5")]).fingerprint


def test_percent_styles_are_one():
    """'%', 'pct' and 'per cent' read as 'percent'."""
    base = doc_print([P]).fingerprint
    for alt in ("%", " pct", " per cent"):
        assert doc_print([P.replace(" percent", alt)]).fingerprint == base, alt


def test_paragraph_code_splits_wording_from_facts():
    """Same wording with other numbers keeps the skeleton; rewording with the same facts keeps the facts."""
    code = paragraph_code(P)[0]
    other_numbers = paragraph_code(P.replace("1.4", "1.7").replace("0.9", "1.1"))[0]
    reworded = paragraph_code(P.replace("citing a stronger-than-expected", "pointing to a better-than-forecast"))[0]
    assert code >> 16 == other_numbers >> 16 and code & 0xFFFF != other_numbers & 0xFFFF
    assert code & 0xFFFF == reworded & 0xFFFF and code >> 16 != reworded >> 16


def test_weekday_and_agency_are_not_facts():
    """Editors' weekday and credit edits do not change a paragraph's facts."""
    facts_a: list[str] = []
    facts_b: list[str] = []
    paragraph_code(P, facts_a)
    paragraph_code(P.replace(" on Monday", "").replace("Germany", "Germany, Reuters reported"), facts_b)
    assert sorted(set(facts_a)) == sorted(set(facts_b)), (facts_a, facts_b)


def test_spelled_numbers_are_facts():
    """'two billion' and '1.5 billion' state different facts in the same wording."""
    a = paragraph_code("The Fed arranged two billion dlrs of repurchases.")[0]
    b = paragraph_code("The Fed arranged 1.5 billion dlrs of repurchases.")[0]
    assert a >> 16 == b >> 16 and a & 0xFFFF != b & 0xFFFF


vocab = st.sampled_from([f"w{i}" for i in range(400)])


@settings(max_examples=40, deadline=None)
@given(base=st.lists(vocab, min_size=60, max_size=200), extra=st.lists(vocab, min_size=0, max_size=120))
def test_containment_estimate_is_close(base, extra):
    """The bottom-k containment estimate is within 0.3 of the truth and exact for an identical text."""
    old = doc_print([" ".join(base)])
    new = doc_print([" ".join(base + extra)])
    est = containment(old.samples(32), old.n_shingles, new)
    assert abs(est - 1.0) <= 0.05, est  # old is a prefix of new: fully contained
    same = containment(old.samples(32), old.n_shingles, old)
    j, c_new = jaccard_from_containment(same, old.n_shingles, old.n_shingles)
    assert same >= 0.99 and j >= 0.99 and c_new >= 0.99, (same, j, c_new)


def test_unrelated_texts_have_low_containment():
    """Two unrelated texts estimate near zero containment."""
    a = doc_print([" ".join(f"alpha{i}" for i in range(300))])
    b = doc_print([" ".join(f"beta{i}" for i in range(300))])
    assert containment(a.samples(32), a.n_shingles, b) < 0.1


_TRICKY = ["the", "U.S.", "Corp.", "Co.", "said", "2", "1,500", "1.5", "two", "March", "e.g.", "companies'", "it's",
           "OPEC", "_x", "iPhone", "pct", "%", "(", "-", ",", ".", "!", ":", '"', "'", "No.", "mr.", "Mr.", "x.y.z",
           "Saturday's", "May", "may", "twenty", "\n", "caf\u00e9", "\u00c9tat", "it\u2019s", "\u201cso\u201d",
           "\u2019"]


@settings(max_examples=300, deadline=None)
@given(st.lists(st.tuples(st.sampled_from(_TRICKY), st.sampled_from([" ", " ", "", ", ", ". ", "-", "  "])),
                max_size=25))
def test_lower_case_runs_read_like_single_words(parts: list[tuple[str, str]]):
    """Reading runs of lower-case words as one item gives the word-by-word code, words and facts (any text)."""
    import agents.fingerprint as fp

    text = "".join(word + sep for word, sep in parts)
    runs_facts: list[str] = []
    runs = paragraph_code(text, runs_facts)
    runs_ascii, runs_any = fp._WORD_CTX_ASCII, fp._WORD_CTX_RUNS
    fp._WORD_CTX_ASCII = fp._WORD_CTX_RUNS = fp._WORD_CTX
    try:
        word_facts: list[str] = []
        words = paragraph_code(text, word_facts)
    finally:
        fp._WORD_CTX_ASCII, fp._WORD_CTX_RUNS = runs_ascii, runs_any
    assert (runs, runs_facts) == (words, word_facts), repr(text)
