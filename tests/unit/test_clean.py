"""Unit tests for the cleaning stage (agents/clean.py): the seed article, metadata, rules, errors."""

from __future__ import annotations

from pathlib import Path

import pytest

from agents.clean import clean
from agents.errors import CleanError
from agents.model import Picture, WireItem
from streams.settings import CleanSettings

SEED = Path(__file__).resolve().parents[2].parent / "shared" / "seeds" / "000_7199b5f1edf378b1.txt"

SEED_STORY = [
    "MOSCOW (Reuters) - President Alexander Lukashenko of Belarus will seek the backing of Russia's Vladimir Putin "
    "at a crucial meeting on Monday after a fifth consecutive weekend of huge protests demanding that he step down.",
    "Lukashenko, facing the gravest crisis of his 26 years in power, will travel to Russia's Black Sea resort of "
    "Sochi with his fate in Putin's hands.",
    "Economic and military support from Moscow could help tip the balance in his favour as his security forces "
    "crack down hard on the opposition.",
    "Sunday's demonstration was one of the biggest yet.",
    "\"We have to show with this march that he doesn't control the country, that he is not in a position to speak "
    "on behalf of Belarusians,\" said Gennady, 35, a logistics worker who declined to give his last name.",
]
SEED_CHROME = ["Get 40% Off", "Earnings Alert", "ProPicks", "Unlock full list", "Published", "Updated", "FILE PHOTO",
               "By Katya", "Latest comments", "Risk Disclosure", "Fusion Media", "All Rights Reserved",
               "Belarus leader looks to Putin"]


def _seed(tz: str = "UTC"):
    item = WireItem(format="text", source="investing", body_text=SEED.read_text(encoding="utf-8"))
    return clean(item, settings=CleanSettings(default_timezone=tz))


def test_seed_story_paragraphs_verbatim_and_in_order():
    """Every story paragraph of the seed survives unchanged, in order, and there are exactly 13 of them."""
    art = _seed()
    lines = [ln.strip() for ln in SEED.read_text(encoding="utf-8").splitlines()]
    for p in SEED_STORY:
        assert p in art.paragraphs, f"missing story paragraph: {p[:60]!r}"
    assert all(p in lines for p in art.paragraphs), "a paragraph was altered"
    assert [art.paragraphs.index(p) for p in SEED_STORY] == sorted(art.paragraphs.index(p) for p in SEED_STORY)
    assert len(art.paragraphs) == 13, art.paragraphs


def test_seed_chrome_removed():
    """None of the seed's chrome survives in the body."""
    body = _seed().body
    leaked = [c for c in SEED_CHROME if c in body]
    assert not leaked, f"chrome survived: {leaked}"


def test_seed_metadata():
    """Headline, byline, dateline, picture, credit and both timestamps come out of the seed."""
    art = _seed()
    assert art.headline == "Belarus leader looks to Putin to help him cling on to power"
    assert art.byline == ("Katya Golubkova",)
    assert (art.dateline.city, art.dateline.agency) == ("Moscow", "Reuters")
    assert art.pictures == (
        Picture(caption="FILE PHOTO: Belarus President Alexander Lukashenko visits Russia", credit="Reuters",
                file_photo=True),
    )
    assert art.firstcreated == "2020-09-13T19:11:00+00:00"
    assert art.versioncreated == "2020-09-13T19:15:00+00:00"


def test_seed_times_use_configured_timezone():
    """Page times without a zone are read in the configured default timezone."""
    art = _seed("Europe/Moscow")
    assert art.firstcreated == "2020-09-13T19:11:00+03:00"
    assert art.versioncreated == "2020-09-13T19:15:00+03:00"


def test_seed_report_names_rules():
    """The cleaning report lists removed blocks with rule ids, including the comments boundary."""
    rules = {r.rule for r in _seed().removed}
    assert "comments.boundary" in rules and "disclaimer.risk" in rules, rules


def test_feed_metadata_wins_over_page():
    """Feed-given headline, byline and times are kept; the page only fills what is missing."""
    text = SEED.read_text(encoding="utf-8")
    item = WireItem(format="text", source="s", body_text=text, headline="Feed headline", byline=("Feed Writer",),
                    firstcreated="2020-09-13T10:00:00+00:00")
    art = clean(item, settings=CleanSettings())
    assert (art.headline, art.byline, art.firstcreated) == ("Feed headline", ("Feed Writer",),
                                                             "2020-09-13T10:00:00+00:00")
    assert art.versioncreated == "2020-09-13T19:15:00+00:00"


def test_contributors_trailer_leaves_body():
    """A "Reporting by ...; Editing by ..." trailer moves from the body to contributors."""
    text = ("PARIS (Reuters) - The minister resigned on Monday after a week of protests in the capital.\n\n"
            "(Reporting by Jean Dupont; Editing by Ann Lee)")
    art = clean(WireItem(format="text", source="s", body_text=text), settings=CleanSettings())
    assert art.contributors == ("Reporting by Jean Dupont; Editing by Ann Lee",)
    assert "Reporting by" not in art.body


def test_normalisation_strips_invisible_keeps_quotes():
    """Zero-width, bidi-override and control characters go; curly quotes and dashes stay."""
    text = "LONDON (AP) \u2014 \u201cWe\u200b will\u202e go on,\u201d she said\x07 \u2013 calmly, on Tuesday evening."
    art = clean(WireItem(format="text", source="s", body_text=text), settings=CleanSettings())
    assert art.paragraphs == ("LONDON (AP) \u2014 \u201cWe will go on,\u201d she said \u2013 calmly, on Tuesday evening.",)


@pytest.mark.parametrize("body", ["", "   \n\n  ", "Share on Facebook\n\nLatest comments", "<html><script>x</script></html>"])
def test_empty_body_raises_clean_error(body):
    """Nothing of a story left -> CleanError with code empty_body."""
    is_html = body.startswith("<")
    item = WireItem(format="html" if is_html else "text", source="s", body_text=None if is_html else body,
                    body_html=body if is_html else None)
    with pytest.raises(CleanError) as info:
        clean(item, settings=CleanSettings())
    assert info.value.code == "empty_body"


def test_html_main_text_without_markup():
    """An HTML page yields its article paragraphs as plain text: no tags, scripts or handlers, entities decoded."""
    html = ("<html><head><script>alert('x')</script></head><body onload=\"evil()\"><nav><a href=/>Home</a></nav>"
            "<article><h1>Title here</h1><p>BERLIN (dpa) - The first paragraph &amp; its entities, written out "
            "in full for the reader.</p><p>A second paragraph, also long enough to read as story text here.</p>"
            "</article><footer>&copy; 2024 Site GmbH. Alle Rechte vorbehalten.</footer></body></html>")
    art = clean(WireItem(format="html", source="s", body_html=html), settings=CleanSettings())
    assert art.paragraphs == (
        "BERLIN (dpa) - The first paragraph & its entities, written out in full for the reader.",
        "A second paragraph, also long enough to read as story text here.",
    )
    assert art.headline == "Title here"
    assert (art.dateline.city, art.dateline.agency) == ("Berlin", "dpa")


def test_repeated_caption_kept_once_and_prefix_collapsed():
    """A caption shown twice becomes one picture with one FILE PHOTO prefix."""
    cap = "\u00a9 Reuters. FILE PHOTO: FILE PHOTO: Ships wait outside the port"
    text = f"{cap}\n\nLISBON (Reuters) - Dock workers ended their strike on Sunday after a long vote.\n\n{cap}"
    art = clean(WireItem(format="text", source="s", body_text=text), settings=CleanSettings())
    assert art.pictures == (Picture("FILE PHOTO: Ships wait outside the port", "Reuters", True),)
    assert "Ships wait" not in art.body


@pytest.mark.parametrize("fmt", ["ninjs", "generic"])
@pytest.mark.parametrize("body", ["This story has been withdrawn.", "KILL KILL KILL",
                                  "BREAKING\n\nQuake of magnitude 6.1 hits Lima"])
def test_feed_body_is_trusted(fmt, body):
    """A feed item's short body (kill notice, flash) is the story, not empty_body."""
    art = clean(WireItem(format=fmt, source="wire", body_text=body, headline="H"), settings=CleanSettings())
    assert art.paragraphs == tuple(p for p in body.split("\n\n")), art.removed


def test_feed_body_still_loses_rule_chrome():
    """Rules that clearly mark chrome still apply to feed bodies; a feed headline is never taken from the body."""
    body = "LIMA (Reuters) - A quake hit.\n\nShare on Facebook\n\n(c) 2024 Reuters. All rights reserved."
    art = clean(WireItem(format="ninjs", source="wire", body_text=body, headline="Quake"), settings=CleanSettings())
    assert art.paragraphs == ("LIMA (Reuters) - A quake hit.",)
    assert {r.rule for r in art.removed} == {"share", "copyright"}, art.removed


def test_feed_body_html_keeps_link_dense_paragraphs():
    """A ninjs body_html paragraph made of links is still story (feed HTML has no page chrome around it)."""
    html = '<p>BERLIN (dpa) - Short.</p><p><a href="/a">The minister</a> <a href="/b">resigned</a></p>'
    art = clean(WireItem(format="ninjs", source="wire", body_html=html, headline="H"), settings=CleanSettings())
    assert art.paragraphs == ("BERLIN (dpa) - Short.", "The minister resigned"), art.removed


def test_learned_boilerplate_never_empties_feed_body():
    """A stock kill notice repeated across a source's stories stays the story of each notice."""
    from agents.boilerplate import LearnedBoilerplate

    settings = CleanSettings()
    learned = LearnedBoilerplate({}, settings=settings)
    for k in range(6):
        item = WireItem(format="ninjs", source="wire", uri=f"urn:kill:{k}", body_text="This story has been withdrawn.")
        art = clean(item, settings=settings, learned=learned)
        assert art.paragraphs == ("This story has been withdrawn.",), (k, art.removed)


def test_time_before_date_is_read():
    """AP-style date lines put the time first ("6:19 AM PT March 10, 2022") and still parse with their zone."""
    text = ("Harbour votes\n\nPublished 6:19 AM PT March 10, 2022\n\nUpdated 7:00 AM PT March 10, 2022\n\n"
            "SEATTLE (AP) \u2014 The council voted on Thursday to rebuild the old sea wall before next winter.")
    art = clean(WireItem(format="text", source="s", body_text=text), settings=CleanSettings())
    assert (art.firstcreated, art.versioncreated) == ("2022-03-10T06:19:00-08:00", "2022-03-10T07:00:00-08:00")


def test_structured_headline_beats_layout_guess():
    """Without an <h1>, the JSON-LD headline wins over a title-like block (here an author name) and authors split."""
    html = ('<html><head><script type="application/ld+json">{"@type": "NewsArticle", "headline": "Dock strike ends",'
            ' "author": {"@type": "Person", "name": "Ann Lee, Bo Chen"}}</script></head><body>'
            '<div class="by">Ann Lee, Bo Chen</div><div>LISBON (Reuters) - Dock workers ended their strike on Sunday '
            'after a long vote at the port.</div></body></html>')
    art = clean(WireItem(format="html", source="s", body_html=html), settings=CleanSettings())
    assert art.headline == "Dock strike ends"
    assert art.byline == ("Ann Lee", "Bo Chen")


_P = ("<p>{} said the council would meet again on Tuesday, after a long night of talks that ended without a deal, "
      "and that the vote was now expected next week.</p>")


def test_html_story_split_over_sections_is_kept_whole():
    """A story cut into sibling sections (between an aside and a figure) comes out whole, the aside does not."""
    part1 = "".join(_P.format(f"Speaker {k}") for k in range(2))
    part2 = "".join(_P.format(f"Official {k}") for k in range(6))
    html = (f"<html><body><div class='wrap'><div><section>{part1}</section></div>"
            "<aside class='share-box'><h3>Share this article</h3></aside>"
            f"<div><div><section>{part2}</section></div></div></div>"
            "<div class='promo'><p>Sign up for our free daily newsletter today.</p></div></body></html>")
    art = clean(WireItem(format="html", source="s", body_html=html), settings=CleanSettings())
    assert len(art.paragraphs) == 8, art.paragraphs
    assert "Share this article" not in art.body and "newsletter" not in art.body


def test_html_comment_section_never_wins():
    """A long comment thread (comment markup around 'content' divs) loses to a shorter article."""
    story = "".join(_P.format(f"Minister {k}") for k in range(3))
    comments = "".join(f"<div class='comment'><div class='content'>{_P.format(f'Reader {k}')}</div></div>"
                       for k in range(12))
    html = f"<html><body><article>{story}</article><div id='comments'>{comments}</div></body></html>"
    art = clean(WireItem(format="html", source="s", body_html=html), settings=CleanSettings())
    assert len(art.paragraphs) == 3 and "Reader" not in art.body, art.paragraphs


def test_html_hidden_elements_are_not_text():
    """Elements the reader never sees (display:none, hidden) contribute no text."""
    story = "".join(_P.format(f"Mayor {k}") for k in range(3))
    html = (f"<html><body><article>{story}<div style='display: none'><p>500</p><p>BusinessInsiderDe</p></div>"
            "<p hidden>Secret template text that nobody reads on the page at all, really.</p></article></body></html>")
    art = clean(WireItem(format="html", source="s", body_html=html), settings=CleanSettings())
    assert "BusinessInsiderDe" not in art.body and "Secret" not in art.body, art.paragraphs
