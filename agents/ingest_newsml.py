"""NewsML-G2 ``newsItem`` / ``newsMessage`` / ``packageItem`` -> wire items (one per text item).

Input: a parsed root element in the NewsML-G2 namespace, or in none (``agents/ingest_xml.py``
parsed it safely). Mapping (IPTC NewsML-G2 2.x names):

* ``@guid`` -> ``uri``; ``@version`` -> ``version``;
* ``itemMeta``: ``versionCreated``, ``firstCreated``, ``embargoed``, ``pubStatus``
  (``stat:usable`` / ``stat:withheld`` / ``stat:canceled``), each ``signal/@qcode``
  (``sig:update``, ``sig:correction``...) and ``edNote`` -> ``signals`` (which the
  notice reader in ``agents/dedupe_notices.py`` reads word by word), ``edNote`` ->
  ``ednote``;
* ``contentMeta``: ``headline``, ``by`` (else ``creator``), ``located`` (else
  ``dateline``), ``subject`` -> feed subjects (qcode expanded to a URI through the
  item's ``catalog`` or the IPTC aliases), ``language/@tag``, ``creditline`` ->
  ``credit``, ``infoSource`` (else ``provider``) -> ``agency``, ``slugline`` ->
  ``signals`` (as ninjs ``slugline`` is);
* ``contentSet``: ``inlineXML`` (XHTML) -> ``body_html``, else ``inlineData`` ->
  ``body_text`` (or ``body_html`` when its content type is HTML).

A ``newsMessage`` yields one item per text ``newsItem`` of its ``itemSet`` (pictures
and other non-text items are skipped), ordered as a ``packageItem`` in the same
message references them, at most ``MAX_STORIES``. A ``packageItem`` alone only
references its items, so it carries no body.

Outcomes: wire items (format ``newsml-g2``) or :class:`InputError` (``no_body``,
``too_many_items``, ``field_too_long``). Side effects: none.
"""

from __future__ import annotations

from typing import Any

from agents.errors import InputError
from agents.ingest_fields import (
    MAX_SUBJECTS,
    IngestLimits,
    iso_time,
    language_code,
    one_line,
    pubstatus_of,
    source_of,
    split_byline,
    subject,
    version_number,
)
from agents.ingest_xml import (
    MAX_STORIES,
    attr,
    child,
    children,
    inner_html,
    is_markup,
    local,
    or_empty,
    path,
    text_of,
)
from agents.model import FeedSubject, RawRecord, WireItem

NAR = "http://iptc.org/std/nar/2006-10-01/"
ROOTS = frozenset({"newsItem", "newsMessage", "packageItem"})
_XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
# Scheme aliases of the IPTC catalog most items reference (catalogRef), so a qcode such as
# medtop:04000000 gets its URI without fetching the catalog (no network at run time).
IPTC_ALIASES: dict[str, str] = {
    "medtop": "http://cv.iptc.org/newscodes/mediatopic/",
    "subj": "http://cv.iptc.org/newscodes/subjectcode/",
    "genre": "http://cv.iptc.org/newscodes/genre/",
    "cpnat": "http://cv.iptc.org/newscodes/cpnature/",
    "ninat": "http://cv.iptc.org/newscodes/ninature/",
    "stat": "http://cv.iptc.org/newscodes/pubstatusg2/",
    "sig": "http://cv.iptc.org/newscodes/signal/",
    "nprov": "http://cv.iptc.org/newscodes/newsprovider/",
    "iso3166-1a2": "http://cv.iptc.org/newscodes/iso3166-1a2/",
}
_NON_TEXT = frozenset({"picture", "graphic", "video", "audio", "animated", "interactive", "composite"})


def items(root: Any, record: RawRecord, limits: IngestLimits) -> tuple[WireItem, ...]:
    """The wire items of a NewsML-G2 document (see the module docstring).

    Raises:
        InputError: ``no_body`` when no text item is found, ``too_many_items`` past ``MAX_STORIES``.
    """
    name = local(root)
    if name == "newsItem":
        if not _is_text(root):
            raise InputError("no_body", f"newsItem of class {_item_class(root)} carries no text")
        return (_news_item(root, record, limits, _aliases(root)),)
    if name == "packageItem":
        raise InputError("no_body", "a packageItem alone only references its items (itemRef); deliver it in a "
                                    "newsMessage with its text newsItems")
    item_set = child(root, "itemSet")
    members = list(item_set) if item_set is not None else []
    texts = [m for m in members if local(m) == "newsItem" and _is_text(m)]
    if not texts:
        raise InputError("no_body", f"newsMessage carries no text newsItem ({len(members)} items in its itemSet)")
    if len(texts) > MAX_STORIES:
        raise InputError("too_many_items", f"newsMessage carries {len(texts)} text items > limit {MAX_STORIES}")
    texts = _package_order(texts, [m for m in members if local(m) == "packageItem"])
    shared = _aliases(root)
    return tuple(_news_item(m, record, limits, {**shared, **_aliases(m)}) for m in texts)


def _item_class(item: Any) -> str:
    return attr(path(item, "itemMeta", "itemClass"), "qcode") or "unknown"


def _is_text(item: Any) -> bool:
    kind = _item_class(item).rsplit(":", 1)[-1].rsplit("/", 1)[-1].lower()
    if kind in _NON_TEXT:
        return False
    content = child(item, "contentSet")
    return content is not None and any(local(c) in ("inlineXML", "inlineData") for c in content)


def _package_order(texts: list[Any], packages: list[Any]) -> list[Any]:
    """Text items in the order the message's first package references them; unreferenced ones after."""
    if not packages:
        return texts
    refs = [attr(ref, "residref") for ref in packages[0].iter() if local(ref) == "itemRef"]
    rank = {guid: n for n, guid in enumerate(refs) if guid}
    return sorted(texts, key=lambda item: rank.get(attr(item, "guid") or "", len(rank)))  # stable


def _aliases(el: Any) -> dict[str, str]:
    aliases: dict[str, str] = {}
    for catalog in children(el, "catalog"):
        for scheme in children(catalog, "scheme"):
            alias, uri = attr(scheme, "alias"), attr(scheme, "uri")
            if alias and uri:
                aliases[alias] = uri
    return aliases


def _news_item(item: Any, record: RawRecord, limits: IngestLimits, aliases: dict[str, str]) -> WireItem:
    meta: Any = or_empty(child(item, "itemMeta"))
    cm: Any = or_empty(child(item, "contentMeta"))
    text_body, html_body = _body(child(item, "contentSet"), limits)
    if not (text_body or html_body):
        raise InputError("no_body", f"newsItem {attr(item, 'guid') or ''} has an empty inlineXML/inlineData")
    uri = one_line(attr(item, "guid"), limits, "guid")
    ednote = one_line(text_of(child(meta, "edNote")), limits, "edNote")
    signals = [attr(s, "qcode") or attr(s, "uri") or "" for s in children(meta, "signal")]
    slugline = one_line(text_of(child(cm, "slugline")), limits, "slugline")
    signals += [s for s in (ednote, slugline) if s]
    agency = _agency(item, cm, meta, limits)
    return WireItem(
        format="newsml-g2",
        source=source_of(agency, uri),
        body_text=text_body,
        body_html=html_body,
        uri=uri,
        version=version_number(attr(item, "version")),
        headline=_headline(cm, limits),
        byline=_byline(cm, limits),
        located=_located(cm, limits),
        language=language_code(attr(child(cm, "language"), "tag") or item.get(_XML_LANG)),
        pubstatus=pubstatus_of(attr(child(meta, "pubStatus"), "qcode")),
        firstcreated=iso_time(text_of(child(meta, "firstCreated")) or text_of(child(cm, "contentCreated"))),
        versioncreated=iso_time(text_of(child(meta, "versionCreated"))),
        embargoed=iso_time(text_of(child(meta, "embargoed"))),
        agency=agency,
        signals=tuple(s[:300] for s in signals if s),
        received_ms=record.timestamp_ms,
        subjects=_subjects(cm, aliases, limits),
        credit=one_line(text_of(child(cm, "creditline")), limits, "creditline"),
        ednote=ednote,
    )


def _body(content_set: Any, limits: IngestLimits) -> tuple[str | None, str | None]:
    if content_set is None:
        return None, None
    inline_xml = child(content_set, "inlineXML")
    if inline_xml is not None and is_markup(inline_xml):
        return None, inline_html(inline_xml, limits)
    data = child(content_set, "inlineData") if inline_xml is None else inline_xml
    if data is None:
        return None, None
    text = data.text or ""
    if "html" in (attr(data, "contenttype") or "").lower():
        return None, one_body(text, limits, markup=True)
    return one_body(text, limits, markup=False), None


def inline_html(container: Any, limits: IngestLimits) -> str | None:
    """``inlineXML`` content as HTML."""
    return inner_html(container, limits, "inlineXML")


def one_body(text: str, limits: IngestLimits, *, markup: bool) -> str | None:
    """A body string, bounded (markup by the payload limit, text by the field limit)."""
    limit = limits.max_payload_bytes if markup else limits.max_field_chars
    if len(text) > limit:
        raise InputError("field_too_long", f"body has {len(text)} chars > limit {limit}")
    return text.strip() or None


def _headline(cm: Any, limits: IngestLimits) -> str | None:
    headlines = children(cm, "headline")
    main = next((h for h in headlines if "main" in (attr(h, "role") or "main")), headlines[0] if headlines else None)
    return one_line(text_of(main), limits, "headline")


def _byline(cm: Any, limits: IngestLimits) -> tuple[str, ...]:
    by = one_line(text_of(child(cm, "by")), limits, "by")
    if by:
        return tuple(split_byline(by))
    names = [_name(c, limits) for c in children(cm, "creator")]
    return tuple(n for n in names if n)


def _located(cm: Any, limits: IngestLimits) -> str | None:
    located = child(cm, "located")
    if located is not None and (name := _name(located, limits)):
        return name
    return one_line(text_of(child(cm, "dateline")), limits, "dateline")


def _name(el: Any, limits: IngestLimits) -> str | None:
    """A concept's display name: its ``name`` child, else ``@literal``, else the code of its qcode."""
    name = child(el, "name")
    if name is not None:
        return one_line(text_of(name), limits, "name")
    literal = attr(el, "literal")
    if literal:
        return one_line(literal, limits, "literal")
    qcode = attr(el, "qcode")
    return one_line(qcode.split(":", 1)[-1], limits, "qcode") if qcode else None


def _agency(item: Any, cm: Any, meta: Any, limits: IngestLimits) -> str | None:
    for el in children(cm, "infoSource")[:1]:
        if found := _name(el, limits):
            return found
    provider = child(meta, "provider")
    if provider is not None and (found := _name(provider, limits)):
        return found
    holder = path(item, "rightsInfo", "copyrightHolder")
    return _name(holder, limits) if holder is not None else None


def _subjects(cm: Any, aliases: dict[str, str], limits: IngestLimits) -> tuple[FeedSubject, ...]:
    found: list[FeedSubject] = []
    for el in children(cm, "subject")[:MAX_SUBJECTS]:
        qcode = attr(el, "qcode")
        uri = attr(el, "uri") or expand_qcode(qcode, aliases)
        name_el = child(el, "name")
        name = one_line(text_of(name_el), limits, "subject") if name_el is not None else attr(el, "literal")
        if (made := subject(name, uri, qcode)) is not None:
            found.append(made)
    return tuple(found)


def expand_qcode(qcode: str | None, aliases: dict[str, str]) -> str | None:
    """``medtop:04000000`` -> ``http://cv.iptc.org/newscodes/mediatopic/04000000`` (item catalog first).

    >>> expand_qcode("medtop:04000000", {})
    'http://cv.iptc.org/newscodes/mediatopic/04000000'
    """
    if not qcode or ":" not in qcode:
        return None
    alias, code = qcode.split(":", 1)
    base = aliases.get(alias) or IPTC_ALIASES.get(alias)
    return base + code if base and code else None
