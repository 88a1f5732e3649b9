"""HTML block extraction (agents/clean_html.py): the fast walk against a plain reference walk."""

from __future__ import annotations

import re
from itertools import accumulate
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from selectolax.lexbor import LexborHTMLParser, LexborNode

from agents import clean_html
from agents.clean_text import normalise

# ---------------------------------------------------------------------------------------------
# Reference implementations: the rules as first written (whole-string regexes, stack scans per
# block, drop tags removed from the tree), slow and obviously right. The fast code must agree.


def _reference_hints(cls: str) -> tuple[bool, bool, bool, bool, bool]:
    cls = cls.lower()
    if not cls.strip():
        return False, False, False, False, False
    pos = bool(clean_html._POS.search(cls))
    comments = "comment" in cls or "disqus" in cls
    neg = bool(clean_html._NEG.search(cls)) and (not pos or comments)
    return (neg, pos, bool(clean_html._CAPTION_CLASS.search(cls)), bool(clean_html._AUTHOR_CLASS.search(cls)),
            neg and comments)


def _reference_blocks(html: str) -> list[tuple[Any, ...]]:
    tree = LexborHTMLParser(html)
    tree.strip_tags(list(clean_html._DROP_TAGS))
    frames: list[dict[str, Any]] = []
    buf: list[str] = []
    link = [0]
    out: list[tuple[Any, ...]] = []

    def negative() -> bool:
        for f in reversed(frames[-6:]):
            if f["neg"]:
                return True
            if f["pos"]:
                return False
        return False

    def flush() -> None:
        text = normalise("".join(buf))
        buf.clear()
        if text:
            in_comments = any(f["hard"] for f in frames[-16:])
            out.append((text, next((f["tag"] for f in reversed(frames) if f["block"]), "div"),
                        min(link[0], len(text)), any(f["caption"] for f in frames[-6:]),
                        any(f["author"] for f in frames[-4:]), in_comments or negative(), in_comments))
        link[0] = 0

    def visit(node: LexborNode) -> None:
        tag = node.tag or ""
        if tag == "-text":
            text = node.text_content or ""
            if text:
                buf.append(text)
                if any(f["link"] for f in frames[-3:]):
                    link[0] += len(text.strip())
            return
        if tag == "br":
            flush()
            return
        if not tag or tag[0] == "-" or tag == "!--" or clean_html._hidden(node.attributes):
            return
        attrs = node.attributes
        neg, pos, cap, author, comments = _reference_hints(f"{attrs.get('class') or ''} {attrs.get('id') or ''}")
        block = tag in clean_html._BLOCK_TAGS
        skip = tag in clean_html._SKIP_SELF or (neg and tag not in clean_html._NEVER_SKIP)
        if block:
            flush()
        frames.append({"tag": tag, "block": block, "link": tag == "a", "neg": skip,
                       "caption": tag in {"figcaption", "figure"} or cap, "author": author,
                       "pos": tag in {"article", "main"} or (not skip and pos),
                       "hard": comments and tag not in clean_html._NEVER_SKIP})
        for child in node.iter(include_text=True):
            visit(child)
        if block:
            flush()
        frames.pop()

    root = tree.body
    assert root is not None
    visit(root)
    flush()
    return out


def _blocks(html: str) -> list[tuple[Any, ...]]:
    return [(b.text, b.tag, b.link_chars, b.in_caption, b.author_hint, b.negative, b.in_comments)
            for b in clean_html.parse(html).blocks]


# ---------------------------------------------------------------------------------------------
# Generated pages: nesting deep enough to cross every reach (3 for links, 4 for bylines, 6 for
# captions and chrome classes, 16 for comment sections), drop-tag subtrees, hidden elements,
# indentation-only and stray-character text.

_TAGS = ["div", "p", "span", "a", "b", "section", "article", "aside", "footer", "li", "ul", "figure",
         "figcaption", "h1", "h2", "main", "em", "td", "div", "p", "span", "a", "i", "section",
         "script", "style", "nav", "svg", "template", "select"]
_CLASSES = ["", "share", "comments", "comment-body", "article-body", "byline", "photo-caption", "ad", "x ad_y",
            "site-nav", "content sidebar", "Related\u2003Stories", "post", "disqus", "author-name", "promo"]
_TEXT = st.sampled_from(["Ministers met on Monday, officials said.", "\n    ", " ", "\t\n", "\u200b", "\x0c",
                         "caf\u0065\u0301", "Share", "By Ann Lee", "A, B, C, D", "  padded  ", "\u00a0"])


@st.composite
def _pages(draw: st.DrawFn, depth: int = 0) -> str:
    parts = []
    for _ in range(draw(st.integers(0, 4 if depth < 8 else 1))):
        kind = draw(st.integers(0, 9))
        if kind <= 3 or depth >= 12:
            parts.append(draw(_TEXT))
        elif kind == 4:
            parts.append("<br>")
        else:
            tag = draw(st.sampled_from(_TAGS))
            cls = draw(st.sampled_from(_CLASSES))
            extra = draw(st.sampled_from(["", "", "", "", "", "", " hidden", " style='display:none'",
                                          " style='color:red'"]))
            attr = f" class='{cls}'" if cls else ""
            parts.append(f"<{tag}{attr}{extra}>{draw(_pages(depth + 1))}</{tag}>")
    return "".join(parts)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_pages())
def test_blocks_match_the_reference_walk(body: str) -> None:
    """Every block's text, owner tag, link chars and inherited hints equal the plain reference walk's."""
    html = f"<html><body>{body}</body></html>"
    assert _blocks(html) == _reference_blocks(html), html


_CLASS_WORDS = st.sampled_from(["ad", "ads", "nav", "share", "Content", "sidebar", "comment", "MOST-READ", "x",
                                "photo-text", "byline", "main", "tags", "ad-slot", "navbar", "bad", "read", "more"])
_SEPARATORS = st.sampled_from([" ", "-", "_", "", "\u2003", "\x1c", "\t", "\n"])


@given(st.lists(st.tuples(_CLASS_WORDS, _SEPARATORS), max_size=6).map(lambda ps: "".join(w + s for w, s in ps)))
def test_token_hints_match_whole_string_hints(cls: str) -> None:
    """Hints or-ed over whitespace-separated tokens equal the hints of the whole class string."""
    clean_html._token_cache.clear()
    assert clean_html._hints.__wrapped__(cls) == _reference_hints(cls), repr(cls)


_IGNORECASE_SIGN = re.compile(
    r"<(/|(?!(?:area|base|br|col|embed|hr|img|input|link|meta|param|source|track|wbr)\b)[a-zA-Z])", re.IGNORECASE)


@given(st.lists(st.sampled_from(["<div>", "</div>", "<BR>", "<Br>", "<img src=x>", "<IMG>", "<p>", "</P>",
                                 "<Link>", "text", "<meta>", "<wbrx>"]), max_size=60).map("".join))
def test_depth_bound_never_below_the_case_insensitive_count(html: str) -> None:
    """The case-sensitive scan bounds nesting at least as high as a case-insensitive one would."""
    signs = _IGNORECASE_SIGN.findall(html)
    reference = max(accumulate(-1 if s == "/" else 1 for s in signs), default=0)
    assert clean_html._depth_bound(html) >= min(reference, len(signs)), html


def test_drop_tag_subtrees_are_passed_over_and_text_around_them_joins() -> None:
    """Script, svg and nav content is not text; the text on either side stays one block."""
    html = ("<html><body><p>Before<script>var x = '<p>no</p>';</script> and <svg><text>svg</text></svg>after."
            "</p><nav><p>Home</p></nav></body></html>")
    assert [b.text for b in clean_html.parse(html).blocks] == ["Before and after."]


def test_reaches_of_inherited_hints() -> None:
    """A byline class reaches 4 elements down, a caption or chrome class 6, a link 3: deeper text is plain."""
    def deep(cls: str, levels: int) -> str:
        # The block ends (and takes its hints) at the <p>, ``levels`` elements down from the class.
        return (f"<div class='{cls}'>" + "<span>" * (levels - 2) + "<p>Ann Lee</p>" + "</span>" * (levels - 2)
                + "</div>")

    blocks = clean_html.parse(f"<html><body>{deep('byline', 4)}{deep('byline', 5)}</body></html>").blocks
    assert [b.author_hint for b in blocks] == [True, False], blocks
    blocks = clean_html.parse(f"<html><body>{deep('caption', 6)}{deep('caption', 7)}</body></html>").blocks
    assert [b.in_caption for b in blocks] == [True, False], blocks
    blocks = clean_html.parse(f"<html><body>{deep('share', 6)}{deep('share', 7)}</body></html>").blocks
    assert [b.negative for b in blocks] == [True, False], blocks
    html = "<html><body><p><a><b><i>linked</i></b></a></p><p><a><b><i><u>far</u></i></b></a></p></body></html>"
    assert [b.link_chars for b in clean_html.parse(html).blocks] == [6, 0]


def test_whitespace_between_inline_text_separates_words() -> None:
    """Indentation before a block's first word is dropped, but a space between words is kept."""
    html = "<html><body><div>\n  <p>\n   <b>Share</b> <i>now</i>\n</p></div></body></html>"
    assert [b.text for b in clean_html.parse(html).blocks] == ["Share now"]
