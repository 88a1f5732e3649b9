"""Unit tests of notice reading (agents/dedupe_notices.py)."""

from __future__ import annotations

import pytest

from agents.dedupe_notices import headline_core, read_notice
from agents.model import CleanedArticle, WireItem


def art(headline: str, first: str = "Body text of the story.", pubstatus="usable", signals=()) -> CleanedArticle:
    item = WireItem(format="ninjs", source="wire", body_text=first, headline=headline, pubstatus=pubstatus,
                    signals=tuple(signals))
    return CleanedArticle(item=item, headline=headline, paragraphs=(first,))


@pytest.mark.parametrize(("headline", "core", "kind"), [
    ("UPDATE 1-Quake hits Chile", "quake hits chile", "update"),
    ("UPDATE 12 - Quake hits Chile", "quake hits chile", "update"),
    ("CORRECTED-UPDATE 2-Quake hits Chile", "quake hits chile", "correction"),
    ("(CORRECTED) - BANPONCE <BDEP> PLACES NOTES", "banponce bdep places notes", "correction"),
    ("CORRECTED - GM SEES RISE IN EUROPEAN SALES", "gm sees rise in european sales", "correction"),
    ("REFILE-Quake hits Chile", "quake hits chile", "refile"),
    ("RPT-Quake hits Chile", "quake hits chile", "refile"),
    ("KILL - Quake hits Chile", "quake hits chile", "kill"),
    ("MANDATORY KILL: Quake hits Chile", "quake hits chile", "kill"),
    ("WITHDRAWN-Quake hits Chile", "quake hits chile", "kill"),
    ("Quake hits Chile (CORRECTED)", "quake hits chile", "correction"),
    ("QUAKE KILLS TWO IN CHILE", "quake kills two in chile", None),
    ("DAIWA SECURITIES TO SUPPLY MARKET UPDATE", "daiwa securities to supply market update", None),
    ("TRW PROMISES TO CORRECT CONTRACT PRACTICES", "trw promises to correct contract practices", None),
    ("Update on talks: no deal", "update on talks no deal", None),
])
def test_headline_core(headline, core, kind):
    """Notice prefixes/suffixes are stripped and classified; story words are not notices."""
    assert headline_core(headline) == (core, kind)


@pytest.mark.parametrize(("kwargs", "kind", "pubstatus"), [
    ({"headline": "Quake hits Chile", "pubstatus": "canceled"}, "kill", "canceled"),
    ({"headline": "Quake hits Chile", "pubstatus": "withheld"}, "kill", "withheld"),
    ({"headline": "KILL-Quake hits Chile"}, "kill", "canceled"),
    ({"headline": "Quake hits Chile", "first": "(Corrects death toll in paragraph 1)"}, "correction", "usable"),
    ({"headline": "Quake hits Chile", "first": "(Adds minister's quotes in paragraphs 4-5)"}, "update", "usable"),
    ({"headline": "Quake hits Chile", "first": "(Refiles to fix typo in headline)"}, "refile", "usable"),
    ({"headline": "Quake hits Chile", "first": "Editors: please kill the story headlined Quake hits Chile."},
     "kill", "canceled"),
    ({"headline": "Quake hits Chile", "first": "This story has been withdrawn by the provider."}, "kill", "canceled"),
    ({"headline": "Quake hits Chile", "signals": ["correction"]}, "correction", "usable"),
    ({"headline": "Quake hits Chile", "first": "Two soldiers have been killed, officials said."}, None, "usable"),
    ({"headline": "Quake hits Chile", "first": "A miner is killed every week, the union said."}, None, "usable"),
])
def test_read_notice(kwargs, kind, pubstatus):
    """pubstatus, signals, headline prefixes and editor's lines decide the notice; ordinary news does not."""
    n = read_notice(art(**kwargs))
    assert (n.kind, n.pubstatus) == (kind, pubstatus), n


@pytest.mark.parametrize(("headline", "core", "kind"), [
    ("Quake hits Chile (KILLED)", "quake hits chile", "kill"),
    ("Quake hits Chile [KILLED]", "quake hits chile", "kill"),
    ("KILLED - Quake hits Chile", "quake hits chile", "kill"),
    ("KILLED: Quake hits Chile", "quake hits chile", "kill"),
    ("Quake hits Chile - WITHDRAWN", "quake hits chile", "kill"),
    ("Killed: the five victims of the Chile quake", "killed the five victims of the chile quake", None),
    ("Five killed in Chile quake", "five killed in chile quake", None),
])
def test_headline_kill_markers(headline, core, kind):
    """KILLED / WITHDRAWN suffixes and a capitalised KILLED prefix mark kills; 'killed' as news does not."""
    assert headline_core(headline) == (core, kind)


@pytest.mark.parametrize(("headline", "first", "core"), [
    ("Editor's note: Reuters has withdrawn the story headlined \"Quake hits Chile\"",
     "Editor's note: Reuters has withdrawn the story headlined \"Quake hits Chile\". It was published in error.",
     "quake hits chile"),
    ("Note to editors", "Note to editors: AFP has withdrawn the story headlined \u201cQuake hits Chile\u201d.",
     "quake hits chile"),
    ("Advisory: the story on the Chile quake has been withdrawn", "There will be no substitute story.", None),
    ("Quake hits Chile", "Editor\u2019s note: This story has been withdrawn because it contained errors.", None),
    ("Quake hits Chile", "Advisory - The item about the quake was killed at the request of the sender.", None),
])
def test_read_notice_kill_advisories(headline, first, core):
    """Editor's notes and advisories withdrawing a story are kills, linked by the headline they quote."""
    n = read_notice(art(headline, first))
    assert (n.kind, n.pubstatus) == ("kill", "canceled"), n
    if core is not None:
        assert n.core == core, n


@pytest.mark.parametrize("first", [
    "The ministry has withdrawn the report on emissions, officials said on Tuesday.",
    "Advisory: a storm warning has been issued for the coast until Friday.",
    "Editor's note: this story contains graphic descriptions of violence.",
    "Two soldiers were killed and the report was later withdrawn from parliament's agenda, officials said.",
])
def test_read_notice_news_with_kill_words(first):
    """Story sentences that mention withdrawing or killing are not kill notices."""
    n = read_notice(art("Ministry pulls emissions report", first))
    assert n.kind is None, n
