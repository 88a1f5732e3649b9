"""ninjs 1.x, 2.x and 3.x objects -> :class:`WireItem` (called by ``agents/ingest.py``).

Input: a decoded JSON object already recognised as ninjs (a string ``uri`` plus a
headline, body or version field). The three generations differ in names only:
1.x has singular ``headline``, ``body_text``/``body_html``/``body_xhtml``,
``byline`` and ``subject``; 2.x has ``headlines``/``bodies``/``subjects``; 3.x
spells 2.x names in camelCase (``versionCreated``, ``pubStatus``, ``contentType``,
``edNote``, ``copyrightNotice``, ``infoSources``) and renames ``embargoed`` to
``embargoedUntil``. Each field is read under all of its names, the lower-case one first.
Of several ``headlines`` or ``bodies`` the one with role ``main``/``default`` wins, then
one without a role, then the first.

A text item with no body but a plain-text description (``descriptions``, 1.x
``description_text``) takes the description as its body.

Outcomes: a :class:`WireItem` (format ``ninjs``) or :class:`InputError`
(``no_body``, ``invalid_field``, ``field_too_long``). Feed subjects are read
leniently (a malformed entry is skipped): they are metadata, not the story.
Side effects: none.
"""

from __future__ import annotations

from typing import Any

from agents.errors import InputError
from agents.ingest_fields import (
    MAX_SUBJECTS,
    IngestLimits,
    check_len,
    clean_str,
    iso_time,
    language_code,
    pubstatus_of,
    source_of,
    split_byline,
    subject,
    version_number,
)
from agents.model import FeedSubject, RawRecord, WireItem

MARKERS = ("headline", "headlines", "body_text", "body_html", "body_xhtml", "bodies", "versioncreated",
           "versionCreated", "pubstatus", "pubStatus")
"""Fields one of which (besides a string ``uri``) makes a JSON object ninjs."""

_MARKUP_FIELDS = frozenset({"html", "body_html", "body_xhtml"})


def from_ninjs(obj: dict[str, Any], record: RawRecord, limits: IngestLimits) -> WireItem:
    """Map a ninjs object (any generation) onto a wire item.

    Args:
        obj: the decoded JSON object.
        record: the raw record (for its timestamp).
        limits: payload and field bounds.

    Returns:
        The wire item.

    Raises:
        InputError: ``no_body``, ``invalid_field`` or ``field_too_long``.
    """
    text_body, html_body = _bodies(obj, limits)
    if not (text_body or html_body) and obj.get("type") in (None, "text"):
        # A text item delivered with its summary only (NTB sends such items): the summary is the story.
        text_body = _description(obj, limits)
    if not (text_body or html_body):
        raise InputError("no_body", "ninjs item has no body_text, body_html, bodies or text description")
    uri = str_field(obj, "uri", limits)
    headline = str_field(obj, "headline", limits) or _main_value(obj.get("headlines"), "headlines", limits)
    by = obj.get("by")
    if by is None:
        by = obj.get("byline")  # ninjs 1.x
    byline = tuple(split_byline(by)) if isinstance(by, str) else ()
    ednote = str_field(obj, "ednote", limits) or str_field(obj, "edNote", limits)
    signals = tuple(s for s in (ednote, str_field(obj, "slugline", limits)) if s)
    agency = _agency(obj)
    return WireItem(
        format="ninjs",
        source=source_of(agency, uri),
        body_text=text_body,
        body_html=html_body,
        uri=uri,
        version=version_number(obj.get("version")),
        url=_link(obj),
        headline=headline,
        byline=byline,
        located=str_field(obj, "located", limits),
        language=language_code(obj.get("language")),
        pubstatus=pubstatus_of(_get(obj, "pubstatus", "pubStatus") or "usable"),
        firstcreated=iso_time(_get(obj, "firstcreated", "firstCreated")),
        versioncreated=iso_time(_get(obj, "versioncreated", "versionCreated")),
        embargoed=iso_time(_get(obj, "embargoed", "embargoedUntil")),  # 1.x/2.x, 3.x
        agency=agency,
        signals=signals,
        received_ms=record.timestamp_ms,
        subjects=_subjects(obj),
        credit=_credit(obj, limits),
        ednote=ednote,
    )


def _get(obj: dict[str, Any], *names: str) -> Any:
    for name in names:
        value = obj.get(name)
        if value is not None:
            return value
    return None


def _bodies(obj: dict[str, Any], limits: IngestLimits) -> tuple[str | None, str | None]:
    text = str_field(obj, "body_text", limits)
    html = str_field(obj, "body_html", limits) or str_field(obj, "body_xhtml", limits)
    bodies = obj.get("bodies")
    if bodies is not None and not isinstance(bodies, list):
        raise InputError("invalid_field", "ninjs 'bodies' must be an array")
    for body in sorted(bodies or (), key=_role_rank):
        if not isinstance(body, dict) or not isinstance(body.get("value"), str):
            raise InputError("invalid_field", "each ninjs body must be an object with a string 'value'")
        ctype = str(body.get("contenttype") or body.get("contentType") or body.get("role") or "").lower()
        check_len("bodies.value", body["value"], limits, markup="html" in ctype)
        if "html" in ctype:
            html = html or body["value"]
        else:
            text = text or body["value"]
    return (text or None), (html or None)


def _description(obj: dict[str, Any], limits: IngestLimits) -> str | None:
    text = obj.get("description_text")  # ninjs 1.x
    if isinstance(text, str):
        check_len("description_text", text, limits)
        return clean_str(text)
    descriptions = obj.get("descriptions")
    for entry in descriptions if isinstance(descriptions, list) else ():
        if not isinstance(entry, dict) or not isinstance(entry.get("value"), str):
            continue
        ctype = str(entry.get("contenttype") or entry.get("contentType") or "text/plain").lower()
        if "html" not in ctype:
            check_len("descriptions.value", entry["value"], limits)
            return clean_str(entry["value"])
    return None


_MAIN_ROLES = frozenset({"main", "default"})


def _role_rank(entry: Any) -> int:
    """Sort key putting the main entry of a ``headlines``/``bodies`` array first.

    Role ``main``/``default`` first, then entries without a role, then other roles (``short``,
    ``summary``...), each group in feed order (the sort is stable).
    """
    role = entry.get("role") if isinstance(entry, dict) else None
    if not isinstance(role, str) or not role.strip():
        return 1
    return 0 if role.strip().lower() in _MAIN_ROLES else 2


def _main_value(seq: Any, name: str, limits: IngestLimits) -> str | None:
    """The value of the main entry (see :func:`_role_rank`) of a ninjs array of ``{role, value}``."""
    if seq is None:
        return None
    if not isinstance(seq, list):
        raise InputError("invalid_field", f"ninjs '{name}' must be an array")
    for entry in sorted(seq, key=_role_rank):
        if isinstance(entry, dict) and isinstance(entry.get("value"), str):
            check_len(name, entry["value"], limits)
            return clean_str(entry["value"])
    return None


def str_field(obj: dict[str, Any], name: str, limits: IngestLimits) -> str | None:
    """A string field, bounded and cleaned; None when absent.

    Raises:
        InputError: ``invalid_field`` for a non-string value, ``field_too_long`` over the limit.
    """
    value = obj.get(name)
    if value is None:
        return None
    if not isinstance(value, str):
        raise InputError("invalid_field", f"field '{name}' must be a string, got {type(value).__name__}")
    check_len(name, value, limits, markup=name in _MARKUP_FIELDS)
    return clean_str(value)


def _link(obj: dict[str, Any]) -> str | None:
    altids = _get(obj, "altids", "altIds")
    for alt in altids if isinstance(altids, list) else ():
        if isinstance(alt, dict) and str(alt.get("role", "")).lower() in {"url", "canonical", "link"}:
            value = alt.get("value")
            if isinstance(value, str):
                return value
    return None


def _agency(obj: dict[str, Any]) -> str | None:
    sources = _get(obj, "infosources", "infoSources")
    for src in sources if isinstance(sources, list) else ():
        if isinstance(src, dict) and isinstance(src.get("name"), str):
            return clean_str(src["name"])
    holder = _get(obj, "copyrightholder", "copyrightHolder")
    return clean_str(holder) if isinstance(holder, str) else None


def _credit(obj: dict[str, Any], limits: IngestLimits) -> str | None:
    notice = _get(obj, "copyrightnotice", "copyrightNotice")
    if not isinstance(notice, str):
        return None
    return clean_str(notice[: limits.max_field_chars])


def _subjects(obj: dict[str, Any]) -> tuple[FeedSubject, ...]:
    entries = _get(obj, "subjects", "subject")  # 2.x/3.x plural, 1.x singular
    if not isinstance(entries, list):
        return ()
    found: list[FeedSubject] = []
    for entry in entries[:MAX_SUBJECTS]:
        if not isinstance(entry, dict):
            continue
        name, uri = _opt_str(entry.get("name")), _opt_str(entry.get("uri"))
        code = _opt_str(entry.get("literal")) or _opt_str(entry.get("code"))
        scheme = _opt_str(entry.get("scheme"))
        if uri is None and scheme and entry.get("code") is not None and code:
            uri = scheme + code  # ninjs 1.x: scheme URI + code
        if (made := subject(name, uri, code)) is not None:
            found.append(made)
    return tuple(found)


def _opt_str(value: Any) -> str | None:
    return clean_str(value) if isinstance(value, str) else None
