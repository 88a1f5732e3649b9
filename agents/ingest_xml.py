"""Safe XML loading for the ingest stage, and the tree readers the XML format parsers share.

Input: the raw bytes of a record already recognised as XML (``agents/ingest.py``
decides by content-type or first bytes). The parse is safe by construction:

* any ``<!DOCTYPE`` (and so any entity declaration: billion laughs, external
  ``SYSTEM`` entities) is rejected before parsing (``xml_forbidden``), and again
  after parsing should one ever reach the tree;
* lxml/libxml2 runs with entity resolution, DTD loading and network access off,
  and without ``huge_tree``, so libxml2 keeps its default limits: nesting deeper
  than 256 elements aborts the parse (``too_deep``) in C, long before Python
  sees the tree; every walk below is iterative (``iter()``), never recursive;
* the payload size limit is checked by the caller before any byte is parsed.

``agents/ingest.py`` dispatches the parsed root: NewsML-G2 ``newsItem`` /
``newsMessage`` / ``packageItem`` (``agents/ingest_newsml.py``), NewsML 1.x
``NewsML`` (``agents/ingest_newsml1.py``), NITF ``nitf`` (``agents/ingest_nitf.py``).

Outcomes of :func:`parse`: the root element, or :class:`InputError` with
``xml_forbidden``, ``invalid_xml`` (message gives line and column) or ``too_deep``.
Side effects: none (no file or network access).
"""

from __future__ import annotations

import re
import threading
from copy import deepcopy
from typing import Any

from lxml import etree

from agents.errors import InputError
from agents.ingest_fields import IngestLimits, check_len

MAX_STORIES = 100
"""Stories one record may carry (a newsMessage's text items); more is rejected as ``too_many_items``.
A constant, not a setting: real messages carry a handful, and this bounds the fan-out per record."""

_PARSER_OPTIONS: dict[str, Any] = {
    "resolve_entities": False, "no_network": True, "load_dtd": False, "dtd_validation": False,
    "huge_tree": False, "remove_comments": True, "remove_pis": True, "collect_ids": False,
}
# An lxml parser must not be shared between threads: each thread builds its own, once.
_LOCAL = threading.local()
_BOM = b"\xef\xbb\xbf"
_SPACE = b" \t\r\n"
# A wire root, or a DOCTYPE naming one (sniffed as XML so that it is refused as xml_forbidden).
_SNIFF_ROOT = re.compile(rb"<(?:!DOCTYPE\s+)?(?:[A-Za-z_][\w.-]{0,30}:)?"
                         rb"(?:newsItem|newsMessage|packageItem|nitf|NewsML)[\s/>\[]")
_FIRST_TAG = re.compile(rb"<(?![!?/])(?:[A-Za-z_][\w.-]{0,30}:)?([A-Za-z_][\w.-]{0,60})")
_DOCTYPE_HTML = re.compile(rb"<!DOCTYPE\s+html", re.I)


def sniff(head: bytes) -> str | None:
    """``"xml"`` if the first bytes open a wire XML document, ``"html"`` for XHTML, else None.

    ``<?xml`` followed by an ``html`` root (or an HTML doctype) stays an HTML page.

    >>> sniff(b'<?xml version="1.0"?><newsItem xmlns="http://iptc.org/std/nar/2006-10-01/">')
    'xml'
    >>> sniff(b'<?xml version="1.0"?><!DOCTYPE html><html><body>')
    'html'
    """
    head = head.removeprefix(_BOM).lstrip(_SPACE)
    if head.startswith(b"<?xml"):
        if _DOCTYPE_HTML.search(head):
            return "html"
        first = _FIRST_TAG.search(head)
        if first is not None and first.group(1).lower() == b"html":
            return "html"
        return "xml"
    if _SNIFF_ROOT.match(head):
        return "xml"
    return None


def parse(value: bytes) -> Any:
    """Parse a payload into its root element, safely (see the module docstring).

    Args:
        value: the record bytes (encoding from the XML declaration or BOM, UTF-8 by default).

    Returns:
        The root ``lxml`` element.

    Raises:
        InputError: ``xml_forbidden``, ``too_deep`` or ``invalid_xml``.
    """
    _reject_doctype(value)
    try:
        root = etree.fromstring(value, _parser())
    except etree.XMLSyntaxError as exc:
        last = exc.error_log.last_error if exc.error_log else None
        message = str(last.message if last is not None and last.message else exc.msg or exc)
        line, column = exc.position if exc.position else (0, 0)
        if "depth" in message.lower():
            raise InputError("too_deep", f"XML nests deeper than 256 elements (line {line}, column {column})") \
                from None
        raise InputError("invalid_xml", f"XML does not parse at line {line}, column {column}: "
                                        f"{message[:300]}") from None
    docinfo = root.getroottree().docinfo
    if docinfo.doctype or docinfo.internalDTD is not None:  # defence in depth: the prolog scan missed it
        raise InputError("xml_forbidden", "XML document type declarations are not accepted")
    return root


def _parser() -> Any:
    parser = getattr(_LOCAL, "parser", None)
    if parser is None:
        parser = _LOCAL.parser = etree.XMLParser(**_PARSER_OPTIONS)
    return parser


def _reject_doctype(value: bytes) -> None:
    """Walk the prolog (XML declaration, comments, PIs) up to the root element; a DOCTYPE there is refused.

    A DOCTYPE may only appear before the root element, so stopping at the first element is complete,
    and text inside CDATA sections or comments later in the document is never mistaken for one.
    """
    pos = len(_BOM) if value.startswith(_BOM) else 0
    end = len(value)
    while pos < end:
        while pos < end and value[pos] in _SPACE:
            pos += 1
        if value.startswith(b"<?", pos):
            close = value.find(b"?>", pos + 2)
            if close < 0:
                return  # unterminated: the parser reports it with its position
            pos = close + 2
        elif value.startswith(b"<!--", pos):
            close = value.find(b"-->", pos + 4)
            if close < 0:
                return
            pos = close + 3
        elif value.startswith(b"<!", pos):
            word = value[pos + 2 : pos + 9].upper()
            what = "document type declaration" if word.startswith(b"DOCTYPE") else "declaration"
            line = value.count(b"\n", 0, pos) + 1
            raise InputError("xml_forbidden", f"XML {what} at line {line} refused: DTDs and entity "
                                              "declarations are never processed (entity expansion, external "
                                              "entities)")
        else:
            return


def local(el: Any) -> str:
    """An element's name without its namespace ('' for comments and other non-elements)."""
    tag = el.tag
    if not isinstance(tag, str):
        return ""
    return tag.rsplit("}", 1)[-1]


def namespace(el: Any) -> str:
    """An element's namespace URI, or ''."""
    tag = el.tag
    if isinstance(tag, str) and tag.startswith("{"):
        return tag[1 : tag.index("}")]
    return ""


def children(el: Any, name: str) -> list[Any]:
    """Direct child elements with that local name (any namespace), in document order."""
    if isinstance(el, etree._Element):
        return list(el.iterchildren("{*}" + name))
    return [c for c in el if local(c) == name]


def child(el: Any, name: str) -> Any:
    """The first direct child element with that local name (any namespace), or None."""
    if isinstance(el, etree._Element):
        # Tag matching in C ("{*}" is any namespace or none): these lookups are most of the mapping.
        return next(el.iterchildren("{*}" + name), None)
    for c in el:
        if local(c) == name:
            return c
    return None


def or_empty(el: Any) -> Any:
    """``el``, or an empty sequence for a missing element: every lookup on it then finds nothing."""
    return el if el is not None else ()


def path(el: Any, *names: str) -> Any:
    """Follow first children by local name (``path(root, "head", "docdata")``), or None."""
    for name in names:
        if el is None:
            return None
        el = child(el, name)
    return el


def text_of(el: Any) -> str | None:
    """All text inside an element (markup dropped), or None for a missing element."""
    if el is None:
        return None
    return "".join(el.itertext())


def attr(el: Any, name: str) -> str | None:
    """An attribute value, or None (also for a missing element)."""
    if el is None:
        return None
    value = el.get(name)
    return str(value) if value is not None else None


def inner_html(container: Any, limits: IngestLimits, name: str) -> str | None:
    """The content of an XHTML/NITF container as HTML, namespaces dropped.

    The ``body`` children if the container wraps a whole ``html`` document (the
    ``body.content`` children if it wraps a ``nitf`` one), else its own children; plain
    tag names, so HTML readers downstream see ordinary markup.
    """
    wrapper = next((c for c in container if local(c) in ("html", "nitf")), None)
    if wrapper is not None:
        # A whole XHTML page, or NITF embedded in a NewsML-G2 inlineXML (Reuters, AP): its body only.
        container = child(wrapper, "body") if local(wrapper) == "html" else path(wrapper, "body", "body.content")
        if container is None:
            return None
    # A detached copy (C-level) is its own document: once its tags lose their namespaces, the
    # declarations inherited from the wire envelope can be dropped, so HTML readers never see
    # <p xmlns="...">. Renaming is one pass over the elements; no Python recursion.
    copy = deepcopy(container)
    for node in copy.iter("{*}*"):
        tag = node.tag
        if tag[0] == "{":
            node.tag = tag[tag.index("}") + 1 :]
    copy.attrib.clear()
    copy.tag = "div"
    copy.tail = None
    etree.cleanup_namespaces(copy)
    out = etree.tostring(copy, encoding="unicode", method="html")
    out = out[len("<div>") : -len("</div>")].strip()
    check_len(name, out, limits, markup=True)
    return out or None


def is_markup(container: Any) -> bool:
    """Whether a content container holds elements (XHTML) rather than text only."""
    return any(isinstance(c.tag, str) for c in container)
