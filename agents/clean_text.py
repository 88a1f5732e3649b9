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


def block_key(text: str) -> str:
    """A short, case-folded fingerprint of a normalised block.

    Digits are NOT folded: templated story sentences ("The index rose 1.2% ...")
    recur across a source's stories with only the numbers changed, and must never
    be learned as chrome.
    """
    return blake2b(text.casefold().encode("utf-8", "surrogatepass"), digest_size=8).hexdigest()


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

    def flush() -> None:
        if not group:
            return
        lengths = [len(g) for g in group]
        if len(group) >= 2 and all(_WRAP_MIN <= n <= _WRAP_MAX for n in lengths[:-1]) and lengths[-1] <= _WRAP_MAX:
            joined = _tidy(" ".join(group))
            if joined:
                blocks.append(joined)
        else:
            for g in group:
                n = _tidy(g)
                if n:
                    blocks.append(n)
        group.clear()

    for line in text.split("\n"):
        if not line.isprintable():  # every stray character is non-printable (Cc/Cf); most lines skip the regex
            line = _STRAY.sub("", line)
        stripped = line.strip()
        if not stripped:
            flush()
        else:
            group.append(stripped)
    flush()
    return blocks
