"""Property tests for the cleaning stage: arbitrary text and HTML never break clean()."""

from __future__ import annotations

import re

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from agents.clean import clean
from agents.clean_text import normalise
from agents.errors import CleanError
from agents.model import WireItem
from streams.settings import CleanSettings

SETTINGS = CleanSettings()
_TAG = re.compile(r"<\s*/?\s*(?:script|style|p|div|a|span|img|iframe)\b", re.IGNORECASE)

_words = st.sampled_from(["By", "Published", "09/13/2020,", "07:11", "PM", "MOSCOW", "(Reuters)", "-", "\u00a9",
                          "FILE", "PHOTO:", "Latest", "comments", "the", "minister", "said", "on", "Monday.",
                          "\u201cquoted\u201d", "\u2014", "Share", "Advertisement", "\u200b", "\u202e", "\x00", "&amp;"])
_lines = st.lists(_words, min_size=0, max_size=25).map(" ".join)
_pages = st.lists(_lines, min_size=0, max_size=30).map(lambda ls: "\n\n".join(ls))
_tags = st.sampled_from(["p", "div", "span", "a", "article", "li", "h1", "script", "style", "figure", "figcaption",
                         "section", "b", "br"])


@st.composite
def _html(draw):
    parts = []
    for _ in range(draw(st.integers(0, 25))):
        tag = draw(_tags)
        attr = draw(st.sampled_from(["", ' class="share"', ' class="article-body"', ' onclick="x()"', ' id="comments"']))
        parts.append(f"<{tag}{attr}>{draw(_lines)}")
        if draw(st.booleans()):
            parts.append(f"</{tag}>")
    return "".join(parts)


def _check(item: WireItem, source_text: str) -> None:
    try:
        art = clean(item, settings=SETTINGS)
    except CleanError as exc:
        assert exc.code == "empty_body"
        return
    assert art.paragraphs, "a cleaned article has at least one paragraph"
    for p in art.paragraphs:
        assert p == normalise(p), f"paragraph not normalised: {p!r}"
        assert not _TAG.search(p) or _TAG.search(source_text.replace("&lt;", "<")), f"markup leaked: {p!r}"
        assert "\x00" not in p and "\u200b" not in p and "\u202e" not in p


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_pages)
def test_text_pages_clean_or_raise_clean_error(page):
    """Arbitrary word soup: clean returns normalised paragraphs found in the input, or raises CleanError."""
    _check(WireItem(format="text", source="p", body_text=page), page)
    try:
        art = clean(WireItem(format="text", source="p", body_text=page), settings=SETTINGS)
    except CleanError:
        return
    flat = normalise(page.replace("\n", " "))
    for p in art.paragraphs:
        assert p in flat, f"paragraph is not a substring of the normalised input: {p!r}"


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.text(max_size=400))
def test_any_unicode_text(page):
    """Any Unicode string at all: only CleanError may come out."""
    _check(WireItem(format="text", source="p", body_text=page), page)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_html())
def test_html_pages_never_leak_markup(page):
    """Random tag soup: no tags, scripts or handlers in the output; paragraphs come from the page's text."""
    _check(WireItem(format="html", source="p", body_html=page), page)
    try:
        art = clean(WireItem(format="html", source="p", body_html=page), settings=SETTINGS)
    except CleanError:
        return
    for p in art.paragraphs:
        assert "onclick" not in p and "x()" not in p, p
