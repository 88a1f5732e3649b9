"""HTML main-text extraction for the cleaning stage.

Input: an HTML page (or a ninjs ``body_html`` fragment). Output: an ``HtmlPage`` with
every text block of the page in document order (plain text, entities decoded, no
markup), a flag saying which blocks lie in the main content, and structured
metadata (JSON-LD, meta tags, ``<time>``).

How the main content is found: the page is parsed once with lexbor (selectolax,
a C HTML5 parser, ~10x faster than lxml for this), then one iterative walk (no
recursion, so deep nesting cannot overflow) passes over scripts, styles, form
controls and navigation and cuts the rest of the DOM into blocks at block-level
elements and ``<br>``; each block's hints from its ancestors (caption, byline,
chrome class, comment section, link) are carried down the walk, not searched for
per block. Each block's text length, commas and link density score its nearest
block ancestors (readability-style: parent full, grandparent half, ...); the best-scoring
container, together with sibling containers that score close to it, is the main
content. Elements whose class/id say "comments", "share", "related", ... are not
candidates; text inside a comment section never scores, however deeply nested
and whatever "content" classes sit between. The main range then widens into
ancestors over adjacent prose when a long story is cut into sibling sections
(``_climb``). Elements the reader never sees (``display:none``, ``hidden``) are
skipped. Cost is linear in the number of nodes.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache
from itertools import accumulate, repeat
from typing import Any

import orjson
from selectolax.lexbor import LexborHTMLParser, LexborNode

from agents.clean_meta import split_names
from agents.clean_text import normalise

_DROP_TAGS = [
    "script", "style", "noscript", "template", "iframe", "svg", "canvas", "button", "select", "option",
    "textarea", "input", "head", "object", "embed", "video", "audio", "map", "math", "nav", "label", "dialog",
]
# Elements whose whole subtree the walk passes over, as if removed from the tree.
_DROP = frozenset(_DROP_TAGS)
_BLOCK_TAGS = frozenset(
    "address article aside blockquote body center dd details dir div dl dt fieldset figcaption figure footer form "
    "h1 h2 h3 h4 h5 h6 header hgroup hr html li main menu ol p pre section summary table tbody td tfoot th thead "
    "tr ul caption legend".split()
)
_HEADINGS = frozenset({"h1", "h2", "h3", "h4", "h5", "h6"})
_SKIP_SELF = frozenset({"aside", "footer"})
# No "paywall": publishers wrap the rest of the story in it for subscribers and crawlers; the notice
# itself ("Subscribe to continue reading") is caught by the text rules.
_NEG = re.compile(
    r"comment|share|sharing|social|related|promo|newsletter|cookie|consent|sidebar|breadcrumb|advert|"
    r"(?:^|[\s_-])ads?(?:$|[\s_-])|ad-slot|adslot|banner|subscri|recommend|popular|most-?read|outbrain|"
    r"taboola|sponsor|footer|masthead|menu|(?:^|[\s_-])nav|toolbar|modal|popup|signup|login|tags|widget|"
    r"disqus|rating|pagination|skip-link|read-?more|more-stories|teaser"
)
_POS = re.compile(r"article|body|content|entry|main|column|post|story|text|blog|prose|cuerpo|artikel|inhalt")
_CAPTION_CLASS = re.compile(r"caption|credit|bildtext|legend|photo-?text|image-?text|img-?text")
_AUTHOR_CLASS = re.compile(r"author|byline|firma|autor|auteur|writer|reporter")
_NEVER_SKIP = frozenset({"body", "html", "article", "main", "p", "h1"})
_CAPTION_TAGS = frozenset({"figcaption", "figure"})
_STORY_TAGS = frozenset({"article", "main"})


_TOKEN_NEG, _TOKEN_POS, _TOKEN_CAPTION, _TOKEN_AUTHOR, _TOKEN_COMMENTS = 1, 2, 4, 8, 16
_TOKEN_CACHE_MAX = 32_768
_token_cache: dict[str, int] = {}


def _token_bits(token: str) -> int:
    """The hint bits of one lowercased class/id token (no whitespace inside)."""
    bits = 0
    if _NEG.search(token):
        bits |= _TOKEN_NEG
    if _POS.search(token):
        bits |= _TOKEN_POS
    if _CAPTION_CLASS.search(token):
        bits |= _TOKEN_CAPTION
    if _AUTHOR_CLASS.search(token):
        bits |= _TOKEN_AUTHOR
    if "comment" in token or "disqus" in token:
        bits |= _TOKEN_COMMENTS
    return bits


@lru_cache(maxsize=4096)
def _hints(cls: str) -> tuple[bool, bool, bool, bool, bool]:
    """(chrome, content, caption, author, comments) hints of one class+id string; cached (pages repeat classes).

    readability's rule: a chrome-sounding class is ignored when it also sounds like
    content ("content-with-sidebar"), except for comment sections.

    No pattern spans whitespace (the separator class around "ad" and "nav" matches a token's
    start or end as well), so the string's hints are those of its whitespace-separated tokens, or-ed.
    Tokens recur across elements, pages and sites far more than whole class strings do
    ("container", "col-md-8"), so they are cached on their own: a class string not seen
    before mostly costs dictionary lookups instead of four regex scans.
    """
    bits = 0
    cache = _token_cache
    # Lowercase patterns on lowercased text: a case-insensitive scan costs several times more.
    for token in cls.lower().split():
        b = cache.get(token)
        if b is None:
            b = _token_bits(token)
            if len(cache) >= _TOKEN_CACHE_MAX:
                cache.clear()  # bounded: a long-running worker meets unbounded class names
            cache[token] = b
        bits |= b
    if not bits:
        return False, False, False, False, False
    pos = bool(bits & _TOKEN_POS)
    comments = bool(bits & _TOKEN_COMMENTS)
    neg = bool(bits & _TOKEN_NEG) and (not pos or comments)
    return neg, pos, bool(bits & _TOKEN_CAPTION), bool(bits & _TOKEN_AUTHOR), neg and comments


_HARD_REACH = 16  # a comment section's mark reaches this deep (comment markup nests: thread, item, body, text)
_NEG_REACH = 6  # a chrome class marks blocks this many elements below it (not a whole-page wrapper's subtree)
_MAX_NODES = 200_000  # pages beyond this are cut (bounded work per record)


@dataclass(slots=True)
class HtmlBlock:
    """One block of page text and the features the classifier uses."""

    text: str
    tag: str
    link_chars: int = 0
    in_caption: bool = False
    author_hint: bool = False
    in_main: bool = False
    negative: bool = False
    """Inside an element whose class/id marks it as chrome (comments, share bar, related links)."""
    in_comments: bool = False
    """Inside a comment section (at any depth): never a candidate for the main content."""

    @property
    def link_density(self) -> float:
        """Share of the block's characters inside links."""
        return self.link_chars / max(1, len(self.text))


@dataclass
class HtmlPage:
    """An HTML page cut into blocks, with structured metadata."""

    blocks: list[HtmlBlock]
    headline: str | None = None
    """From structured metadata (JSON-LD, og:title), which publishers fill for machines."""
    title: str | None = None
    """The ``<title>``, often with the site name appended."""
    h1: str | None = None
    published: str | None = None
    modified: str | None = None
    authors: tuple[str, ...] = ()
    time_values: list[str] = field(default_factory=list)


def _json_ld(tree: LexborHTMLParser, page: HtmlPage) -> None:
    for node in tree.css('script[type="application/ld+json"]')[:8]:
        raw = node.text(deep=True)
        if not raw or len(raw) > 500_000:
            continue
        try:
            data = orjson.loads(raw)
        except orjson.JSONDecodeError:
            continue
        todo: list[Any] = [data]
        seen = 0
        while todo and seen < 200:
            seen += 1
            obj = todo.pop()
            if isinstance(obj, list):
                todo.extend(obj[:50])
                continue
            if not isinstance(obj, dict):
                continue
            if "@graph" in obj:
                todo.append(obj["@graph"])
            kind = obj.get("@type")
            kinds = kind if isinstance(kind, list) else [kind]
            if not any(isinstance(k, str) and ("Article" in k or k in {"BlogPosting", "Report"}) for k in kinds):
                continue
            if isinstance(obj.get("headline"), str) and not page.headline:
                page.headline = obj["headline"]
            if isinstance(obj.get("datePublished"), str) and not page.published:
                page.published = obj["datePublished"]
            if isinstance(obj.get("dateModified"), str) and not page.modified:
                page.modified = obj["dateModified"]
            authors = obj.get("author")
            if authors and not page.authors:
                alist = authors if isinstance(authors, list) else [authors]
                names: list[str] = []
                for a in alist[:10]:
                    name = a.get("name") if isinstance(a, dict) else a
                    if isinstance(name, str) and name.strip():
                        # Some CMSs put every author in one name ("Ann Lee, Bo Chen", "Ann Lee and Bo Chen").
                        names.extend(split_names(normalise(name)) or (normalise(name),))
                page.authors = tuple(names)


_META_PUB = ("article:published_time", "og:article:published_time", "datepublished", "pubdate", "publishdate",
             "date", "dc.date", "dc.date.issued", "parsely-pub-date", "sailthru.date", "dcterms.created")
_META_MOD = ("article:modified_time", "og:article:modified_time", "datemodified", "og:updated_time", "lastmod",
             "dcterms.modified")


def _meta_tags(tree: LexborHTMLParser, page: HtmlPage) -> None:
    values: dict[str, str] = {}
    for node in tree.css("meta")[:300]:
        attrs = node.attributes
        key = (attrs.get("property") or attrs.get("name") or attrs.get("itemprop") or "").lower()
        content = attrs.get("content")
        if key and content and key not in values:
            values[key] = content
    if not page.headline:
        page.headline = values.get("og:title") or values.get("twitter:title")
    if not page.published:
        page.published = next((values[k] for k in _META_PUB if k in values), None)
    if not page.modified:
        page.modified = next((values[k] for k in _META_MOD if k in values), None)
    if not page.authors and values.get("author") and not values["author"].startswith("http"):
        page.authors = (normalise(values["author"]),)


_TAG_RE = re.compile(r"<(/?)([a-zA-Z][a-zA-Z0-9]{0,15})\b[^<>]{0,2000}?(/?)>")
_VOID = frozenset("area base br col embed hr img input link meta param source track wbr".split())
_MAX_DEPTH = 400


# Opening (+1) and closing (-1) tags, void elements left out: an upper bound on nesting depth, computed in C.
# Case-sensitive with the lower- and upper-case void names (a case-insensitive scan costs ~1.4x more): a
# mixed-case void tag ("<Br>") counts as an opening tag, which only raises the bound.
_VOID_NAMES = "area|base|br|col|embed|hr|img|input|link|meta|param|source|track|wbr"
_TAG_SIGN = re.compile(rf"<(/|(?!(?:{_VOID_NAMES}|{_VOID_NAMES.upper()})\b)[a-zA-Z])")
_SIGN = {"/": -1}


def _depth_bound(html: str) -> int:
    """At least the page's deepest nesting (self-closing tags and stray closers only make it larger)."""
    signs = _TAG_SIGN.findall(html)
    if len(signs) <= _MAX_DEPTH:
        return len(signs)
    return max(accumulate(map(_SIGN.get, signs, repeat(1))))


def _flatten_deep(html: str) -> str:
    """Drop opening tags nested deeper than ``_MAX_DEPTH``.

    HTML5 tree building checks the stack of open elements for every tag, so its
    cost grows with depth squared (20,000 nested divs take seconds); no real
    article nests that deep, so the surplus tags carry no structure worth keeping.
    The exact tag walk below is Python and costs ~10 ms on a big page, so a C-speed
    upper bound on the depth decides first whether it is needed at all.
    """
    if _depth_bound(html) <= _MAX_DEPTH:
        return html
    depth = 0
    cuts: list[tuple[int, int]] = []
    for m in _TAG_RE.finditer(html):
        name = m.group(2).lower()
        if m.group(1):
            depth = max(0, depth - 1)
        elif name not in _VOID and not m.group(3):
            depth += 1
            if depth > _MAX_DEPTH:
                cuts.append(m.span())
                depth -= 1
    if not cuts:
        return html
    out, last = [], 0
    for a, b in cuts:
        out.append(html[last:a])
        last = b
    out.append(html[last:])
    return "".join(out)


def parse(html: str) -> HtmlPage:
    """Parse ``html`` into blocks and metadata, and mark the main-content blocks."""
    tree = LexborHTMLParser(_flatten_deep(html))
    page = HtmlPage(blocks=[])
    _json_ld(tree, page)
    _meta_tags(tree, page)
    title = tree.css_first("title")
    if title is not None:
        page.title = normalise(title.text(deep=True)) or None
    for t in tree.css("time[datetime]")[:10]:
        dt = t.attributes.get("datetime")
        if dt:
            page.time_values.append(dt)
    # The walk passes over _DROP subtrees itself: removing them from the tree first (strip_tags) costs a
    # search of the whole document per tag.
    root = tree.body or tree.root
    if root is None:
        return page
    _walk(root, page)
    return page


@lru_cache(maxsize=8192)
def _element(tag: str, cls: str) -> tuple[bool, bool, bool, bool, bool, bool, bool, float]:
    """What an element's tag and class+id say, cached (a page repeats a few dozen tag/class pairs).

    Returns:
        (block-level, link, caption, author, comment section, carries a chrome/content
        signal, chrome (the signal's verdict), scoring bonus when block-level).
    """
    neg, pos, cap_cls, author_cls, comments = _hints(cls)
    skip = tag in _SKIP_SELF or (neg and tag not in _NEVER_SKIP)
    story_tag = tag in _STORY_TAGS
    b = 0.0
    if story_tag:
        b += 0.25
    if pos:
        b += 0.25
    if skip:
        b -= 10.0
    return (tag in _BLOCK_TAGS, tag == "a", cap_cls or tag in _CAPTION_TAGS, author_cls,
            comments and tag not in _NEVER_SKIP, skip or story_tag or pos, skip, b)


# Frame tuple fields (one per open element): the element id (-1 unless a block), then, for the flags a
# block inherits from nearby ancestors, the depth of the nearest ancestor carrying each (so "within
# the last k elements" is one subtraction at flush time instead of a scan of the stack per block).
_F_EID, _F_LINK, _F_CAP, _F_AUTH, _F_HARD, _F_SIG, _F_SIG_NEG, _F_OWNER, _F_OWNERS = range(9)
_FAR = -1_000  # "no such ancestor": further away than any reach
_NO_FRAME: tuple[Any, ...] = (-1, _FAR, _FAR, _FAR, _FAR, _FAR, False, "div", ())
_LINK_REACH = 3  # text counts as link text when an <a> is among its 3 nearest elements
_CAPTION_REACH = 6
_AUTHOR_REACH = 4
_OWNERS = 5  # nearest block ancestors a block scores


def _walk(root: LexborNode, page: HtmlPage) -> None:
    """Cut the DOM into blocks and pick the main content (one iterative pass, then scoring)."""
    blocks = page.blocks
    frames: list[tuple[Any, ...]] = []
    top: tuple[Any, ...] = _NO_FRAME
    parent_of: dict[int, int] = {}
    span: dict[int, list[int]] = {}  # element id -> [first block index, end block index]
    tag_of: dict[int, str] = {}
    bonus: list[float] = []  # per element id (ids count up from 0)
    owners: list[tuple[int, ...]] = []  # per block: nearest block ancestors, deepest first
    buf: list[str] = []
    link_chars = 0
    next_id = 0
    count = 0

    def flush() -> None:
        nonlocal link_chars
        text = normalise("".join(buf))
        buf.clear()
        if text:
            depth = len(frames)
            in_comments = depth - top[_F_HARD] < _HARD_REACH
            blocks.append(HtmlBlock(text, top[_F_OWNER], min(link_chars, len(text)),
                                    depth - top[_F_CAP] < _CAPTION_REACH, depth - top[_F_AUTH] < _AUTHOR_REACH,
                                    False,  # in_main: decided once every block is known
                                    in_comments or (depth - top[_F_SIG] < _NEG_REACH and top[_F_SIG_NEG]),
                                    in_comments))
            owners.append(top[_F_OWNERS])
        link_chars = 0

    node: LexborNode | None = root
    while node is not None:
        tag = node.tag
        if tag == "-text":
            count += 1
            if count > _MAX_NODES:
                break
            text = node.text_content
            # Whitespace before a block's first text is dropped by normalise anyway: keeping it out of
            # the buffer spares the ~2 in 3 flushes that would find nothing but indentation.
            if text and (buf or not text.isspace()):
                buf.append(text)
                if len(frames) - top[_F_LINK] < _LINK_REACH:
                    link_chars += len(text.strip())
        elif tag in _DROP:
            pass  # not counted either: the node budget is for the page as it is read
        elif (count := count + 1) > _MAX_NODES:
            break
        elif tag == "br":
            if buf:
                flush()
        elif tag and tag[0] != "-" and tag != "!--":
            child = node.child
            # An empty inline element (an image, an icon) holds no text and bounds no block: passed over
            # without reading its attributes.
            if (child is not None or tag in _BLOCK_TAGS) and not (
                    ("hidden" in (attrs := node.attributes) or "style" in attrs) and _hidden(attrs)):
                is_block, is_link, caption, author, hard, sig, skip, b = _element(
                    tag, f"{attrs.get('class') or ''} {attrs.get('id') or ''}")
                if is_block and buf:
                    flush()
                if child is not None:  # an empty block element is a boundary and nothing more
                    depth = len(frames) + 1
                    if is_block:
                        eid = next_id
                        next_id += 1
                        parent_owners = top[_F_OWNERS]
                        if parent_owners:
                            parent_of[eid] = parent_owners[0]
                        tag_of[eid] = tag
                        span[eid] = [len(blocks), len(blocks)]
                        bonus.append(b)
                        owner = tag
                        block_owners = (eid, *parent_owners[:_OWNERS - 1])
                    else:
                        eid = -1
                        owner = top[_F_OWNER]
                        block_owners = top[_F_OWNERS]
                    top = (eid,
                           depth if is_link else top[_F_LINK],
                           depth if caption else top[_F_CAP],
                           depth if author else top[_F_AUTH],
                           depth if hard else top[_F_HARD],
                           depth if sig else top[_F_SIG],
                           skip if sig else top[_F_SIG_NEG],
                           owner, block_owners)
                    frames.append(top)
                    node = child
                    continue
        nxt = node.next
        while nxt is None:
            # Climb: every ancestor passed is an element we entered, and is left here. (Lexbor hands
            # out a fresh wrapper per access, so the walk cannot stop at ``root`` by identity; past
            # the body it meets only what the tree builder puts after it, comments.)
            node = node.parent
            if node is None:
                break
            if frames:
                if top[_F_EID] >= 0:
                    if buf:
                        flush()
                    span[top[_F_EID]][1] = len(blocks)
                frames.pop()
                top = frames[-1] if frames else _NO_FRAME
            nxt = node.next
        node = nxt
    if buf:
        flush()
    for f in frames:
        if f[_F_EID] >= 0:
            span[f[_F_EID]][1] = len(blocks)
    _choose_main(page, owners, span, parent_of, tag_of, bonus)


_HIDDEN_STYLE = re.compile(r"display\s*:\s*none|visibility\s*:\s*hidden", re.IGNORECASE)


def _hidden(attrs: dict[str, str | None]) -> bool:
    """An element the reader never sees (schema.org copies of the story, templates): its text is not the page's."""
    if "hidden" in attrs:
        return True
    style = attrs.get("style")
    return bool(style) and _HIDDEN_STYLE.search(style) is not None  # type: ignore[arg-type]


_CLIMB_STEPS = 4  # a story split over sibling <section>s sits at most this many wrappers above one part
_PROSE_MIN = 80  # a block this long, with few links, reads as prose


def _climb(blocks: list[HtmlBlock], best: int, span: dict[int, list[int]], parent_of: dict[int, int],
           tag_of: dict[int, str]) -> tuple[int, int]:
    """Widen the main block range into ancestors when they hold more of the story right next to it.

    Long stories are often cut into sibling sections (between pull quotes, figures,
    ad slots); the best-scoring section then holds only part of the story. Within
    each ancestor (up to ``_CLIMB_STEPS``), the range grows outward over prose
    blocks while the non-prose run between them stays short (``_CLIMB_GAP``
    characters): far-away prose (legal footers, author bios, a second story) is not
    the same story. The wider range is taken when it adds substantial new prose
    (copies of paragraphs already in range do not count) and stays mostly prose.

    Returns:
        The main range as (first block index, end block index).
    """
    good = [len(b.text) >= _PROSE_MIN and b.link_density < 0.3 and not b.negative and not b.in_caption
            for b in blocks]
    lo, hi = span[best]
    probe = best
    steps = 0
    for _ in range(_CLIMB_MAX_WRAPPERS):
        up = parent_of.get(probe)
        # An <article>/<main> is a whole story; an ancestor with another <h1> holds another story (endless scroll).
        if up is None or tag_of.get(up) in ("body", "html") or tag_of.get(probe) in ("article", "main"):
            break
        plo, phi = span[up]
        if (plo, phi) == tuple(span[probe]):
            probe = up  # a wrapper around the same blocks is not a step
            continue
        steps += 1
        if steps > _CLIMB_STEPS:
            break
        qlo, qhi = span[probe]
        h1_here = sum(1 for b in blocks[qlo:qhi] if b.tag == "h1")
        if h1_here and sum(1 for b in blocks[plo:phi] if b.tag == "h1") > h1_here:
            break
        seen = {b.text for b in blocks[lo:hi]}
        mine = sum(len(b.text) for k, b in enumerate(blocks[lo:hi], lo) if good[k])
        new_lo, new_hi, added = lo, hi, 0
        for direction in (-1, 1):
            k = lo - 1 if direction < 0 else hi
            gap = 0
            while plo <= k < phi and gap <= _CLIMB_GAP:
                b = blocks[k]
                if good[k] and b.text not in seen:
                    added += len(b.text)
                    gap = 0
                    if direction < 0:
                        new_lo = k
                    else:
                        new_hi = k + 1
                elif not (b.in_caption or b.negative):  # figures and marked promos between sections are expected
                    gap += len(b.text)
                k += direction
        total = sum(len(b.text) for b in blocks[new_lo:new_hi])
        prose = mine + added
        if added >= max(_CLIMB_MIN_ADD, _CLIMB_SHARE * mine) and prose >= _CLIMB_PROSE_RATIO * total:
            lo, hi = new_lo, new_hi
        elif added:
            break
        probe = up
    return lo, hi


_CLIMB_GAP = 200
_CLIMB_MAX_WRAPPERS = 24  # bound on ancestors visited, wrappers included
_CLIMB_MIN_ADD = 150
_CLIMB_SHARE = 0.15
_CLIMB_PROSE_RATIO = 0.75


def _choose_main(page: HtmlPage, owners: list[tuple[int, ...]], span: dict[int, list[int]],
                 parent_of: dict[int, int], tag_of: dict[int, str], bonus: list[float]) -> None:
    blocks = page.blocks
    score: dict[int, float] = {}  # insertion order breaks ties between equal scores
    chars = [0] * len(bonus)
    links = [0] * len(bonus)
    weights = (1.0, 1.0, 0.5, 0.33, 0.25)
    for b, own in zip(blocks, owners, strict=True):
        text = b.text
        n = len(text)
        lc = b.link_chars
        if b.in_caption or n < 25 or b.in_comments:
            for eid in own:
                chars[eid] += n
                links[eid] += lc
            continue
        s = (1 + min(text.count(",") + text.count("\u3001"), 5) + min(n / 100, 3)) * (1 - lc / max(1, n))
        for eid, weight in zip(own, weights, strict=False):  # own holds at most len(weights) ancestors
            chars[eid] += n
            links[eid] += lc
            if bonus[eid] >= -1:
                score[eid] = score.get(eid, 0.0) + s * weight
    if not score:
        return
    final = {
        eid: s * (1 - links[eid] / max(1, chars[eid])) * (1 + bonus[eid])
        for eid, s in score.items()
    }
    best = max(final, key=final.__getitem__)
    top = final[best]
    chosen = [best]
    parent = parent_of.get(best)
    if parent is not None:
        for eid, s in final.items():
            if eid != best and parent_of.get(eid) == parent and s >= max(top * 0.2, 3.0):
                chosen.append(eid)
    ranges = [span[eid] for eid in chosen]
    wide = _climb(blocks, best, span, parent_of, tag_of)
    if wide != tuple(span[best]):
        ranges = [list(wide)]
    for lo, hi in ranges:
        for i in range(lo, hi):
            blocks[i].in_main = not blocks[i].negative
    h1 = next((b.text for b in blocks if b.tag == "h1"), None)
    page.h1 = h1
