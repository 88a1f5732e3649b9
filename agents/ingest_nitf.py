"""NITF 3.x documents (``<nitf>``) -> one wire item.

Input: a parsed ``nitf`` root (``agents/ingest_xml.py``). Mapping:

* ``head/docdata``: ``doc-id/@id-string`` -> ``uri``; ``du-key/@version`` ->
  ``version``; ``date.issue/@norm`` -> ``firstcreated`` and ``versioncreated``;
  ``date.release/@norm`` -> ``embargoed`` (NITF's release time is an embargo);
  ``@management-status`` -> ``pubstatus``; ``ed-msg/@info`` -> ``ednote`` and
  ``signals``; ``doc.copyright`` -> ``credit`` (``Copyright <year> <holder>``);
* ``head/tobject/tobject.subject`` -> feed subjects (``@tobject.subject.refnum`` is
  an IPTC subject code);
* ``body/body.head``: ``hedline/hl1`` -> ``headline``, ``byline`` (its ``person``
  elements, else its text) -> ``byline``, ``dateline/location`` (else the dateline
  text) -> ``located``, ``distributor`` -> ``agency`` (else the ``doc-id/@regsrc``
  or the copyright holder);
* ``body/body.content`` -> ``body_html``; language from ``xml:lang`` on ``nitf``,
  ``body`` or ``body.content``. A ``media`` element becomes an HTML ``figure`` and its
  ``media-caption`` a ``figcaption`` (its ``media-producer`` appended as the credit), so
  the cleaner reads the caption as a picture and keeps it out of the story.

Outcomes: a wire item (format ``nitf``) or :class:`InputError` (``no_body``,
``field_too_long``). Side effects: none.
"""

from __future__ import annotations

from copy import deepcopy
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
from agents.ingest_xml import attr, child, children, inner_html, local, or_empty, path, text_of
from agents.model import FeedSubject, RawRecord, WireItem

_XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
_SUBJECT_CODE = "http://cv.iptc.org/newscodes/subjectcode/"


def item(root: Any, record: RawRecord, limits: IngestLimits) -> WireItem:
    """Map a NITF document onto a wire item.

    Raises:
        InputError: ``no_body`` when ``body.content`` is missing or empty.
    """
    body = child(root, "body")
    content = child(body, "body.content") if body is not None else None
    if content is not None and next(content.iter("{*}media"), None) is not None:
        content = media_as_figures(content)
    html_body = inner_html(content, limits, "body.content") if content is not None else None
    if not html_body:
        raise InputError("no_body", "NITF document has no body.content")
    head: Any = child(root, "head")
    docdata_el = child(head, "docdata") if head is not None else None
    docdata: Any = or_empty(docdata_el)
    body_head: Any = or_empty(child(body, "body.head"))
    doc_id = child(docdata, "doc-id")
    uri = one_line(attr(doc_id, "id-string"), limits, "doc-id")
    issued = iso_time(attr(child(docdata, "date.issue"), "norm"))
    ednote = one_line(attr(child(docdata, "ed-msg"), "info"), limits, "ed-msg")
    credit, holder = _copyright(child(docdata, "doc.copyright"), limits)
    agency = (one_line(text_of(child(body_head, "distributor")), limits, "distributor")
              or one_line(attr(doc_id, "regsrc"), limits, "regsrc") or holder)
    return WireItem(
        format="nitf",
        source=source_of(agency, uri),
        body_html=html_body,
        uri=uri,
        version=version_number(attr(child(docdata, "du-key"), "version")),
        headline=one_line(text_of(path(body_head, "hedline", "hl1")), limits, "hl1"),
        byline=_byline(child(body_head, "byline"), limits),
        located=_located(child(body_head, "dateline"), limits),
        language=language_code(_lang(root, body, content)),
        pubstatus=pubstatus_of(attr(docdata_el, "management-status")),
        firstcreated=issued,
        versioncreated=issued,
        embargoed=iso_time(attr(child(docdata, "date.release"), "norm")),
        agency=agency,
        signals=(ednote,) if ednote else (),
        received_ms=record.timestamp_ms,
        subjects=_subjects(head, limits),
        credit=credit,
        ednote=ednote,
    )


def media_as_figures(content: Any) -> Any:
    """A copy of ``body.content`` whose ``media`` elements read as HTML figures (the parsed tree is left as is).

    ``<media><media-caption>FILE - A sign. (AP Photo/Jane Doe, File)</media-caption></media>``
    becomes ``<figure><figcaption>...</figcaption></figure>``; a ``media-producer``
    ("AP Photo/Jane Doe") joins its caption as the trailing credit instead of standing
    alone as a caption of its own.
    """
    copy = deepcopy(content)
    for media in list(copy.iter("{*}media")):
        media.tag = "figure"
        caption = None
        for el in list(media):
            name = local(el) if isinstance(el.tag, str) else ""
            if name == "media-caption" and caption is None:
                el.tag = "figcaption"
                caption = el
            elif name == "media-producer":
                producer = " ".join("".join(el.itertext()).split())
                media.remove(el)  # (its tail is whitespace between media children)
                if caption is not None and producer and producer not in "".join(caption.itertext()):
                    last = caption[-1] if len(caption) else None
                    if last is not None:
                        last.tail = f"{last.tail or ''} ({producer})"
                    else:
                        caption.text = f"{caption.text or ''} ({producer})"
    return copy


def _copyright(el: Any, limits: IngestLimits) -> tuple[str | None, str | None]:
    if el is None:
        return None, None
    holder = one_line(attr(el, "holder"), limits, "doc.copyright")
    year = one_line(attr(el, "year"), limits, "doc.copyright")
    if not holder:
        return None, None
    return (f"Copyright {year} {holder}" if year else holder), holder


def _byline(el: Any, limits: IngestLimits) -> tuple[str, ...]:
    if el is None:
        return ()
    people = [one_line(text_of(p), limits, "person") for p in el.iter("{*}person")]
    if any(people):
        return tuple(p for p in people if p)
    title = child(el, "byttl")
    text = "".join(el.itertext()) if title is None else (el.text or "")
    line = one_line(text, limits, "byline")
    return tuple(split_byline(line)) if line else ()


def _located(el: Any, limits: IngestLimits) -> str | None:
    if el is None:
        return None
    location = child(el, "location")
    if location is not None:
        return one_line(text_of(location), limits, "location")
    return one_line(text_of(el), limits, "dateline")


def _lang(*els: Any) -> str | None:
    for el in els:
        if el is not None and (lang := el.get(_XML_LANG)):
            return str(lang)
    return None


def _subjects(head: Any, limits: IngestLimits) -> tuple[FeedSubject, ...]:
    if head is None:
        return ()
    found: list[FeedSubject] = []
    for tobject in children(head, "tobject"):
        for el in children(tobject, "tobject.subject")[:MAX_SUBJECTS]:
            refnum = attr(el, "tobject.subject.refnum")
            name = (attr(el, "tobject.subject.detail") or attr(el, "tobject.subject.matter")
                    or attr(el, "tobject.subject.type"))
            code = one_line(refnum, limits, "tobject.subject") if refnum else None
            made = subject(one_line(name, limits, "tobject.subject"), _SUBJECT_CODE + code if code else None,
                           f"subj:{code}" if code else None)
            if made is not None:
                found.append(made)
    return tuple(found[:MAX_SUBJECTS])
