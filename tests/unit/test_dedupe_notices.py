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
