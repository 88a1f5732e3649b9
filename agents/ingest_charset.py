"""Payload bytes -> text, in UTF-8 or the charset the record declares (called by ``agents/ingest.py``).

Input: the record's bytes, its ``content-type`` header and the payload kind (``html``,
``text``, ``json``). Order, following the WHATWG encoding rules where they apply:

1. a byte-order mark (UTF-8, UTF-16 LE/BE) decides, when a content-type header says what
   the payload is;
2. bytes that are valid UTF-8 are UTF-8 (nearly every record; a page mislabelled
   ``iso-8859-1`` whose bytes are UTF-8 is read as UTF-8, never as mojibake);
3. otherwise the ``charset=`` of the content-type header, else, for HTML, the
   ``<meta charset>`` / ``<meta http-equiv="content-type" content="...; charset=...">``
   in the first ``META_SCAN_BYTES`` bytes;
4. otherwise :class:`InputError` ``not_utf8``: undeclared legacy bytes are not guessed
   (a wrong guess publishes mojibake as news; a dead letter can be replayed).

Labels map to the superset browsers use (``iso-8859-1`` -> ``windows-1252``,
``shift_jis`` -> ``cp932``, ``gb2312`` -> ``gb18030``...), as pages labelled with the
former routinely use the latter's extra characters. An unknown or non-text label, or
bytes that do not decode in the declared charset, give ``not_utf8`` saying so.
Side effects: none.
"""

from __future__ import annotations

import re

from agents.errors import InputError

META_SCAN_BYTES = 4096
"""How far into an HTML page a ``<meta>`` charset is looked for (WHATWG prescans 1024 bytes; some pages
put scripts first)."""

_BOMS = ((b"\xef\xbb\xbf", "utf-8"), (b"\xff\xfe", "utf-16-le"), (b"\xfe\xff", "utf-16-be"))
_HEADER_CHARSET = re.compile(r"""charset\s*=\s*["']?\s*([\w.:+-]{1,40})""", re.IGNORECASE)
_META_CHARSET = re.compile(rb"""<meta\b[^>]{0,400}?charset\s*=\s*["']?\s*([\w.:+-]{1,40})""", re.IGNORECASE)
_SUPERSET = {
    # WHATWG Encoding Standard: these labels decode as the listed superset.
    "iso-8859-1": "cp1252", "iso8859-1": "cp1252", "latin1": "cp1252", "latin-1": "cp1252", "l1": "cp1252",
    "iso_8859-1": "cp1252", "us-ascii": "cp1252", "ascii": "cp1252", "iso-8859-9": "cp1254",
    "latin5": "cp1254", "shift_jis": "cp932", "shift-jis": "cp932", "sjis": "cp932", "x-sjis": "cp932",
    "ms_kanji": "cp932", "windows-31j": "cp932", "gb2312": "gb18030", "gbk": "gb18030", "x-gbk": "gb18030",
    "euc-kr": "cp949", "ks_c_5601-1987": "cp949", "tis-620": "cp874", "iso-8859-11": "cp874",
    "utf-16": "utf-16-le", "unicode": "utf-16-le",
}
_REFUSED = frozenset({"utf-7", "utf7", "unicode-1-1-utf-7", "csunicode11utf7"})
"""Labels browsers refuse (UTF-7 smuggles markup past filters)."""


def decode_payload(value: bytes, content_type: str | None, kind: str) -> str:
    r"""The payload as text (see the module docstring for the order of evidence).

    Args:
        value: the record's bytes.
        content_type: its ``content-type`` header, if any.
        kind: ``html``, ``text`` or ``json`` (only HTML is searched for a ``<meta>`` charset).

    Returns:
        The decoded text, without a byte-order mark.

    Raises:
        InputError: ``not_utf8`` when the bytes are not UTF-8 and no usable charset is declared.

    >>> decode_payload(b"Gesetz f\xfcr", "text/plain; charset=ISO-8859-1", "text").endswith("r")
    True
    """
    if content_type:
        # Without a content-type the kind was sniffed from ASCII bytes, which UTF-16 has not: a
        # headerless record opening with FF FE is taken for the garbage it nearly always is.
        for bom, codec in _BOMS:
            if value.startswith(bom):
                return _decode(value[len(bom):], codec, bom.hex())
    try:
        return value.decode("utf-8")
    except UnicodeDecodeError as exc:
        bad = exc.start
    label = _declared(value, content_type, kind)
    if label is None:
        raise InputError("not_utf8", f"payload is not valid UTF-8 (byte {bad}) and declares no charset")
    return _decode(value, label, label)


def _declared(value: bytes, content_type: str | None, kind: str) -> str | None:
    """The charset label the header (first) or, for HTML, a ``<meta>`` tag declares, lower-cased."""
    if content_type and "charset" in content_type.lower():
        m = _HEADER_CHARSET.search(content_type)
        if m is not None:
            return m.group(1).lower()
    if kind == "html":
        head = value[:META_SCAN_BYTES]
        if b"charset" in head.lower():
            mb = _META_CHARSET.search(head)
            if mb is not None:
                return mb.group(1).decode("ascii", "replace").lower()
    return None


def _decode(value: bytes, label: str, shown: str) -> str:
    """``value`` decoded with the codec for ``label`` (strictly), or ``not_utf8`` naming the charset."""
    if label in _REFUSED:
        raise InputError("not_utf8", f"payload declares charset {shown!r}, which is refused")
    codec = _SUPERSET.get(label, label)
    try:
        # bytes.decode only accepts text encodings: 'base64', 'rot13' and the like raise LookupError.
        return value.decode(codec)
    except LookupError:
        raise InputError("not_utf8", f"payload is not UTF-8 and declares an unknown charset {shown!r}") from None
    except UnicodeDecodeError as exc:
        if codec == "cp1252":
            # Five bytes are unassigned in windows-1252; ISO-8859-1 proper maps them to C1 controls.
            return value.decode("latin-1")
        raise InputError("not_utf8", f"payload is not valid {shown} (byte {exc.start})") from None
