"""NewsML 1.x (``<NewsML Version="1.2">``, as Business Wire delivers) -> wire items, one per ``NewsItem``.

Input: a parsed ``NewsML`` root (``agents/ingest_xml.py``). Mapping:

* ``Identification/NewsIdentifier``: ``PublicIdentifier`` without its trailing
  revision part (else ``urn:newsml:ProviderId:DateId:NewsItemId``) -> ``uri``, so
  every revision of a story shares one uri; ``RevisionId`` -> ``version``;
* ``NewsManagement``: ``FirstCreated``, ``ThisRevisionCreated`` -> dates,
  ``Status/@FormalName`` -> ``pubstatus``, ``Instruction/@FormalName`` -> ``signals``;
* ``NewsLines`` (the shallowest ones that carry a ``HeadLine``: photo and video
  components have their own): ``HeadLine``, ``ByLine``, ``DateLine`` -> ``located``,
  ``CreditLine`` else ``CopyrightLine`` -> ``credit``, ``SlugLine`` -> ``signals``;
* ``DescriptiveMetadata``: ``Language/@FormalName``, ``SubjectCode`` subjects (IPTC
  subject codes) and the provider's keyword properties (``Metadata/Property`` whose
  name ends in ``Keywords``, Business Wire's subject tags) -> feed subjects;
* the agency: ``AdministrativeMetadata/Provider/Party``, else the envelope's
  ``SentFrom/Party``;
* the body: the ``ContentItem`` of the component whose ``Role`` is ``Body`` (else
  the first textual one outside heading, logo, photo, contact and style roles):
  XHTML ``DataContent`` -> ``body_html``, text -> ``body_text``.

Outcomes: wire items (format ``newsml``) or :class:`InputError` (``no_body``,
``too_many_items``, ``field_too_long``). Side effects: none.
"""

from __future__ import annotations

import re
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
from agents.ingest_newsml import one_body
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

_REVISION_SUFFIX = re.compile(r":\d{1,9}[A-Z]?$")
_NOT_BODY_ROLES = frozenset({"stylesheet", "headline", "subheadline", "logo", "photo", "contact", "video",
                             "audio", "graphic", "caption", "thumbnail", "preview"})
_SUBJECT_CODE = "http://cv.iptc.org/newscodes/subjectcode/"


def items(root: Any, record: RawRecord, limits: IngestLimits) -> tuple[WireItem, ...]:
    """One wire item per ``NewsItem`` that carries a body.

    Raises:
        InputError: ``no_body`` when none does, ``too_many_items`` past ``MAX_STORIES``.
    """
    news_items = children(root, "NewsItem")
    if len(news_items) > MAX_STORIES:
        raise InputError("too_many_items", f"NewsML carries {len(news_items)} NewsItems > limit {MAX_STORIES}")
    agency = _party(path(root, "NewsEnvelope", "SentFrom"), limits)
    found = [it for it in (_news_item(n, record, limits, agency) for n in news_items) if it is not None]
    if not found:
        raise InputError("no_body", f"NewsML carries no NewsItem with a body ({len(news_items)} NewsItems)")
    return tuple(found)


def _news_item(item: Any, record: RawRecord, limits: IngestLimits, envelope_agency: str | None) -> WireItem | None:
    top: Any = child(item, "NewsComponent")
    if top is None:
        return None
    text_body, html_body = _body(top, limits)
    if not (text_body or html_body):
        return None
    ident = path(item, "Identification", "NewsIdentifier")
    mgmt: Any = or_empty(child(item, "NewsManagement"))
    lines: Any = or_empty(_news_lines(top))
    slugline = one_line(text_of(child(lines, "SlugLine")), limits, "SlugLine")
    signals = [attr(i, "FormalName") or "" for i in children(mgmt, "Instruction")]
    agency = _party(path(top, "AdministrativeMetadata", "Provider"), limits) or envelope_agency
    uri = _uri(ident, limits)
    by = one_line(text_of(child(lines, "ByLine")), limits, "ByLine")
    return WireItem(
        format="newsml",
        source=source_of(agency, uri),
        body_text=text_body,
        body_html=html_body,
        uri=uri,
        version=version_number(text_of(child(ident, "RevisionId")) if ident is not None else None),
        headline=one_line(text_of(child(lines, "HeadLine")), limits, "HeadLine"),
        byline=tuple(split_byline(by)) if by else (),
        located=one_line(text_of(child(lines, "DateLine")), limits, "DateLine"),
        language=language_code(_language(top)),
        pubstatus=pubstatus_of(attr(child(mgmt, "Status"), "FormalName")),
        firstcreated=iso_time(text_of(child(mgmt, "FirstCreated"))),
        versioncreated=iso_time(text_of(child(mgmt, "ThisRevisionCreated"))),
        agency=agency,
        signals=tuple(s[:300] for s in [*signals, slugline] if s),
        received_ms=record.timestamp_ms,
        subjects=_subjects(top, limits),
        credit=one_line(text_of(child(lines, "CreditLine")) or text_of(child(lines, "CopyrightLine")), limits,
                        "CopyrightLine"),
    )


def _uri(ident: Any, limits: IngestLimits) -> str | None:
    if ident is None:
        return None
    public = one_line(text_of(child(ident, "PublicIdentifier")), limits, "PublicIdentifier")
    if public:
        return _REVISION_SUFFIX.sub("", public)
    parts = [one_line(text_of(child(ident, n)), limits, n) for n in ("ProviderId", "DateId", "NewsItemId")]
    if parts[0] and parts[2]:
        return "urn:newsml:" + ":".join(p for p in parts if p)
    return None


def _news_lines(top: Any) -> Any:
    """The shallowest ``NewsLines`` with a ``HeadLine``; the item's top lines (copyright) merged in."""
    best: Any = None
    best_depth = 1 << 30
    for lines in top.iter("{*}NewsLines"):
        if child(lines, "HeadLine") is None:
            continue
        depth = sum(1 for _ in lines.iterancestors())
        if depth < best_depth:
            best, best_depth = lines, depth
    top_lines = child(top, "NewsLines")
    if best is None:
        return top_lines
    if top_lines is not None and top_lines is not best:
        # Read the headline's lines first, then the item-level ones (CopyrightLine sits there).
        return [*best, *top_lines]
    return best


def _language(top: Any) -> str | None:
    for meta in top.iter("{*}DescriptiveMetadata"):
        lang = attr(child(meta, "Language"), "FormalName")
        if lang:
            return lang
    return None


def _party(el: Any, limits: IngestLimits) -> str | None:
    party = child(el, "Party") if el is not None else None
    return one_line(attr(party, "FormalName"), limits, "Party")


def _body(top: Any, limits: IngestLimits) -> tuple[str | None, str | None]:
    fallback: tuple[Any, Any] | None = None
    for comp in top.iter("{*}NewsComponent"):
        role = (attr(child(comp, "Role"), "FormalName") or "").lower().replace(" ", "")
        content = child(comp, "ContentItem")
        data = child(content, "DataContent") if content is not None else None
        if data is None:
            continue
        if role == "body":
            return _content(data, content, limits)
        if fallback is None and role not in _NOT_BODY_ROLES:
            fallback = (data, content)
    if fallback is not None:
        return _content(fallback[0], fallback[1], limits)
    return None, None


def _content(data: Any, content: Any, limits: IngestLimits) -> tuple[str | None, str | None]:
    if is_markup(data):
        return None, inner_html(data, limits, "DataContent")
    mime = (attr(child(content, "MimeType"), "FormalName") or "").lower()
    text = data.text or ""
    if "html" in mime:
        return None, one_body(text, limits, markup=True)
    return one_body(text, limits, markup=False), None


def _subjects(top: Any, limits: IngestLimits) -> tuple[FeedSubject, ...]:
    found: list[FeedSubject] = []
    for el in top.iter("{*}SubjectCode", "{*}Property"):
        if len(found) >= MAX_SUBJECTS:
            break
        if local(el) == "SubjectCode":
            for code_el in el:
                code = attr(code_el, "FormalName")
                if code and (made := subject(None, _SUBJECT_CODE + code, "subj:" + code)) is not None:
                    found.append(made)
        elif (attr(el, "FormalName") or "").endswith("Keywords"):
            name = one_line(attr(el, "Value"), limits, "Property")
            if (made := subject(name, None, None)) is not None:
                found.append(made)
    return tuple(found[:MAX_SUBJECTS])
