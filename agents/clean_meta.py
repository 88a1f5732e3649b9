"""Page metadata parsers for the cleaning stage: dates, bylines, datelines, captions, trailers.

Input: one normalised text block (or an attribute value). Output: parsed values or
None. Pure functions with no state; every regex is compiled at import and bounded
(no nested quantifiers over overlapping classes), and callers pass blocks already
cut to a few hundred characters where a pattern scans freely.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta, timezone
from functools import lru_cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from agents.model import Dateline, Picture

# --- dates -------------------------------------------------------------------------------------------------

_MONTHS: dict[str, int] = {}
for _num, _names in enumerate(
    [
        "jan january janvier januar jänner enero gennaio janeiro",
        "feb february février fevrier februar febrero febbraio fevereiro",
        "mar march mars märz maerz marzo março",
        "apr april avril abril aprile",
        "may mai mayo maggio maio",
        "jun june juin juni junio giugno junho",
        "jul july juillet juli julio luglio julho",
        "aug august août aout agosto",
        "sep sept september septembre septiembre setiembre settembre setembro",
        "oct october octobre oktober octubre ottobre outubro",
        "nov november novembre noviembre novembro",
        "dec december décembre decembre dezember diciembre dicembre dezembro",
    ],
    start=1,
):
    for _n in _names.split():
        _MONTHS[_n] = _num

# Zone abbreviations pages print after a time; each maps to the zone that makes DST right.
_TZ_ABBR: dict[str, str] = {
    "ET": "America/New_York", "EST": "America/New_York", "EDT": "America/New_York",
    "CT": "America/Chicago", "CST": "America/Chicago", "CDT": "America/Chicago",
    "MT": "America/Denver", "MST": "America/Denver", "MDT": "America/Denver",
    "PT": "America/Los_Angeles", "PST": "America/Los_Angeles", "PDT": "America/Los_Angeles",
    "GMT": "UTC", "UTC": "UTC", "Z": "UTC", "BST": "Europe/London", "WET": "Europe/Lisbon",
    "CET": "Europe/Paris", "CEST": "Europe/Paris", "MEZ": "Europe/Berlin", "MESZ": "Europe/Berlin",
    "EET": "Europe/Athens", "EEST": "Europe/Athens", "MSK": "Europe/Moscow", "IST": "Asia/Kolkata",
    "SGT": "Asia/Singapore", "HKT": "Asia/Hong_Kong", "JST": "Asia/Tokyo", "KST": "Asia/Seoul",
    "AEST": "Australia/Sydney", "AEDT": "Australia/Sydney",
}

_MONTH_ALT = "|".join(sorted((re.escape(m) for m in _MONTHS), key=len, reverse=True))
_ISO_RE = re.compile(
    r"(?P<y>\d{4})-(?P<mo>\d{2})-(?P<d>\d{2})(?:[T ](?P<h>\d{2}):(?P<mi>\d{2})(?::(?P<s>\d{2}))?(?:\.\d{1,9})?"
    r"\s?(?P<tz>Z|[+-]\d{2}:?\d{2})?)?"
)
_NUM_RE = re.compile(r"(?<!\d)(?P<a>\d{1,2})[./-](?P<b>\d{1,2})[./-](?P<y>\d{4})(?!\d)")
_NAMED_MDY_RE = re.compile(
    rf"(?i)\b(?P<mon>{_MONTH_ALT})\.?\s{{1,3}}(?P<d>\d{{1,2}})(?:st|nd|rd|th)?,?\s{{1,3}}(?P<y>\d{{4}})\b"
)
_NAMED_DMY_RE = re.compile(
    rf"(?i)\b(?P<d>\d{{1,2}})(?:st|nd|rd|th|er|\.|º)?\s{{0,3}}(?:de\s)?(?P<mon>{_MONTH_ALT})\.?,?\s{{1,3}}"
    rf"(?:de\s|del\s)?(?P<y>\d{{4}})\b"
)
_TIME_RE = re.compile(
    r"(?i)(?<!\d)(?P<h>\d{1,2})(?:[:h.](?P<mi>\d{2}))(?::(?P<s>\d{2}))?\s?(?:h\b|uhr\b)?\s?"
    r"(?P<ap>[ap]\.?\s?m\b\.?)?(?:\s?(?P<tz>[A-Z]{1,4}T|Z|UTC|GMT|MEZ|MESZ|[+-]\d{2}:?\d{2})\b)?"
)


_LETTER_RUN = re.compile(r"[^\W\d_]{3,}")


def _has_month(text: str) -> bool:
    """Whether a month name could start a named date here: the month regexes end it at a letter-run edge.

    A set lookup per letter run is ~20x cheaper than scanning with the case-insensitive
    month alternation, which most date-less blocks would otherwise pay twice.
    """
    return any(w.lower() in _MONTHS for w in _LETTER_RUN.findall(text))


@lru_cache(maxsize=64)
def _zone(name: str) -> ZoneInfo | timezone:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return UTC


def _tzinfo(token: str | None, default_tz: str) -> ZoneInfo | timezone:
    if not token:
        return _zone(default_tz)
    up = token.upper()
    if up in _TZ_ABBR:
        return _zone(_TZ_ABBR[up])
    if up[0] in "+-":
        digits = up[1:].replace(":", "")
        if len(digits) == 4 and digits.isdigit():
            delta = timedelta(hours=int(digits[:2]), minutes=int(digits[2:]))
            return timezone(-delta if up[0] == "-" else delta)
    return _zone(default_tz)


def _build(y: int, mo: int, d: int, h: int, mi: int, s: int, tz: ZoneInfo | timezone) -> str | None:
    try:
        return datetime(y, mo, d, h, mi, s, tzinfo=tz).isoformat()
    except (ValueError, OverflowError):
        return None


def find_dates(text: str, default_tz: str) -> list[str]:
    """Every date (with its time where one follows) in ``text``, as ISO 8601 strings with a timezone.

    Args:
        text: A short block such as ``Published 09/13/2020, 07:11 PM`` (callers cut long blocks).
        default_tz: IANA zone used when the text names none.

    Returns:
        The dates in order of appearance; a date without a time is taken at midnight.

    >>> find_dates("Published 09/13/2020, 07:11 PM", "UTC")
    ['2020-09-13T19:11:00+00:00']
    >>> find_dates("Sep 13, 2020 7:15PM ET", "UTC")
    ['2020-09-13T19:15:00-04:00']
    """
    found: list[tuple[int, str]] = []
    taken: list[tuple[int, int]] = []

    def free(a: int, b: int) -> bool:
        return all(b <= x or a >= y for x, y in taken)

    for m in _ISO_RE.finditer(text):
        if m.group("h") is None:
            continue
        iso = _build(int(m["y"]), int(m["mo"]), int(m["d"]), int(m["h"]), int(m["mi"]), int(m["s"] or 0),
                     _tzinfo(m["tz"], default_tz))
        if iso:
            found.append((m.start(), iso))
            taken.append(m.span())
    month_first = default_tz.startswith("America/")
    named = (_NAMED_MDY_RE, _NAMED_DMY_RE) if _has_month(text) else ()
    for rx in (_ISO_RE, *named, _NUM_RE):
        for m in rx.finditer(text):
            if not free(*m.span()):
                continue
            gd = m.groupdict()
            if rx is _ISO_RE:
                y, mo, d = int(gd["y"]), int(gd["mo"]), int(gd["d"])
            elif rx is _NUM_RE:
                a, b, y = int(gd["a"]), int(gd["b"]), int(gd["y"])
                # Day-first unless the digits or a US source say otherwise.
                if a > 12 or (b <= 12 and not month_first) or text[m.start("a") + len(gd["a"])] == ".":
                    d, mo = a, b
                else:
                    mo, d = a, b
            else:
                y, d = int(gd["y"]), int(gd["d"])
                mo = _MONTHS[gd["mon"].lower()]
            h = mi = s = 0
            tz = None
            tm = _TIME_RE.search(text, m.end(), min(len(text), m.end() + 24))
            if not (tm and tm.start() - m.end() <= 12):
                # AP style puts the time first: "6:19 AM PT March 10, 2022".
                tm = None
                for before in _TIME_RE.finditer(text, max(0, m.start() - 24), m.start()):
                    if m.start() - before.end() <= 3 and free(*before.span()):
                        tm = before
                if tm is not None:
                    taken.append(tm.span())
            if tm is not None:
                h, mi, s = int(tm["h"]), int(tm["mi"]), int(tm["s"] or 0)
                ap = (tm["ap"] or "").lower()
                if ap.startswith("p") and h < 12:
                    h += 12
                elif ap.startswith("a") and h == 12:
                    h = 0
                tz = tm["tz"]
                end = max(tm.end(), m.end())
            else:
                end = m.end()
            iso = _build(y, mo, d, h, mi, s, _tzinfo(tz, default_tz))
            if iso:
                found.append((m.start(), iso))
                taken.append((m.start(), end))
    found.sort()
    return [iso for _, iso in found]


def parse_date(value: str, default_tz: str) -> str | None:
    """The first date in an attribute or feed value (``2020-09-13T19:11:00Z`` and friends), else None."""
    dates = find_dates(value[:200], default_tz)
    return dates[0] if dates else None


# --- date lines ("Published ... / Updated ...") ---------------------------------------------------------------

_PUBLISHED_WORD = re.compile(
    r"(?i)\b(?:first\s+)?(?:published|posted|publi[ée]e?|publicad[oa]|publicaci[óo]n|ver[öo]ffentlicht|"
    r"pubblicato|erstellt|created|date)\b"
)
_UPDATED_WORD = re.compile(
    r"(?i)\b(?:last\s+)?(?:updated|update|modified|mis\s+[àa]\s+jour|actualizad[oa]|aktualisiert|"
    r"aggiornato|atualizado|revised)\b"
)
_DATE_LINE_MAX = 160
# Every date format read here carries a year. No lookbehind: sre then skips to a "1"/"2" by its prefix
# check, ~5x faster on prose; the digit boundaries are checked by hand on the few hits.
_YEARISH = re.compile(r"(?:19|20)\d\d")


def _has_year(text: str) -> bool:
    """Whether ``text`` holds a four-digit 19xx/20xx number not glued to other digits."""
    end = len(text)
    for m in _YEARISH.finditer(text):
        a, b = m.span()
        if (a == 0 or not text[a - 1].isdigit()) and (b == end or not text[b].isdigit()):
            return True
    return False


def date_line(text: str, default_tz: str) -> tuple[str | None, str | None] | None:
    """Read a ``Published ... Updated ...`` line into (first, updated) ISO strings.

    Returns None unless the block is short, carries at least one date, and says
    little else (a story sentence that mentions a date is not a date line).
    """
    if len(text) > _DATE_LINE_MAX or not _has_year(text):
        return None
    dates = find_dates(text, default_tz)
    if not dates:
        return None
    pub_m = _PUBLISHED_WORD.search(text)
    upd_m = _UPDATED_WORD.search(text)
    # What is left once dates and the label words are gone must be tiny.
    rest = _ISO_RE.sub(" ", text)
    if _has_month(rest):
        rest = _NAMED_MDY_RE.sub(" ", rest)
        rest = _NAMED_DMY_RE.sub(" ", rest)
    rest = _NUM_RE.sub(" ", rest)
    rest = _TIME_RE.sub(" ", rest)
    rest = _PUBLISHED_WORD.sub(" ", rest)
    rest = _UPDATED_WORD.sub(" ", rest)
    words = [w for w in re.findall(r"[^\W\d_]{3,}", rest) if w.lower() not in _DATE_FILLER]
    if len(words) > 3:
        return None
    if upd_m and not pub_m:
        return (None, dates[0]) if len(dates) == 1 else (dates[0], dates[-1])
    if upd_m and pub_m and len(dates) >= 2:
        return (dates[0], dates[1]) if pub_m.start() < upd_m.start() else (dates[1], dates[0])
    return dates[0], (dates[1] if len(dates) > 1 else None)


_DATE_FILLER = frozenset(
    "on at the and um uhr am le la el del de der des à a las los por par von by in ago".split()
    + "mon tue wed thu fri sat sun monday tuesday wednesday thursday friday saturday sunday".split()
    + "lundi mardi mercredi jeudi vendredi samedi dimanche montag dienstag mittwoch donnerstag freitag".split()
    + "samstag sonntag lunes martes miércoles jueves viernes sábado domingo time".split()
)

# --- bylines ----------------------------------------------------------------------------------------------------

_BYLINE_RE = re.compile(
    r"^(?:by|von|par|por|di|door|av|posted\s+by|written\s+by|words\s+by|reporting\s+by|text:?|autor:?|author:?)"
    r"\s{1,3}(?P<names>\S.{0,150})$",
    re.IGNORECASE,
)
_NAME_SPLIT = re.compile(r"\s*(?:,|;|&|\band\b|\bund\b|\bet\b|\by\b|\be\b|\ben\b|\bog\b|\boch\b)\s*", re.IGNORECASE)
_NAME_OK = re.compile(r"^[^\W\d_][\w.'\u2019-]*(?:\s[^\W\d_][\w.'\u2019-]*){0,4}$")
_BYLINE_TAIL = re.compile(
    r"\s*(?:[|,\u2013\u2014-]\s*(?:reuters|ap|afp|dpa|staff|correspondent|senior|reporter|editor|updated|published)"
    r"\b.*|\s+in\s+[A-Z][\w ]{0,40}|\(.*\))$",
    re.IGNORECASE,
)


_PARTICLES = frozenset({"de", "da", "do", "dos", "das", "del", "della", "di", "van", "von", "der", "den", "ter", "la",
                        "le", "du", "bin", "binti", "al", "el", "y", "zu"})


def split_names(names: str) -> tuple[str, ...]:
    """``Jane Doe, John Roe and Ann Poe`` -> the three names; empty when it does not read as names."""
    names = _BYLINE_TAIL.sub("", names.strip()).strip(" .,:;")
    parts = [p.strip(" .") for p in _NAME_SPLIT.split(names) if p and p.strip(" .")]
    if not parts or len(parts) > 8:
        return ()
    for p in parts:
        if not _NAME_OK.match(p):
            return ()
        # Every word of a name is capitalised, bar particles (de, van, bin, ...).
        if any(not w[0].isupper() and w.lower() not in _PARTICLES for w in p.split()) or not p[0].isupper():
            return ()
    return tuple(parts)


_BYLINE_CUT = re.compile(r"\s[\u2014\u2013|\u00b7\u2022]\s|\d")
_TRAILING_MONTH = re.compile(rf"(?i)\s(?:{_MONTH_ALT})\.?\s*$")


def byline(text: str) -> tuple[str, ...] | None:
    """``By Katya Golubkova`` -> ("Katya Golubkova",); None when the block is not a byline."""
    if len(text) > 160:
        return None
    m = _BYLINE_RE.match(text)
    if not m:
        return None
    # "By Ann Lee January 25, 2021 at 10:29 am - Updated ..." : the names end where the dates begin.
    head = _BYLINE_CUT.split(m["names"], maxsplit=1)[0]
    head = _TRAILING_MONTH.sub("", head)
    names = split_names(head)
    return names or None


# --- datelines ----------------------------------------------------------------------------------------------

_DATELINE_RE = re.compile(
    r"^(?P<city>[A-Z\u00c0-\u00de][A-Z\u00c0-\u00de.'\u2019-]*(?:\s[A-Z\u00c0-\u00de][A-Z\u00c0-\u00de.'\u2019-]*){0,4})"
    r"(?:,\s?[A-Za-z.]{2,12}(?:\s\d{1,2})?)?"
    r"(?:,\s?[A-Z][\w.]{1,10}\.?\s?\d{1,2})?"
    r"\s?(?:\((?P<agency>[A-Za-z][\w.&/ -]{0,30}?)\))?\s?(?P<dash>[-\u2013\u2014]{1,2}|:)\s"
)
_LOWER_WORDS = frozenset({"de", "da", "do", "del", "la", "le", "les", "du", "des", "am", "an", "der", "von", "on"})


def _title_city(city: str) -> str:
    out = []
    for i, w in enumerate(city.split()):
        lw = w.lower()
        out.append(lw if i and lw in _LOWER_WORDS else "-".join(p[:1].upper() + p[1:] for p in lw.split("-")))
    return " ".join(out)


def dateline(text: str) -> Dateline | None:
    """``MOSCOW (Reuters) - ...`` -> Dateline(city="Moscow", agency="Reuters", raw="MOSCOW (Reuters) -").

    >>> dateline("NEW YORK, Sept 13 (Reuters) - Stocks fell.")
    Dateline(city='New York', agency='Reuters', raw='NEW YORK, Sept 13 (Reuters) -')
    """
    m = _DATELINE_RE.match(text[:120])
    if not m:
        return None
    city = m["city"]
    if len(city) < 3 or not any(c.isalpha() for c in city):
        return None
    if m["agency"] is None and m["dash"] == ":":
        return None  # "NOTE: ..." or "UPDATE: ..." are not datelines
    if m["agency"] is None and len(city.split()) == 1 and city in _NOT_CITIES:
        return None
    return Dateline(city=_title_city(city), agency=m["agency"], raw=m.group(0).strip())


_NOT_CITIES = frozenset({"UPDATE", "NOTE", "CORRECTION", "EXCLUSIVE", "ANALYSIS", "BREAKING", "WATCH", "READ", "LIVE"})

# --- captions and pictures -----------------------------------------------------------------------------------

_FILE_PHOTO = re.compile(r"(?:FILE\s+PHOTO\s*:\s*){2,}", re.IGNORECASE)
_COPY_PREFIX = re.compile(r"^(?:\u00a9|\(c\)|copyright)\s*(?P<credit>[^.]{1,40})\.\s+(?P<cap>\S.*)$", re.IGNORECASE)
_CREDIT_TAIL = re.compile(
    r"^(?P<cap>\S.{3,}?)[.\s]*(?:[(\[]?\s*(?:photo(?:graph)?(?:\s+by)?|foto|image(?:\s+credit)?|picture|bild|"
    r"cr[ée]dit(?:o)?s?|credit|source|fuente|quelle)\s?:?\s+(?P<credit>[^()\[\]]{1,60}?)\s*[)\]]?)\s*$",
    re.IGNORECASE,
)
_AGENCY_SLASH = re.compile(r"^(?P<cap>\S.{3,}?)\s+(?P<credit>(?:REUTERS|AP|AFP|EPA|EFE|ANSA|DPA)(?:/[^/\n]{1,40}){0,3})\s*$")
# Inside a figure: "Caption text. Agency Name" (one to three capitalised words after the last full stop).
_FIGURE_CREDIT = re.compile(r"^(?P<cap>\S.{10,}?)\.\s+(?P<credit>[A-Z][\w/&.-]{1,30}(?:\s[A-Z][\w/&.-]{1,30}){0,2})\s*$")
_CAPTION_LEAD = re.compile(r"^(?:FILE\s+PHOTO|PHOTO|CAPTION|IMAGE|FOTO|BILD)\s*:\s*\S", re.IGNORECASE)


def collapse_file_photo(caption: str) -> str:
    """``FILE PHOTO: FILE PHOTO: X`` -> ``FILE PHOTO: X``."""
    return _FILE_PHOTO.sub("FILE PHOTO: ", caption)


def _clean_credit(credit: str) -> str:
    credit = credit.strip(" .;,")
    # "Jane Doe/Reuters" and "REUTERS/Jane Doe" both credit the agency; keep the whole line for people to read.
    return credit


def caption(text: str, *, in_figure: bool = False) -> Picture | None:
    """Read a photo caption block into a Picture; None when the block is not a caption.

    ``in_figure`` says the block came from an HTML figure/caption element, so any
    text there is a caption even without a credit marker.
    """
    if len(text) > 600:
        return None
    t = text.strip()
    m = _COPY_PREFIX.match(t)
    credit: str | None = None
    cap: str | None = None
    if m and len(m["credit"].split()) <= 5 and not any(ch.isdigit() for ch in m["credit"]):
        credit, cap = m["credit"], m["cap"]
    else:
        m2 = _CREDIT_TAIL.match(t)
        if m2:
            cap, credit = m2["cap"], m2["credit"]
        else:
            m3 = _AGENCY_SLASH.match(t)
            if m3:
                cap, credit = m3["cap"], m3["credit"]
            elif in_figure:
                m4 = _FIGURE_CREDIT.match(t)
                cap, credit = (m4["cap"], m4["credit"]) if m4 else (t, None)
            elif _CAPTION_LEAD.match(t) and len(t) < 300:
                cap = t
    if cap is None:
        return None
    cap = collapse_file_photo(cap.strip()).strip(" .")
    cap = re.sub(r"^(?:caption|photo|image|foto|bild)\s*:\s*", "", cap, flags=re.IGNORECASE)
    if not cap:
        return None
    file_photo = "FILE PHOTO" in cap.upper() or "/FILE" in (credit or "").upper()
    return Picture(caption=cap, credit=_clean_credit(credit) if credit else None, file_photo=file_photo)


# --- contributor trailers -----------------------------------------------------------------------------------

_CONTRIB_RE = re.compile(
    r"^[(\[]?\s*(?:additional\s+)?(?:reporting|writing|editing|compiled|edited|written|reported|"
    r"research|production)\s+by\s+\S",
    re.IGNORECASE,
)


def contributors(text: str) -> str | None:
    """``(Reporting by X; Editing by Y)`` -> ``Reporting by X; Editing by Y``; None otherwise."""
    if len(text) > 400 or not _CONTRIB_RE.match(text):
        return None
    t = text.strip()
    if t[:1] in "([" and t[-1:] in ")]":
        t = t[1:-1].strip()
    return t
