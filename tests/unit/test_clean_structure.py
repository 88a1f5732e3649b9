"""Page structure in clean(): where the headline is, and where the story ends (agents/clean.py ``_structure``).

Two failure shapes: a date line printed ABOVE the headline made the headline search start before
everything (the headline was dropped as ``structure.before-story``), and a comments or disclaimer line
inside the story ("12 comments" under the lead) ended the story there.
"""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from agents.clean import clean
from agents.model import CleanedArticle, WireItem
from streams.settings import CleanSettings

HEADLINE = "Chile's copper output falls 4% as Escondida mine strike drags on"
STORY = [
    "SANTIAGO, Aug 14 (Reuters) - Chile's copper production fell 4% in July from a year earlier, the national "
    "statistics agency said on Thursday, as a strike at the world's biggest copper mine entered its third week.",
    "Output at state-owned Codelco, the country's largest producer, was broadly stable, while BHP's Escondida "
    "mine reported a sharp drop after about 2,400 workers walked off the job over a bonus dispute.",
    "Copper prices on the London Metal Exchange rose 1.1% to $9,412 a tonne after the data were released, "
    "extending gains made earlier in the week on hopes of stronger demand from China.",
    "Chile, which supplies around a quarter of the world's copper, has struggled to lift production in recent "
    "years because of ageing mines, falling ore grades and water shortages in the north.",
    "The mining ministry said it expected output to recover in the second half of the year as new projects, "
    "including Quebrada Blanca 2, ramp up to full capacity.",
    "Escondida's union said talks with management would resume on Monday with a government mediator present.",
]
DATE_LINES = ["Published 14 August 2025", "Thursday, August 14, 2025", "Updated: 2025-08-14 10:15 GMT",
              "08/14/2025 09:41 AM", "14. August 2025, 10:15 Uhr", "Aug 14, 2025 3:02 PM EDT"]
MID_LINES = ["12 comments", "Comments (31)", "Show comments", "Leave a comment", "Join the conversation",
             "Disclaimer: The views expressed are those of the author.", "Risk warning:",
             "Important information: prices are indicative."]


def _text(parts: list[str]) -> CleanedArticle:
    return clean(WireItem(format="text", source="site", body_text="\n\n".join(parts)), settings=CleanSettings())


def _html(body: str) -> CleanedArticle:
    return clean(WireItem(format="html", source="site", body_html=f"<html><body>{body}</body></html>"),
                 settings=CleanSettings())


def _kept(art: CleanedArticle) -> int:
    return sum(p in art.paragraphs for p in STORY)


@pytest.mark.parametrize("date", DATE_LINES)
@pytest.mark.parametrize("byline", [True, False])
def test_date_line_above_headline_keeps_headline(date: str, byline: bool) -> None:
    """A date line above the headline (with or without a byline below it) leaves the headline as headline."""
    art = _text([date, HEADLINE, *(["By Fabian Cambero"] if byline else []), *STORY])
    assert art.headline == HEADLINE, (art.headline, art.removed)
    assert not any(r.text == HEADLINE and r.rule != "headline" for r in art.removed), art.removed
    assert art.paragraphs == tuple(STORY), art.removed
    assert art.dateline.city == "Santiago"


@pytest.mark.parametrize("date", DATE_LINES[:3])
def test_date_line_above_headline_in_html_without_h1(date: str) -> None:
    """The same page as HTML without an <h1>: the headline block is still the headline."""
    art = _html(f"<article><p>{date}</p><h2>{HEADLINE}</h2><p>By Fabian Cambero</p>"
                + "".join(f"<p>{p}</p>" for p in STORY) + "</article>")
    assert art.headline == HEADLINE, (art.headline, art.removed)
    assert _kept(art) == len(STORY), art.removed


def test_headline_above_a_dek_and_head_metadata_is_still_chosen() -> None:
    """The usual order (headline, standfirst, byline, date, lead) still picks the headline, not the standfirst."""
    art = _text(["Markets", HEADLINE, "Strike at Escondida enters third week; output is down 4%.", "By Fabian Cambero",
                 "Published 14 August 2025", *STORY])
    assert art.headline == HEADLINE, (art.headline, art.removed)
    assert art.paragraphs == tuple(STORY), art.removed


@pytest.mark.parametrize("line", MID_LINES)
@pytest.mark.parametrize("pos", [1, 2, 4])
def test_boundary_line_inside_story_is_dropped_not_the_end(line: str, pos: int) -> None:
    """A comments/disclaimer line with the story going on after it is dropped; the whole story stays."""
    art = _text([HEADLINE, "By Fabian Cambero", *STORY[:pos], line, *STORY[pos:]])
    assert art.paragraphs == tuple(STORY), (line, pos, art.removed)
    assert line not in art.paragraphs


@pytest.mark.parametrize("widget", ["<p><a href='#comments'>12 comments</a></p>", "<p>Latest comments</p>",
                                    "<p><em>Disclaimer: The views expressed are those of the author.</em></p>",
                                    "<div class='meta'><span>Comments (4)</span></div>"])
def test_boundary_line_inside_html_story(widget: str) -> None:
    """The same in HTML: a comments link or disclaimer under the lead does not cut the story."""
    art = _html(f"<article><h1>{HEADLINE}</h1><p>{STORY[0]}</p>{widget}"
                + "".join(f"<p>{p}</p>" for p in STORY[1:]) + "</article>")
    assert _kept(art) == len(STORY), art.removed


COMMENT = ("This is what happens when a country relies on one metal for half of its exports and never plans for "
           "the day the mines run out.")
COMMENT2 = "The union is right, the company made record profits last year and can afford the bonus it promised."


@pytest.mark.parametrize("section", [
    ["Comments (2)", "Maria P", "3 hours ago", COMMENT, "Reply", "jorge_77", "5 hours ago", COMMENT2, "Reply"],
    ["Leave a comment", "maria_p: " + COMMENT, "Jorge R: " + COMMENT2],
    ["12 comments", f'"{COMMENT}"', f'"{COMMENT2}"'],
    ["Latest comments", "Risk Disclosure: Trading in commodities involves high risks, including the risk of "
     "losing some or all of your investment, and may not be suitable for all investors.", COMMENT, COMMENT2,
     "Example Markets may be compensated by the advertisers that appear on the website."],
    ["Disclaimer: Example Markets does not provide investment advice.", "Before deciding to trade in copper "
     "futures you should be fully informed of the risks and costs associated with trading the markets.",
     "Example Markets would like to remind you that the data contained in this website is not real-time.",
     "\u00a9 2007-2025 Example Markets Limited. All Rights Reserved."],
])
def test_real_comment_sections_still_end_the_story(section: list[str]) -> None:
    """A comment section or legal tail after the story still ends it: nothing of it leaks into the body."""
    art = _text([HEADLINE, "By Fabian Cambero", *STORY, *section])
    assert art.paragraphs == tuple(STORY), [p[:40] for p in art.paragraphs]


@settings(max_examples=40, deadline=None)
@given(pos=st.integers(1, len(STORY) - 2), line=st.sampled_from(MID_LINES),
       date=st.sampled_from(["", *DATE_LINES]))
def test_mid_story_line_and_top_date_together(pos: int, line: str, date: str) -> None:
    """Any date line on top plus any boundary-like line mid-story: headline and all paragraphs survive."""
    art = _text([*([date] if date else []), HEADLINE, *STORY[:pos], line, *STORY[pos:]])
    assert art.headline == HEADLINE and art.paragraphs == tuple(STORY), (art.headline, art.removed)


@pytest.mark.parametrize("fmt", ["generic", "ninjs"])
def test_feed_body_boundary_line_mid_story_and_at_end(fmt: str) -> None:
    """A scraped body sent as a feed item: a comments line mid-story is dropped, a comment section still ends it."""
    section = ["Comments (2)", "maria_p: " + COMMENT, "Jorge R: " + COMMENT2]
    body = "\n\n".join([STORY[0], "12 comments", *STORY[1:], *section])
    art = clean(WireItem(format=fmt, source="feed", uri="urn:x:1", headline=HEADLINE, body_text=body),  # type: ignore[arg-type]
                settings=CleanSettings())
    assert art.paragraphs == tuple(STORY), [p[:40] for p in art.paragraphs]
