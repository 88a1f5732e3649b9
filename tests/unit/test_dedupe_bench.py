"""The dedupe benchmark's corpus criteria (streams/bench/dedup.py): tickers and same-title relations."""

from __future__ import annotations

import pytest

from streams.bench.dedup import (
    align_sentences,
    different_issuers,
    figures,
    same_title_relation,
    sentences,
    title_tickers,
)

DIVIDEND = "Qtly div 20 cts vs 20 cts previously\n    Pay April 15\n    Record March 23\n Reuter\n"


@pytest.mark.parametrize(
    ("a", "b", "expected"),
    [
        ("QUAKER OATS CO <OAT> REGULAR DIVIDEND", "UNIBANCORP INC <UBCP> REGULAR DIVIDEND SET", True),
        ("CENTRAL HOLDING CO <CHOL.O> SETS QUARTERLY", "UNIVERSITY BANK AND TRUST CO <UBTC.O> DIVIDEND", True),
        ("PARK COMMUNICATIONS INC <PARC> 1ST QTR NET", "PARK COMMUNICATIONS INC <PARC.O> 1ST QTR MAR 31", False),
        ("QUAKER OATS CO <OAT> REGULAR DIVIDEND", "QUAKER OATS SETS REGULAR DIVIDEND", False),
        ("OIL PRICES RISE", "OIL PRICES FALL", False),
        ("<ABC> AND <XYZ> IN MERGER TALKS", "XYZ CORP <XYZ> CONFIRMS TALKS", False),
    ],
)
def test_different_issuers(a: str, b: str, expected: bool):
    """Headlines name different issuers only when both carry tickers and share none (exchange suffix ignored)."""
    assert different_issuers(a, b) is expected, (a, b, title_tickers(a), title_tickers(b))


def test_title_tickers_drop_exchange_suffix():
    """<CHOL.O> and <CHOL> are one issuer code."""
    assert title_tickers("CENTRAL HOLDING CO <CHOL.O> SETS QUARTERLY") == {"CHOL"}
    assert title_tickers(None) == frozenset()


def test_figures_cover_digits_words_and_months():
    """Digits (commas dropped), spelled-out numbers and month names are figures; "one" and "may" are not."""
    assert figures("Record March Two, pay 1,250 dlrs on Mar 15.") == ["1250", "15", "2", "mar", "mar"]
    assert figures("One analyst said prices may rise.") == []


def test_sentences_split_paragraphs_and_drop_signoff():
    """Paragraph breaks and sentence ends split the body; the Reuter sign-off is not a sentence."""
    assert sentences(DIVIDEND) == ["Qtly div 20 cts vs 20 cts previously", "Pay April 15", "Record March 23"]
    assert sentences("It rose 2 pct. Analysts said so.\n Reuter") == ["It rose 2 pct.", "Analysts said so."]


def test_align_sentences_masks_figures_and_pairs_light_edits():
    """Sentences equal once figures are masked align, and so do lightly edited ones; unrelated ones do not."""
    a = ["Qtly div 20 cts vs 20 cts prior", "Pay April 15", "Analysts expect a good year for the company."]
    b = ["Qtly div 25 cts vs 20 cts prior", "Payable July 1", "The chairman will retire in the autumn."]
    assert align_sentences(a, b) == [(0, 0), (1, 1)]


def test_recurring_report_figures_changed_in_place():
    """A template whose figures change in place is a recurring report, with the sentence as evidence."""
    later = DIVIDEND.replace("Pay April 15", "Pay July 15").replace("20 cts vs 20", "22 cts vs 20")
    relation, evidence = same_title_relation(DIVIDEND, later)
    assert relation == "recurring", (relation, evidence)
    assert "22 cts" in evidence[0], evidence


def test_update_numbers_only_in_added_text():
    """Figures that differ only in added or removed sentences, most text kept: an update."""
    kept = ("President Leon Febres Cordero said Ecuador would honour its debt when it could pay. "
            "He said foreign banks had calculated oil would have to be 25 dlrs a barrel for Ecuador to pay.")
    earlier = kept + "\n    Ecuador yesterday said the earthquake forced it to suspend payments.\n" \
        "    It had held that it must pay when crude was at 26 dlrs a barrel.\n Reuter\n"
    later = kept + "\n    Ecuador said on Friday the earthquake forced it to suspend payments.\n" \
        "    The earthquake killed at least 300 people.\n Reuter\n"
    relation, evidence = same_title_relation(earlier, later)
    assert relation == "update", (relation, evidence)
    assert any("26 dlrs" in e for e in evidence) and any("300" in e for e in evidence), evidence


def test_different_text_under_one_headline():
    """Two bodies sharing only a short standing intro are different texts, not an update."""
    intro = "The following proposed securities offerings were filed recently with the SEC:"
    a = intro + "\n    Acme Corp, 2,000,000 shares of common stock via Smith Barney and Co.\n"
    b = intro + "\n    Widget Industries Inc, 150 mln dlrs of senior notes due 1997 via Morgan Stanley.\n"
    relation, _ = same_title_relation(a, b)
    assert relation == "different_text", relation
