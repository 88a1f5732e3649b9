"""Text normalisation and plain-text block splitting for the cleaning stage.

Input: raw page text. Output: normalised blocks (one paragraph or one line each).
Normalisation is NFC, stray control / zero-width / bidi-override characters
removed, whitespace runs collapsed to one space inside a block; quotes and dashes
are kept as written. Pure, linear in the input.
"""

from __future__ import annotations

import re
import unicodedata
from hashlib import blake2b

# C0/C1 controls except tab/newline, zero-width characters, bidi embeddings/overrides/isolates, BOM, soft hyphen.
_STRAY = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u00ad\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u2069\ufeff]")
_NEWLINES = re.compile(r"\r\n?|[\u2028\u2029\x0b\x0c\x85]")
_NEWLINE_CHARS = "\r\u2028\u2029\x0b\x0c\x85"

# A wrapped paragraph: every line but the last is "full" (wire copy wraps at 64-80 columns).
_WRAP_MIN, _WRAP_MAX = 45, 82


def normalise(text: str) -> str:
    """One block's text: NFC, stray characters removed, whitespace collapsed, trimmed.

    >>> normalise("  caf\\u0065\\u0301 \\u200bau  lait\\n")
    'café au lait'
    """
    return _tidy(_STRAY.sub("", text))


def _tidy(text: str) -> str:
    """NFC and whitespace collapsing for text already free of stray characters (the per-block hot path)."""
    if not text.isascii():  # ASCII is always NFC; the check is ~20x cheaper than normalising
        text = unicodedata.normalize("NFC", text)
    # str.split() splits on the same whitespace as ``\s`` once stray controls are gone, and is ~5x faster.
    return " ".join(text.split())


_HTML_NAMES = (
    "a|abbr|article|aside|audio|b|base|blink|blockquote|body|br|button|canvas|center|code|del|details|div|em|embed|"
    "figcaption|figure|font|footer|form|frame|frameset|h[1-6]|head|header|hr|html|i|iframe|img|input|ins|label|li|"
    "link|main|mark|marquee|math|meta|nav|noscript|object|ol|option|p|picture|pre|q|s|script|section|select|small|"
    "source|span|strong|style|sub|summary|sup|svg|table|tbody|td|template|textarea|th|thead|time|title|tr|u|ul|video")
# Known element names only: wire copy writes tickers in angle brackets ("COBANCO INC <CBCO>").
_TAG_LIKE = re.compile(r"<\s*/?\s*(?:" + _HTML_NAMES + r"|!--|!doctype)(?=[\s/>])[^<>]{0,2000}>", re.I)
# A tag opened and never closed runs to the end of the text: the HTML tokenizer drops such a tag at
# end of input, so what follows "<p " there is attribute junk, not text ([^<>] keeps it linear).
_UNCLOSED_TAG = re.compile(r"<\s*/?\s*(?:" + _HTML_NAMES + r")(?=[\s/])[^<>]*$", re.I)
_BARE_UPPER = re.compile(r"<[A-Z]{1,6}>")


def _drop_tag(match: re.Match[str]) -> str:
    # "<A>" or "<SPAN>" with no attributes reads as a ticker symbol, not markup.
    return match.group(0) if _BARE_UPPER.fullmatch(match.group(0)) else " "
_JS_SCHEME = re.compile(r"(?:java|vb)script\s*:", re.I)
_RAW_TEXT = ("script", "style")


def strip_markup(text: str) -> str:
    """Remove markup that arrived as text (an escaped ``&lt;script&gt;`` decodes to a tag, a feed
    headline may carry ``<b>``): script/style bodies, then anything tag-shaped, then
    ``javascript:`` schemes. Linear: one bounded pattern, ``str.find`` for element bodies.

    >>> strip_markup('Rates <b>held</b><script>alert(1)</script> at javascript:x 2%')
    'Rates held at x 2%'
    >>> strip_markup('COBANCO INC <CBCO> and <A> rose; <img src=x onerror=alert(1)>')
    'COBANCO INC <CBCO> and <A> rose;'
    >>> strip_markup('Bridge reopens <img src=x onerror=alert(1)')
    'Bridge reopens'
    """
    if "<" not in text and "script" not in text.lower():
        return text
    lowered = text.lower()
    for name in _RAW_TEXT:
        start = lowered.find("<" + name)
        while start != -1:
            close = lowered.find("</" + name, start)
            end = lowered.find(">", close) + 1 if close != -1 else len(text)
            end = end if end > 0 else len(text)
            text, lowered = text[:start] + " " + text[end:], lowered[:start] + " " + lowered[end:]
            start = lowered.find("<" + name, start)
    text = _TAG_LIKE.sub(_drop_tag, text)
    text = _UNCLOSED_TAG.sub(" ", text)
    text = _JS_SCHEME.sub("", text)
    return " ".join(text.split())


def block_key(text: str) -> str:
    """A short, case-folded fingerprint of a normalised block.

    Digits are NOT folded: templated story sentences ("The index rose 1.2% ...")
    recur across a source's stories with only the numbers changed, and must never
    be learned as chrome.
    """
    return blake2b(text.casefold().encode("utf-8", "surrogatepass"), digest_size=8).hexdigest()


_SENTENCE_STOPS = frozenset(".!?:;\"'”’)»")


def split_blocks(text: str) -> list[str]:
    """Split a plain-text page into normalised blocks.

    Blank lines separate groups; inside a group every line is its own block
    (scraped pages put one paragraph per line) unless the group reads as one
    hard-wrapped paragraph, which is joined with single spaces.
    """
    # Fast paths (the common case, clean ASCII-ish text): skip the regex passes when nothing can match.
    if any(c in text for c in _NEWLINE_CHARS):
        text = _NEWLINES.sub("\n", text)
    blocks: list[str] = []
    group: list[str] = []
    indented: list[bool] = []

    def emit(lines: list[str]) -> None:
        joined = _tidy(" ".join(lines))
        if joined:
            blocks.append(joined)

    def flush() -> None:
        if not group:
            return
        lengths = [len(g) for g in group]
        if len(group) >= 2 and all(_WRAP_MIN <= n <= _WRAP_MAX for n in lengths[:-1]) and lengths[-1] <= _WRAP_MAX:
            emit(group)
        elif _wrapped_with_indents(lengths, indented):
            # Wire copy (teletype style): lines hard-wrapped at a fixed width, a new paragraph
            # marked by an indented first line rather than a blank line.
            start = 0
            for i in range(1, len(group)):
                if indented[i]:
                    emit(group[start:i])
                    start = i
            emit(group[start:])
        else:
            # One paragraph per line (scraped pages), except that a line which stops mid-sentence
            # and is followed by one starting in lower case was hard-wrapped: join those.
            current = [group[0]]
            for prev, line, indent in zip(group, group[1:], indented[1:], strict=False):
                if not indent and line[:1].islower() and prev[-1:] not in _SENTENCE_STOPS:
                    current.append(line)
                else:
                    emit(current)
                    current = [line]
            emit(current)
        group.clear()
        indented.clear()

    for line in text.split("\n"):
        if not line.isprintable():  # every stray character is non-printable (Cc/Cf); most lines skip the regex
            line = _STRAY.sub("", line)
        stripped = line.strip()
        if not stripped:
            flush()
        else:
            group.append(stripped)
            indented.append(line[:1] in (" ", "\t"))
    flush()
    return blocks


def _wrapped_with_indents(lengths: list[int], indented: list[bool]) -> bool:
    """A group of fixed-width lines whose paragraphs start with an indent (no line longer than the wrap)."""
    if len(lengths) < 3 or max(lengths) > _WRAP_MAX or not any(indented[1:]):
        return False
    in_width = sum(1 for n in lengths if _WRAP_MIN <= n)
    return in_width * 2 >= len(lengths)
