"""Cleaning stage: the story and only the story, with the page metadata pulled out into fields.

Input: a ``WireItem`` whose ``body_text`` (plain-text page, ninjs/generic body) or
``body_html`` (HTML page, ninjs ``body_html``) carries the body.

Outcomes:
    - a ``CleanedArticle``: verbatim story paragraphs in order, headline, byline
      names, dateline, first/last published times (ISO 8601 with a timezone),
      pictures (caption/credit/file-photo flag), contributor trailers, and a
      cleaning report (``removed``: every removed block with its rule id, or
      ``learned``);
    - ``CleanError("empty_body")`` when no story text is left.

Metadata the feed gave (``item.headline``, ``item.byline``, ``item.firstcreated``
...) wins over metadata read from the page; the page fills what is missing.

How blocks are classified (every block is story, metadata or chrome):
    1. metadata readers: captions, contributor trailers, date lines, bylines;
    2. chrome rules (``agents/rules/chrome.json``: data, not code);
    3. structure: the story runs from the dateline paragraph (or the first
       story-like paragraph after the head metadata) to the last story-like
       paragraph; short blocks outside it are chrome, and so is everything after a
       comments/disclaimer boundary; in HTML, blocks outside the main content or
       dense with links are chrome;
    4. learned per-source boilerplate (``agents/boilerplate.py``).

Feed bodies are trusted: a ninjs, generic, NewsML or NITF body IS the story (the agency wrote
it for syndication), so step 3 does not apply to it. Only metadata readers and
chrome rules remove its blocks, and no block is taken as the headline; a one-line
kill notice ("This story has been withdrawn.") or a flash ("KILL KILL KILL") is
the story. Learned boilerplate neither removes blocks from a feed body nor learns
from it (a source's kill notices and trailers repeat word for word; explicit rules
handle the rest). Scraped pages (``text``/``html``) get the full structural
treatment, and learning: blocks learned on only a few stories never take most of a page's story blocks or
half its text, and learning never takes all of it.

Side effect: when ``learned`` is given, ``clean`` both consults and UPDATES it
(one read and one write of the source's entry per call) for pages: the surviving
blocks of this story are counted under its story key (``item.uri``, else
``item.url`` without tracking parameters, else the headline), unless most of them
were seen together in one earlier story of the source: then it is that story again
(a version, refile or re-send) and is counted under that story's key.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

from agents import clean_meta as meta
from agents.boilerplate import LearnedBoilerplate
from agents.clean_html import HtmlPage
from agents.clean_html import parse as parse_html
from agents.clean_rules import Rule
from agents.clean_rules import match as match_rule
from agents.clean_text import block_key, normalise, split_blocks, strip_markup
from agents.errors import CleanError
from agents.model import CleanedArticle, Dateline, Picture, Removal, WireItem
from agents.urls import canonical_url
from streams.settings import CleanSettings

Label = Literal["story", "chrome", "meta", "candidate"]

_SENTENCE_END = frozenset(".!?\"'\u201d\u2019\u00bb)\u3002\uff01\uff1f:;")
_MAX_REMOVALS = 300
# Cheap pre-check before the caption parser: words a caption line carries (credit marks, agency slugs),
# lowercase substrings tested on the lowercased block (a case-insensitive regex scan costs ~10x more).
_CAPTION_NEEDLES = ("\u00a9", "(c)", "copyright", "photo", "foto", "image", "picture", "bild", "credit", "cr\u00e9dit",
                    "caption", "reuters/", "ap/", "afp/", "epa/", "efe/")
_EXCERPT = 160
_HEAD_WINDOW = 12  # metadata blocks this far into the page still belong to the head
_HEADINGS = frozenset({"h1", "h2", "h3", "h4", "h5", "h6"})
_TAIL_MIN_WORDS = 6
_QUOTES = frozenset("\"'\u201c\u201d\u2018\u2019\u00ab\u00bb\u201e")
# A reader comment's author handle before its text ("Klaus_M: ...", "jane doe 42: ..."): one or two name tokens.
_HANDLE = re.compile(r"[\w.@-]{2,30}(?: [\w.@-]{1,30})?: ")
_TITLE_SUFFIX = (" | ", " - ", " \u2013 ", " \u2014 ", " :: ", " \u00b7 ")


@dataclass(slots=True)
class _Block:
    text: str
    label: Label = "candidate"
    rule: str | None = None
    kind: str | None = None
    in_main: bool = True
    link_density: float = 0.0
    tag: str = "p"
    words: int = 0

    @property
    def link_dense(self) -> bool:
        """Mostly link text, the mark of navigation and teaser lists.

        A full sentence of a dozen words or more may carry links on most of its words
        (a story paragraph citing its sources) and still be prose, unless it is
        practically all link.
        """
        if self.link_density <= 0.5:
            return False
        return not (self.link_density <= 0.8 and self.words >= 12 and self.text[-1] in _SENTENCE_END)

    @property
    def story_like(self) -> bool:
        """Reads like story prose: a long block, or a full sentence of some length."""
        if not self.in_main or self.link_dense:
            return False
        if self.words >= 15:
            return True
        return self.words >= 7 and self.text[-1] in _SENTENCE_END


@dataclass
class _Found:
    """Metadata read from the page while classifying."""

    headline: str | None = None
    byline: tuple[str, ...] = ()
    first: str | None = None
    updated: str | None = None
    pictures: list[Picture] | None = None
    contributors: list[str] | None = None


def _words(text: str) -> int:
    """Word count; scripts written without spaces (Chinese, Japanese) count about one word per 3 characters."""
    spaced = text.count(" ") + 1
    return spaced if spaced * 12 >= len(text) else max(spaced, len(text) // 3)


def _blocks_from_text(text: str) -> list[_Block]:
    return [_Block(t, words=_words(t)) for t in split_blocks(text)]


def _blocks_from_html(page: HtmlPage, trusted: bool = False) -> list[_Block]:
    out = []
    any_main = any(b.in_main for b in page.blocks)
    for b in page.blocks:
        # A feed's body_html is all article: only chrome class hints take blocks out of it.
        in_main = (not b.negative) if trusted else (b.in_main or not any_main)
        blk = _Block(b.text, in_main=in_main, link_density=0.0 if trusted else b.link_density, tag=b.tag,
                     words=_words(b.text))
        if b.in_caption:
            blk.kind = "caption"
        elif b.author_hint:
            blk.kind = "author"
        out.append(blk)
    return out


def _strip_site(title: str) -> str:
    for sep in _TITLE_SUFFIX:
        if sep in title:
            head = title.rsplit(sep, 1)[0].strip()
            if len(head) >= 15:
                return head
    return title


def _has_any(low: str, needles: tuple[str, ...]) -> bool:
    return any(n in low for n in needles)


def _read_meta(blocks: list[_Block], found: _Found, tz: str, pictures: dict[str, Picture], page_low: str) -> None:
    """Pass 1: metadata readers, then chrome rules; per-page cache so repeated blocks cost once."""
    cache: dict[str, tuple[Label, str | None, str | None]] = {}
    contributors: list[str] = []
    caption_needles = tuple(n for n in _CAPTION_NEEDLES if n in page_low)
    caption_page = bool(caption_needles)
    for b in blocks:
        t = b.text
        hit = cache.get(t)
        if hit is not None and b.kind != "caption":
            b.label, b.rule, b.kind = hit
            continue
        if b.kind == "caption" or (len(t) <= 600 and caption_page and _has_any(t.lower(), caption_needles)):
            pic = meta.caption(t, in_figure=b.kind == "caption")
            if pic is not None and (b.kind == "caption" or pic.credit or pic.file_photo):
                b.label, b.rule, b.kind = "meta", "picture", "caption"
                prev = pictures.get(pic.caption)
                if prev is None or (prev.credit is None and pic.credit):
                    pictures[pic.caption] = pic
                cache[t] = (b.label, b.rule, b.kind)
                continue
            if b.kind == "caption":
                b.kind = None
        c = meta.contributors(t)
        if c is not None:
            b.label, b.rule, b.kind = "meta", "contributors", "contributors"
            if c not in contributors:
                contributors.append(c)
            continue
        names = meta.byline(t)
        if names is None and b.kind == "author" and len(t) <= 80:
            names = meta.split_names(t) or None
        if names is not None:
            b.label, b.rule, b.kind = "meta", "byline", "byline"
            if not found.byline:
                found.byline = names
            if found.first is None and len(t) <= 240:
                # A byline row often carries the dates too ("By X, March 3, 2021 - Updated: ...").
                dates = meta.find_dates(t, tz)
                if dates:
                    found.first = dates[0]
                    found.updated = dates[-1] if len(dates) > 1 else found.updated
            continue
        dl = meta.date_line(t, tz)
        if dl is not None:
            b.label, b.rule, b.kind = "meta", "date", "date"
            first, upd = dl
            found.first = found.first or first
            found.updated = upd or found.updated
            cache[t] = (b.label, b.rule, b.kind)
            continue
        rule: Rule | None = match_rule(t)
        if rule is not None:
            b.label, b.rule, b.kind = "chrome", rule.id, rule.kind
        cache[t] = (b.label, b.rule, b.kind)
    found.contributors = contributors


def _structure_trusted(blocks: list[_Block]) -> None:
    """Pass 2 for feed bodies: every block no rule or reader claimed is story, up to a boundary that ends it.

    A comments or disclaimer line ends the body only when the story does not go on after it (``_story_end``).
    """
    cand = [i for i, b in enumerate(blocks) if b.label == "candidate"]
    if not cand:
        return
    lo, hi = cand[0], cand[-1]
    end = _story_end(blocks, lo)
    soft = False
    for i, b in enumerate(blocks):
        if i >= end:
            if b.kind != "contributors" and b.label != "chrome":
                b.label, b.rule = "chrome", "structure.after-boundary"
            continue
        if b.label == "chrome" and b.kind == "boundary_soft":
            soft = i > lo
            continue
        if b.label == "chrome" and b.kind == "edge" and lo <= i <= hi:
            # A call-to-action phrase inside the story is story text ("Watch the river rise now", said ...).
            b.label, b.rule, b.kind = "candidate", None, None
        if b.label != "candidate":
            continue
        if soft and not (b.story_like and b.words >= 12):
            b.label, b.rule = "chrome", "structure.list"
            continue
        soft = False
        b.label = "story"


def _has_figure(text: str) -> bool:
    return any(ch.isdigit() for ch in text)


def _continues(blocks: list[_Block], lo: int, hi: int) -> bool:
    """Whether the story goes on between a hard boundary at ``lo`` and the next one (or the page end) at ``hi``.

    A comments or disclaimer line is a boundary only where the story is over. Story prose after it (two or
    more substantial story-like paragraphs that are most of what follows, not reader comments) means the
    line is a stray widget inside the story ("12 comments" under the lead, an inline "Disclaimer: ...").
    Legal text after a disclaimer comes with chrome-rule lines; comment sections are short lines, often
    "Name: text" or quoted, or sit outside the main content.
    """
    prose = other = 0
    for i in range(lo + 1, hi):
        b = blocks[i]
        if b.label == "meta":
            continue
        if b.label == "candidate" and b.story_like and b.words >= 15:
            # A quoted or "Name: ..." paragraph may be story or a reader's comment: it counts for neither.
            if b.text[0] not in _QUOTES and _HANDLE.match(b.text) is None:
                prose += 1
        else:
            other += 1
    return prose >= 2 and prose > other


def _story_end(blocks: list[_Block], start: int) -> int:
    """Index of the hard boundary (comments, disclaimers) that ends the story, or ``len(blocks)``."""
    n = len(blocks)
    bounds = [i for i in range(start + 1, n) if blocks[i].kind == "boundary"]
    for k, i in enumerate(bounds):
        if not _continues(blocks, i, bounds[k + 1] if k + 1 < len(bounds) else n):
            return i
    return n


def _title_like(b: _Block) -> bool:
    return b.label == "candidate" and 2 <= b.words <= 30 and b.text[-1] not in ".:" and b.link_density < 0.5


def _find_headline(blocks: list[_Block], found: _Found, start: int, head_meta: list[int]) -> None:
    """The headline: the last title-like candidate before the story's head metadata (byline, dates).

    The head metadata is the run of metadata and chrome blocks nearest the story start that holds a
    byline or date; a date line ABOVE the headline ("Published 3 March 2025", a site header's date) is
    not where the search starts. Without head metadata between them, the headline is the last title-like
    candidate before the story start.
    """
    head_end = start
    before = [i for i in head_meta if i < start]
    if before:
        head_end = before[-1]
        # Extend over the adjacent non-candidate blocks (a date next to a byline, a share row between them).
        while head_end > 0 and blocks[head_end - 1].label != "candidate":
            head_end -= 1
        if not any(_title_like(blocks[i]) for i in range(head_end)):
            head_end = start  # the metadata sits above everything title-like: search from the start
    for i in range(head_end - 1, -1, -1):
        b = blocks[i]
        if _title_like(b):
            found.headline = b.text
            b.label, b.rule = "meta", "headline"
            return
    for i in range(start - 1, head_end - 1, -1):
        b = blocks[i]
        if _title_like(b):
            found.headline = b.text
            b.label, b.rule = "meta", "headline"
            return


def _structure(blocks: list[_Block], found: _Found, is_html: bool) -> None:
    """Pass 2: decide story vs chrome from the page's shape."""
    n = len(blocks)
    first_story = next((i for i, b in enumerate(blocks) if b.label == "candidate" and b.story_like), None)
    if first_story is None:
        candidates = [b for b in blocks if b.label == "candidate"]
        # No prose at all: a results table, dividend notice or statistics item (wire services send
        # many) is kept as the story when most of what is left carries figures, or when nothing on
        # the page was recognised as chrome; anything else is chrome.
        figures = sum(1 for b in candidates if _has_figure(b.text))
        untouched = len(candidates) == len(blocks)
        if len(candidates) >= 2 and (figures * 2 >= len(candidates) or (untouched and figures)):
            head = candidates[0]
            if found.headline is None and head.words <= 30 and head.text[-1] not in ".:":
                found.headline = head.text
                head.label, head.rule = "meta", "headline"
            for b in candidates:
                if b.label == "candidate":
                    b.label = "story"
            return
        for b in candidates:
            b.label, b.rule = "chrome", "structure.no-story"
        return
    # The story starts at the dateline paragraph, or after the head metadata (byline, dates).
    start = first_story
    dl_at = next((i for i, b in enumerate(blocks[: min(n, 60)]) if b.label == "candidate" and b.in_main
                  and b.words >= 6 and meta.dateline(b.text) is not None), None)  # the cheap test first
    # Head metadata: byline/date blocks with at most two story-like blocks (teasers) before them; a date
    # quoted further down (an embedded post, a timeline) is not the head.
    head_meta = []
    prose = 0
    for i in range(first_story, min(n, first_story + _HEAD_WINDOW)):
        if blocks[i].label == "candidate" and blocks[i].story_like:
            prose += 1
        elif blocks[i].kind in ("date", "byline") and prose <= 2:
            head_meta.append(i)
        if prose > 2:
            break
    head_meta = [i for i, b in enumerate(blocks[:first_story]) if b.kind in ("date", "byline")] + head_meta
    if dl_at is not None and dl_at >= first_story and dl_at < first_story + _HEAD_WINDOW:
        start = dl_at
    elif head_meta and head_meta[-1] > first_story:
        start = next((i for i in range(head_meta[-1] + 1, n) if blocks[i].label == "candidate"
                      and blocks[i].story_like), first_story)
    end = _story_end(blocks, start)
    last_story = max((i for i in range(start, end) if blocks[i].label == "candidate" and blocks[i].story_like),
                     default=start)
    if found.headline is None:
        _find_headline(blocks, found, start, head_meta)
    soft = False
    for i, b in enumerate(blocks):
        if i >= end:
            if b.kind != "contributors" and b.label != "chrome":
                b.label, b.rule = "chrome", "structure.after-boundary"
            continue
        if b.label == "chrome" and b.kind == "boundary_soft":
            soft = i > start
            continue
        if b.label == "chrome" and b.kind == "edge" and start <= i <= last_story:
            b.label, b.rule, b.kind = "candidate", None, None
        if b.label != "candidate":
            continue
        if soft:
            if b.story_like and b.words >= 12:
                soft = False
            else:
                b.label, b.rule = "chrome", "structure.list"
                continue
        if is_html and not b.in_main:
            b.label, b.rule = "chrome", "html.outside-main"
        elif is_html and b.link_dense:
            b.label, b.rule = "chrome", "html.link-dense"
        elif i < start:
            b.label, b.rule = "chrome", "structure.before-story"
        elif i > last_story and not (is_html and b.words >= _TAIL_MIN_WORDS and b.tag not in _HEADINGS):
            # In HTML the main container already fences the story: short items after the last paragraph
            # (tour dates, a closing list) are story; headings and scraps ("Like this:", "Topics") are not.
            b.label, b.rule = "chrome", "structure.after-story"
        else:
            b.label = "story"


def _story_key(item: WireItem, headline: str, paragraphs: list[str]) -> str:
    """The identifier a page's story is counted under (the text match in ``observe`` can override it)."""
    if item.uri:
        return block_key("uri:" + item.uri)
    if item.url:
        return block_key("url:" + canonical_url(item.url))
    return block_key("h:" + (headline or (paragraphs[0] if paragraphs else "")))


def _apply_learned(learned: LearnedBoilerplate, item: WireItem, blocks: list[_Block], story_idx: list[int],
                   headline: str | None, min_chars: int) -> int:
    """Count the page's story blocks in the source's learned state, drop those learned as chrome; return how many.

    The blocks are weighted by length so that ``observe`` can recognise a version or re-send of a story it has
    seen under another key. When blocks learned on only a few stories would take most of the story's blocks or
    half of its text, they are story text after all (a story seen under too many identities, background
    paragraphs a source reuses verbatim in related stories) and stay; chrome settled on many pages (see
    ``boilerplate.SETTLED``) still goes, though never all of the page.
    """
    keys = {i: block_key(blocks[i].text) for i in story_idx if len(blocks[i].text) >= min_chars}
    key = _story_key(item, item.headline or headline or "", [blocks[i].text for i in story_idx])
    known, settled = learned.observe_settled(item.source, key, list(keys.values()),
                                             [len(blocks[i].text) for i in keys])
    if not known:
        return 0
    hits = [i for i, k in keys.items() if k in known]
    if len(hits) * 2 > len(story_idx) or sum(len(blocks[i].text) for i in hits) * 2 >= sum(
            len(blocks[i].text) for i in story_idx):
        # Only chrome settled on many pages may take most of a page (a short story under a site's long
        # footer), and never all of it.
        hits = [i for i, k in keys.items() if k in settled]
        if len(hits) == len(story_idx):
            return 0
    for i in hits:
        blocks[i].label, blocks[i].rule = "chrome", "learned"
    return len(hits)


def clean(item: WireItem, *, settings: CleanSettings, learned: LearnedBoilerplate | None = None) -> CleanedArticle:
    """Clean one wire item into a ``CleanedArticle`` (see the module docstring for outcomes and side effects).

    Args:
        item: The parsed wire item; ``body_text`` or ``body_html`` carries the body.
        settings: Cleaning knobs (default timezone, learning thresholds).
        learned: Per-source learned boilerplate; consulted AND updated when given.

    Returns:
        The cleaned article.

    Raises:
        CleanError: ``empty_body`` when nothing of the story is left.

    >>> from agents.model import WireItem
    >>> art = clean(WireItem(format="text", source="demo", body_text=(
    ...     "Share this article\\n\\nBig news\\n\\nBy Ann Lee\\n\\n"
    ...     "PARIS (AFP) - Something happened in Paris on Monday, officials said.\\n\\n"
    ...     "\\u00a9 2024 Demo Media. All rights reserved.")), settings=CleanSettings())
    >>> art.headline, art.byline, art.dateline.city, art.paragraphs
    ('Big news', ('Ann Lee',), 'Paris', ('PARIS (AFP) - Something happened in Paris on Monday, officials said.',))
    """
    tz = settings.default_timezone
    found = _Found()
    is_html = item.body_html is not None and (item.body_text is None or bool(item.body_html.strip()))
    trusted = item.format not in ("text", "html")  # feed formats: the body IS the story
    page: HtmlPage | None = None
    if is_html:
        page = parse_html(item.body_html or "")
        blocks = _blocks_from_html(page, trusted)
        # A visible <h1>, else the structured headline (JSON-LD/og:title), before any guess from the layout.
        found.headline = normalise(page.h1) if page.h1 else (_strip_site(normalise(page.headline)) or None
                                                             if page.headline else None)
    else:
        blocks = _blocks_from_text(item.body_text or "")
    if not blocks:
        raise CleanError("empty_body", "the body has no text")
    pictures: dict[str, Picture] = {}
    # The caption pre-check first asks the whole page (lowercased once) which caption words it holds at all.
    raw = item.body_text or ""
    # (Non-ASCII raw text may hide a word behind stray or decomposed characters: then ask the normalised blocks.)
    page_low = raw.lower() if page is None and raw.isascii() else "\n".join(b.text for b in blocks).lower()
    _read_meta(blocks, found, tz, pictures, page_low)
    page_headline_from_h1 = found.headline
    if trusted:
        _structure_trusted(blocks)
    else:
        _structure(blocks, found, is_html)
    headline_text = found.headline
    # Drop story blocks that merely repeat the headline (an <h1> inside the article).
    for b in blocks:
        if b.label == "story" and headline_text and b.text == headline_text:
            b.label, b.rule = "meta", "headline"
    story_idx = [i for i, b in enumerate(blocks) if b.label == "story"]
    # Feed bodies neither lose blocks to learning nor teach it: the agency wrote them for syndication, and
    # their stock lines (kill notices, agency trailers) are the story or are caught by explicit rules.
    learned_count = 0
    if learned is not None and story_idx and not trusted:
        learned_count = _apply_learned(learned, item, blocks, story_idx, headline_text, settings.learn_min_chars)
    paragraphs = tuple(t for t in (strip_markup(b.text) for b in blocks if b.label == "story") if t)
    if not paragraphs:
        raise CleanError("empty_body", "nothing of the story is left after cleaning")
    removed: list[Removal] = []
    for b in blocks:
        # Metadata blocks (captions, bylines, contributor lines, ...) left the story too: report them with their
        # reader's rule, so a paragraph taken for metadata is never lost silently.
        if b.label != "story":
            if len(removed) >= _MAX_REMOVALS:
                removed.append(Removal("truncated", f"{sum(1 for x in blocks if x.label != 'story') - len(removed)}"
                                                    " more removed blocks not listed"))
                break
            removed.append(Removal(b.rule or "structure", b.text[:_EXCERPT]))

    # Metadata: feed first, then structured page metadata, then what the text said.
    headline = item.headline or page_headline_from_h1 or headline_text
    if not headline and page is not None and page.title:
        headline = _strip_site(page.title)
    byline = item.byline or found.byline or (page.authors if page is not None else ())
    first = item.firstcreated
    updated = item.versioncreated
    if page is not None:
        times = [d for d in (meta.parse_date(v, tz) for v in page.time_values) if d]
        first = first or (meta.parse_date(page.published, tz) if page.published else None) or (
            times[0] if times else None)
        updated = updated or (meta.parse_date(page.modified, tz) if page.modified else None) or (
            times[-1] if len(times) > 1 else None)
    first = first or found.first
    updated = updated or found.updated or first
    dl = next((d for d in (meta.dateline(p) for p in paragraphs[:2]) if d is not None), None) or Dateline()
    credit = item.agency or dl.agency
    return CleanedArticle(
        item=item,
        headline=strip_markup(normalise(headline or "")) or paragraphs[0][:120],
        paragraphs=paragraphs,
        byline=tuple(name for name in (strip_markup(b) for b in byline) if name),
        dateline=dl,
        firstcreated=first,
        versioncreated=updated,
        pictures=tuple(pictures.values()),
        contributors=tuple(found.contributors or ()),
        credit=credit,
        removed=tuple(removed),
        learned_blocks=learned_count,
    )
