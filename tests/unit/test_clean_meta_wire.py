"""Unit tests for agency conventions in agents/clean_meta.py: datelines, bylines and contributor lines of many wires."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from agents import clean_meta as meta


@pytest.mark.parametrize(("text", "city", "agency"), [
    ("MOSCOW (Reuters) - President Putin said", "Moscow", "Reuters"),
    ("Berlin (dpa) - Die Regierung hat am Dienstag", "Berlin", "dpa"),
    ("Paris (AFP) \u2013 Le pr\u00e9sident a annonc\u00e9", "Paris", "AFP"),
    ("Frankfurt (Reuters) - Die Aktien fielen", "Frankfurt", "Reuters"),
    ("Frankfurt am Main (dpa-AFX) - Die Aktien fielen", "Frankfurt am Main", "dpa-AFX"),
    ("March 3 (Reuters) - Tesla said on Tuesday", None, "Reuters"),
    ("Sept. 14 (Reuters) - Oil rose on Monday", None, "Reuters"),
    ("NEW DELHI/MUMBAI, March 3 (Reuters) - India's central bank", "New Delhi", "Reuters"),
    ("HONG KONG / SINGAPORE, May 2 (Reuters) - Asian shares", "Hong Kong", "Reuters"),
    ("(Bloomberg) -- Britain's economy grew", None, "Bloomberg"),
    ("Madrid, 3 mar (EFE).- El Gobierno aprob\u00f3", "Madrid", "EFE"),
    ("BERLIN, 3. M\u00e4rz (dpa) - Die Bundesregierung", "Berlin", "dpa"),
    ("BEIJING, March 3 (Xinhua) -- China's economy grew", "Beijing", "Xinhua"),
    ("Seoul, March 3 (Yonhap) -- North Korea fired", "Seoul", "Yonhap"),
    ("Ankara (AA) - Turkish officials said", "Ankara", "AA"),
    ("TOKYO, March 3 Kyodo - Japan's economy shrank", "Tokyo", "Kyodo"),
    ("WASHINGTON, March 3 (UPI) -- The Senate voted", "Washington", "UPI"),
    ("KYIV, Ukraine (AP) \u2014 Russian forces", "Kyiv", "AP"),
    ("SAN MATEO, Calif., March 2 - The company said", "San Mateo", None),
    ("ST. LOUIS, March 3 (Reuters) - Boeing said", "St. Louis", "Reuters"),
    ("ROMA, 3 MAR - Il governo ha approvato", "Roma", None),
    ("Lisboa, 4 abr (Lusa) - O Governo aprovou", "Lisboa", "Lusa"),
    ("London (Thomson Reuters Foundation) - Charities said", "London", "Thomson Reuters Foundation"),
    ("LONDON, March 3, 2024 (Reuters) - Britain's economy", "London", "Reuters"),
    ("Rio de Janeiro (AFP) - Brazil's president", "Rio de Janeiro", "AFP"),
    ("Washington CNN \u2014 The Senate voted", "Washington", "CNN"),
    ("Hong Kong CNN \u2014 Shares fell", "Hong Kong", "CNN"),
])
def test_dateline_forms_of_many_agencies(text: str, city: str | None, agency: str | None) -> None:
    """Upper- or mixed-case cities, several cities, no city, dates either way, many dash forms: city and agency read."""
    dl = meta.dateline(text)
    assert dl is not None, text
    assert (dl.city, dl.agency) == (city, agency), dl


@pytest.mark.parametrize("text", [
    "FILE - A Thames Water sign is seen in London, Jan. 5, 2024.",
    "Paris (which hosted the Games last year) - is the city.",
    "The president (AP) - no",
    "Berlin (the capital) - where it began",
    "NOTE: the figures are provisional",
    "UPDATE - the vote was delayed",
    "EDITOR'S NOTE - This story contains graphic details.",
    "Shares of Tesla rose (Reuters) on Tuesday",
    "Anderson Cooper of CNN \u2014 who hosted the debate \u2014 said",
])
def test_not_a_dateline(text: str) -> None:
    """Caption and notice labels, and sentences with a parenthesis, are not datelines."""
    assert meta.dateline(text) is None, meta.dateline(text)


@settings(max_examples=100, deadline=None)
@given(st.text(alphabet="abcdefghij ()-\u2014ABCD,.", max_size=120))
def test_dateline_never_fails_and_city_is_short(text: str) -> None:
    """Any short text gives None or a dateline whose raw text opens the input."""
    dl = meta.dateline(text)
    assert dl is None or (dl.raw is not None and text.startswith(dl.raw)), (text, dl)


@pytest.mark.parametrize(("text", "names"), [
    ("By JANE DOE Associated Press", ("JANE DOE",)),
    ("By JANE DOE and JOHN ROE Associated Press", ("JANE DOE", "JOHN ROE")),
    ("By Ann Lee, The Associated Press", ("Ann Lee",)),
    ("By Ann Lee for Reuters", ("Ann Lee",)),
    ("By Jean Dupont with Marie Martin in Brussels", ("Jean Dupont", "Marie Martin")),
    ("JANE DOE, Associated Press", ("JANE DOE",)),
    ("Von Anna Schmidt, dpa", ("Anna Schmidt",)),
])
def test_byline_drops_the_agency(text: str, names: tuple[str, ...]) -> None:
    """An agency after the names (with or without a comma) is not part of a name."""
    assert meta.byline(text) == names


@pytest.mark.parametrize("text", ["Biden, Reuters", "The company said, Reuters", "Paris, France | AFP"])
def test_agency_row_without_names_is_not_a_byline(text: str) -> None:
    """A fragment ending in an agency is a byline only when it names people."""
    assert meta.byline(text) is None


@pytest.mark.parametrize("text", [
    "Associated Press writer Mary Clare Jalonick contributed to this report.",
    "Associated Press writers Ann Lee in Washington and Bo Chen in New York contributed to this report.",
    "Reuters contributed to this report",
    "Jane Doe contributed reporting from Paris.",
    "(Reporting by Jane Doe in Nairobi)",
    "Reporting by Jane Doe; Editing by Ann Lee",
    "Additional reporting by Jane Doe in London; Writing by Bo Chen; Editing by Ann Lee",
    "With additional reporting by Jane Doe",
    "Reporting and writing by Jane Doe; editing by Ann Lee",
    "\u2014 Jane Doe contributed additional reporting.",
    "(Con informaci\u00f3n de EFE)",
    "Avec AFP",
])
def test_contributor_lines(text: str) -> None:
    """Sign-off lines of many agencies are contributor lines."""
    assert meta.contributors(text) is not None, text


@pytest.mark.parametrize(("text", "line"), [
    ("(Reporting by Jane Doe; Editing by Bo Chen) ((jane.doe@example.com; +44 20 7542 1234))",
     "Reporting by Jane Doe; Editing by Bo Chen"),
    ("-- Reporting by Jane Doe; Editing by Bo Chen", "Reporting by Jane Doe; Editing by Bo Chen"),
    ("\u2014 Jane Doe contributed additional reporting.", "Jane Doe contributed additional reporting."),
])
def test_contributor_line_loses_dashes_and_contacts(text: str, line: str) -> None:
    """A leading dash and the reporter's contact block are not part of the contributor line."""
    assert meta.contributors(text) == line


@pytest.mark.parametrize("text", [
    "The government said on Monday. Officials from three ministries contributed to this report.",
    "Researchers at five universities contributed to the study, which was published on Monday in Nature.",
    "Investors contributed to the fund's growth this year, the company said.",
    "Avec lui, tout change.",
    "Avec le temps, la ville a beaucoup chang\u00e9 depuis des ann\u00e9es, dit-il en souriant devant la mairie.",
])
def test_prose_about_contributions_is_story(text: str) -> None:
    """A story sentence about contributing is not a contributor line."""
    assert meta.contributors(text) is None, text
