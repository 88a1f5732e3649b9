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
_NAME_SPLIT = re.compile(r"\s*(?:,|;|&|\band\b|\bund\b|\bet\b|\by\b|\be\b|\ben\b|\bog\b|\boch\b|\bwith\b|\bavec\b)\s*",
                         re.IGNORECASE)
_NAME_OK = re.compile(r"^[^\W\d_][\w.'\u2019-]*(?:\s[^\W\d_][\w.'\u2019-]*){0,4}$")
# Agencies a byline may end with, after a comma or with none: "By JANE DOE Associated Press".
_BYLINE_AGENCY = (
    r"(?:(?:of|for)\s+)?(?:the\s+)?(?:associated\s+press|reuters|afp|agence\s+france[\s-]presse|bloomberg(?:\s+news)?|"
    r"dpa|efe|ansa|kyodo(?:\s+news)?|xinhua|upi|ap|canadian\s+press|press\s+association|pa\s+media|cnn|"
    r"anadolu(?:\s+agency)?|yonhap|tass)"
)
_BYLINE_TAIL = re.compile(
    r"\s*(?:[|,\u2013\u2014-]\s*(?:reuters|ap|afp|dpa|associated|staff|correspondent|senior|reporter|editor|"
    rf"updated|published)\b.*|\s+in\s+[A-Z][\w ]{{0,40}}|\(.*\)|\s+{_BYLINE_AGENCY})$",
    re.IGNORECASE,
)


# No "By", the agency after the names: "JANE DOE, Associated Press" (AP's byline row).
_AGENCY_BYLINE = re.compile(rf"^(?P<names>[^\W\d_][^,|\d]{{2,80}}?)\s*[,|\u2013\u2014]\s*{_BYLINE_AGENCY}\s*$",
                            re.IGNORECASE)

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
        m2 = _AGENCY_BYLINE.match(text) if "," in text or "|" in text else None
        found = split_names(m2["names"]) if m2 is not None else ()
        # Two words a name at least: "Biden, Reuters" is a sentence fragment, not a byline row.
        return found if found and all(" " in n for n in found) else None
    # "By Ann Lee January 25, 2021 at 10:29 am - Updated ..." : the names end where the dates begin.
    head = _BYLINE_CUT.split(m["names"], maxsplit=1)[0]
    head = _TRAILING_MONTH.sub("", head)
    names = split_names(head)
    return names or None


# --- datelines ----------------------------------------------------------------------------------------------

# News agencies as datelines name them in their parenthesis ("Berlin (dpa) -", "(Bloomberg) --"): an agency
# from this table lets a mixed-case or missing city through, where "Paris (which ...)" is a sentence.
_DL_AGENCIES = frozenset(
    "reuters ap afp dpa efe ansa kyodo xinhua bloomberg upi pa yonhap anadolu aa tass itar-tass ria interfax "
    "sputnik apa sda ats keystone-sda ctk čtk pap mti bta hina tanjug anp belga afx dpa-afx ips ani pti ians aap "
    "cp bernama antara pna kna kcna wafa mena irna isna sana qna spa wam kuna bna petra ukrinform unian lusa "
    "agerpres ntb tt ritzau stt lehtikuva notimex telam télam adnkronos askanews cnn bbc abc nbc cbs rfe/rl "
    "rferl nhk jiji yna vna xinhuanet".split()
)
_DL_AGENCY_PHRASES = frozenset({
    "associated press", "the associated press", "agence france-presse", "agence france presse",
    "deutsche presse-agentur", "the canadian press", "press association", "bloomberg news", "europa press",
    "kyodo news", "jiji press", "reuters breakingviews", "anadolu agency",
})
# Upper-case dateline cities ("SAO PAULO", "NEW DELHI/MUMBAI": the first city is the dateline city).
_DL_UP = r"[A-Z\u00c0-\u00de][A-Z\u00c0-\u00de.'\u2019-]*(?:\s[A-Z\u00c0-\u00de][A-Z\u00c0-\u00de.'\u2019-]*){0,4}"
# Any-case cities, allowed only before an agency of the table ("Frankfurt am Main (dpa) -").
_DL_ANY = (r"[A-Z\u00c0-\u00de][\w.'\u2019-]*(?:\s(?:[A-Z\u00c0-\u00de][\w.'\u2019-]*|de|del|da|do|dos|am|an|der|"
           r"sur|upon|on|la|le|les|el|al)){0,4}")
# Month abbreviations only datelines use (EFE, Lusa, ANSA: "4 abr", "3 gen"); not in _MONTHS, where "ago" and
# "set" would read English words as dates.
_DL_MONTH = _MONTH_ALT + "|ene|abr|ago|sept?|out|dez|dic|gen|mag|giu|lug|ott|okt|mrz|m\u00e4r|fev|f\u00e9v|avr|juil"
_DL_DATE = (rf"(?:(?i:{_DL_MONTH})\.?\s?\d{{1,2}}(?:st|nd|rd|th)?|\d{{1,2}}(?:\.|er|º)?\s?(?:de\s)?"
            rf"(?i:{_DL_MONTH})\b\.?)(?:,?\s(?:19|20)\d\d)?")
# ", Calif." / ", Ukraine" / ", March 3" / ", 3 mar" / ", Sept 13": a qualifier and a date, each optional.
_DL_QUAL = rf"(?:,\s?(?:{_DL_DATE}|[A-Za-z][A-Za-z.]{{1,12}}(?:\s[A-Za-z][a-z.]{{1,12}})?(?:\s\d{{1,2}})?)){{0,2}}"
_DL_AGENCY = r"\((?P<agency>[A-Za-z][\w.&/ -]{0,30}?)\)\.?"
# -, --, en/em dash, EFE's ".-", and a colon (only with an agency).
_DL_DASH = r"(?P<dash>--|[-\u2013\u2014]{1,2}|\.-|:)"
# Agencies some wires print without the parenthesis: "TOKYO, March 3 Kyodo -".
_DL_BARE = r"(?P<bare>Kyodo|KYODO|Xinhua|XINHUA|Yonhap|YONHAP|ANSA|EFE|dpa|AFP|AP|Reuters|REUTERS|CNN)"
_DATELINE_RE = re.compile(
    rf"^(?P<city>{_DL_UP}(?:\s?/\s?{_DL_UP}){{0,3}}){_DL_QUAL}\s?(?:{_DL_AGENCY}|{_DL_BARE})?\s?{_DL_DASH}\s"
)
# CNN's pages print the agency bare after a mixed-case city: "Washington CNN \u2014".
_DATELINE_ANY_RE = re.compile(
    rf"^(?:(?P<city>{_DL_ANY}(?:\s?/\s?{_DL_ANY}){{0,3}}){_DL_QUAL}\s?|(?:{_DL_DATE})\s?)?"
    rf"(?:{_DL_AGENCY}|(?<=\s)(?P<bare>CNN))\s?{_DL_DASH}\s"
)
_LOWER_WORDS = frozenset({"de", "da", "do", "del", "la", "le", "les", "du", "des", "am", "an", "der", "von", "on"})


def _title_city(city: str) -> str:
    out = []
    for i, w in enumerate(city.split()):
        lw = w.lower()
        out.append(lw if i and lw in _LOWER_WORDS else "-".join(p[:1].upper() + p[1:] for p in lw.split("-")))
    return " ".join(out)


_AGENCY_SPLIT = re.compile(r"[\s/-]+")


def known_agency(name: str) -> bool:
    """Whether ``name`` (a dateline's parenthesis) names a news agency: ``dpa``, ``Reuters Breakingviews``."""
    low = name.strip().lower()
    if low in _DL_AGENCIES or low in _DL_AGENCY_PHRASES:
        return True
    # "Reuters Breakingviews", "dpa-AFX", "Thomson Reuters Foundation": a word of it is an agency.
    return any(w in _DL_AGENCIES for w in _AGENCY_SPLIT.split(low))


def dateline(text: str) -> Dateline | None:
    """``MOSCOW (Reuters) - ...`` -> Dateline(city="Moscow", agency="Reuters", raw="MOSCOW (Reuters) -").

    Upper-case cities take any agency (or none); a city in any case, or no city at
    all, needs an agency the table knows ("Berlin (dpa) -", "March 3 (Reuters) -",
    "(Bloomberg) --"). Several cities ("NEW DELHI/MUMBAI") give the first.

    >>> dateline("NEW YORK, Sept 13 (Reuters) - Stocks fell.")
    Dateline(city='New York', agency='Reuters', raw='NEW YORK, Sept 13 (Reuters) -')
    >>> dateline("Madrid, 3 mar (EFE).- El Gobierno aprobó el plan.")
    Dateline(city='Madrid', agency='EFE', raw='Madrid, 3 mar (EFE).-')
    """
    head = text[:120]
    m = _DATELINE_RE.match(head)
    if m is not None:
        city: str | None = m["city"]
        agency = m["agency"] or m["bare"]
        if agency is None and m["dash"] == ":":
            m = None  # "NOTE: ..." or "UPDATE: ..." are not datelines
        elif agency is None and (city or "").split()[0].rstrip(".'\u2019") in _NOT_CITIES:
            m = None  # "FILE - ..." opens an AP caption
    if m is None:
        if "(" not in head and "CNN" not in head:
            return None
        m = _DATELINE_ANY_RE.match(head)
        if m is None or not known_agency(m["agency"] or m["bare"]):
            return None
        city, agency = m["city"], m["agency"] or m["bare"]
    if city is not None:
        city = re.split(r"\s?/\s?", city, maxsplit=1)[0]
        if len(city) < 3 or not any(c.isalpha() for c in city):
            return None
    return Dateline(city=_title_city(city) if city else None, agency=agency, raw=m.group(0).strip())


_NOT_CITIES = frozenset({"UPDATE", "NOTE", "CORRECTION", "EXCLUSIVE", "ANALYSIS", "BREAKING", "WATCH", "READ", "LIVE",
                         "FILE", "PHOTO", "PHOTOS", "VIDEO", "AUDIO", "LISTEN", "EDITOR", "EDITORS", "EDITOR'S",
                         "ADVISORY", "URGENT", "FLASH", "BULLETIN", "REFILE", "CORRECTED", "FACTBOX", "EXPLAINER",
                         "INSIGHT", "COLUMN", "OPINION", "POLL", "WRAPUP", "PREVIEW", "REVIEW", "FEATURE", "SPORTS",
                         "WARNING", "ALERT", "CAPTION", "GRAPHIC", "CHART", "FOTO", "BILD", "UPDATED", "SOURCE"})

# --- captions and pictures -----------------------------------------------------------------------------------

_FILE_PHOTO = re.compile(r"(?:FILE\s+PHOTO\s*:\s*){2,}", re.IGNORECASE)
_COPY_PREFIX = re.compile(r"^(?:\u00a9|\(c\)|copyright)\s*(?P<credit>[^.]{1,40})\.\s+(?P<cap>\S.*)$", re.IGNORECASE)
# Labels a caption may open with. "FILE PHOTO:" (Reuters) and "FILE -" (AP) stay on the caption, once;
# "Photo:", "Caption:" and the like are dropped. They are read before any credit, so "PHOTO:" inside
# "FILE PHOTO:" is never taken for a credit marker.
_FILE_LEAD = re.compile(r"^FILE\s+PHOTO\s*(?:[:\u2013\u2014]|-{1,2})\s*", re.IGNORECASE)
_AP_FILE_LEAD = re.compile(r"^FILE\s?(?:[\u2013\u2014]|-{1,2})\s")
_LABEL_LEAD = re.compile(r"^(?:PHOTO|CAPTION|IMAGE|PICTURE|FOTO|BILD)\s*:\s*", re.IGNORECASE)
# Credit markers inside or at the end of a caption: a photo word with "by"/":"/"courtesy", or a credit/source
# label with its colon. Word-bounded on the left ("pilgrimage" holds no "image"; see _mark_starts_word), and a
# bare photo word is not a marker ("a giant picture of the president" is prose).
_TAIL_MARK = re.compile(
    r"(?i)(?<!/)(?:"
    r"(?:photo(?:graph)?s?|pictures?|images?|fotos?|bild(?:er)?)\s?(?:credits?\s?)?(?:by\b|:)"
    r"|(?:photo(?:graph)?|picture|image)\s+courtesy(?:\s+of)?\b|courtesy\s+of\b"
    r"|photographer\s?:|credits?\s?:|cr[\u00e9e]dit(?:o|s)?\s?:|source\s?:|fuente\s?:|quelle\s?:"
    r"|(?:(?:photo(?:graph)?s?|fotos?|images?|pictures?)\s?)?(?:\u00a9|\(c\)\s)"
    r")"
)
# Organisations that credit photos, for "REUTERS/Jane Doe", "Jane Doe/Getty Images", "AFP via Getty Images".
_ORG = (
    r"(?i:reuters|ap(?:\s+photo)?|afp|epa(?:-efe)?|efe|ansa|dpa|xinhua|kyodo(?:\s+news)?|upi|"
    r"pa(?:\s+(?:images|wire|media))?|getty(?:\s+images)?|bloomberg(?:\s+news)?|shutterstock|alamy|aap|"
    r"anadolu(?:\s+agency)?|tass|sputnik|yonhap|nurphoto|sopa\s+images|zuma(?:\s+press)?|sipa(?:\s+usa)?|imago|"
    r"keystone|pool|handout|lightrocket|ians|pti|ani|jiji(?:\s+press)?|kcna|belga|abaca(?:press)?|ntb|ritzau|"
    r"scanpix|polaris|redux|magnum(?:\s+photos)?|(?:the\s+)?associated\s+press|the\s+new\s+york\s+times|"
    r"the\s+washington\s+post)"
)
# A capitalised name word; a full stop only after an initial ("J. Doe"), so "London. Jane Doe/AFP" credits Jane Doe.
_CNAME = r"(?:[A-Z\u00c0-\u00de]\.|[A-Z\u00c0-\u00de][\w'\u2019-]*)"
_SLASH_REST = r"(?:\s?/\s?\w[\w .'\u2019-]{0,30}){0,2}(?:,?\s(?i:file(?:\s+photo)?|pool|handout))?"
_SLASH_TAIL = re.compile(
    rf"(?:^|(?<=[\s(.]))(?P<credit>(?:{_ORG})\s?/\s?{_CNAME}(?:\s{_CNAME}){{0,3}}{_SLASH_REST}"
    rf"|{_CNAME}(?:\s{_CNAME}){{0,3}}\s?/\s?(?:{_ORG}){_SLASH_REST}(?:\s+via\s+(?:{_ORG}))?"
    rf"|(?:{_ORG}|{_CNAME}(?:\s{_CNAME}){{0,5}})\s+via\s+(?:{_ORG}))\s*$"
)
# A bare upper-case agency slug after a full sentence: "Ships wait outside the port. REUTERS".
_BARE_AGENCY = re.compile(r"(?<=[.)]\s)(?P<credit>REUTERS|AFP|EPA|EFE|ANSA|DPA|XINHUA|AP PHOTO|GETTY IMAGES)\s*$")
# Inside a figure: "Caption text. Agency Name" (one to three capitalised words after the last full stop).
_FIGURE_CREDIT = re.compile(
    r"^(?P<cap>\S.{10,}?)\.\s+(?P<credit>[A-Z][\w/&.-]{1,30}(?:\s[A-Z][\w/&.-]{1,30}){0,2})\s*$"
)
# "(Photo AFP)": inside brackets a photo word and a capitalised credit need no colon.
_BRACKET_PHOTO = re.compile(r"(?i)(?:photos?|fotos?|images?|pictures?|bild)\s+")
# Lower-case words a credit may hold ("AFP via Getty Images", "courtesy of the family", "Reuters file photo").
_CREDIT_SMALL = frozenset(
    "via for by of the and de van von der da di del la le du y e und et courtesy handout file photo photos staff "
    "pool images image illustration supplied photograph photographer archive archives".split()
)


def collapse_file_photo(caption: str) -> str:
    """``FILE PHOTO: FILE PHOTO: X`` -> ``FILE PHOTO: X``."""
    return _FILE_PHOTO.sub("FILE PHOTO: ", caption)


def credit_shaped(credit: str) -> bool:
    """Whether ``credit`` reads as a photo credit (a name, an agency, ``REUTERS/Name``), not a clause of prose.

    A credit is short, starts with a capital (or "courtesy"/"via"), and holds at most
    one lower-case word outside the few credits use: "of the president through the
    streets of the capital" is a clause.
    """
    c = credit.strip(" .;,:-")
    if not 2 <= len(c) <= 80:
        return False
    words = c.split()
    if len(words) > 10:
        return False
    first = words[0]
    if not (first[0].isupper() or first[0].isdigit() or first[0] == "\u00a9" or first.lower() in _CREDIT_SMALL):
        return False
    loose = 0
    for w in words:
        if w[0].islower() and w.strip(",.;:()").lower() not in _CREDIT_SMALL:
            loose += 1
    return loose <= 1


def _mark_starts_word(t: str, i: int) -> bool:
    """Whether a marker at ``t[i]`` starts a word: after a non-letter, or glued capitalised ("apronImage credit:").

    HTML captions often join their spans without a space, so a capitalised marker
    right after a lower-case letter still starts a new word.
    """
    if i == 0 or (not t[i - 1].isalnum() and t[i - 1] != "_"):
        return True
    return t[i].isupper() and t[i - 1].islower()


def _bracket_credit(t: str) -> tuple[str, str] | None:
    """``Caption (AP Photo/Jane Doe, File)`` or ``Caption [Photo: Jane Doe]`` -> (caption, credit)."""
    end = t.rstrip(" .")
    close = end[-1:]
    if close not in (")", "]"):
        return None
    i = end.rfind("(" if close == ")" else "[")
    if i <= 0:
        return None
    inner = end[i + 1 : -1].strip()
    cap = end[:i]
    m = _TAIL_MARK.match(inner)
    if m is not None:
        credit = inner[m.end() :].strip(" :;,-")
        return (cap, credit) if credit_shaped(credit) else None
    if ("/" in inner or " via " in inner) and _SLASH_TAIL.match(inner) and credit_shaped(inner):
        return cap, inner
    m2 = _BRACKET_PHOTO.match(inner)
    if m2 is not None and inner[m2.end() :][:1].isupper() and credit_shaped(inner[m2.end() :]):
        return cap, inner[m2.end() :]  # "(Photo AFP)", "(Foto EFE)"
    return None


def _split_credit(t: str) -> tuple[str, str | None]:
    """(caption, credit) of a caption body whose leading labels are gone; credit None when none is found."""
    found = _bracket_credit(t)
    if found is not None:
        return found
    low = t.lower()
    if ":" in t or " by " in low or "courtesy" in low or "\u00a9" in t or "(c) " in low:
        # The last marker whose tail reads as a credit wins ("Photo: X" may also open the caption).
        for m in reversed(list(_TAIL_MARK.finditer(t))):
            if not _mark_starts_word(t, m.start()):
                continue
            credit = t[m.end() :].strip(" :;,-")
            if not (credit and credit_shaped(credit) and len(t[: m.start()].strip(" .,;|-\u2013\u2014([")) >= 3):
                continue
            if t[m.end() - 1] in "\u00a9 " and (credit[0].isdigit() or "copyright" in low or "rights" in low):
                continue  # "Copyright \u00a9 2022 Site Media": a copyright line, not a credit
            return t[: m.start()].rstrip(" ,;|-\u2013\u2014(["), credit
    tail = t[-100:]  # a credit is at most 80 characters (credit_shaped)
    if "/" in tail or " via " in tail:
        m2 = _SLASH_TAIL.search(t, max(0, len(t) - 100))
        if m2 is not None and m2.start() >= 4 and credit_shaped(m2["credit"]):
            return t[: m2.start()], m2["credit"]
    m3 = _BARE_AGENCY.search(t)
    if m3 is not None and m3.start() >= 4:
        return t[: m3.start()], m3["credit"]
    return t, None


def _clean_credit(credit: str) -> str:
    credit = credit.strip(" .;,")
    # "Jane Doe/Reuters" and "REUTERS/Jane Doe" both credit the agency; keep the whole line for people to read.
    return credit


def caption(text: str, *, in_figure: bool = False) -> Picture | None:
    """Read a photo caption block into a Picture; None when the block is not a caption.

    A caption opens with a photo label ("FILE PHOTO:", "FILE -", "Photo:") or ends
    with a credit ("REUTERS/Jane Doe", "(AP Photo/Jane Doe, File)", "Photo: Jane
    Doe/Getty Images"); a credit must read as one (see :func:`credit_shaped`), so a
    story sentence with "picture" or "image" in it is not a caption. ``in_figure``
    says the block came from an HTML figure/caption element, so any text there is a
    caption even without a credit marker.

    >>> caption("FILE PHOTO: Thames Water sign. REUTERS/Toby Melville")
    Picture(caption='FILE PHOTO: Thames Water sign', credit='REUTERS/Toby Melville', file_photo=True)
    """
    if len(text) > 600:
        return None
    t = text.strip()
    credit: str | None = None
    m = _COPY_PREFIX.match(t)
    if m and len(m["credit"].split()) <= 5 and not any(ch.isdigit() for ch in m["credit"]):
        credit, t = m["credit"], m["cap"]
    prefix = ""
    labelled = False
    for _ in range(4):  # stacked labels: "Photo: FILE PHOTO: FILE PHOTO: ..."
        lead = _FILE_LEAD.match(t)
        if lead is not None:
            prefix = prefix or "FILE PHOTO: "
        elif (lead := _AP_FILE_LEAD.match(t)) is not None:
            prefix = prefix or "FILE - "
        elif (lead := _LABEL_LEAD.match(t)) is not None:
            labelled = True
        else:
            break
        t = t[lead.end() :]
    cap = t
    ap_file = prefix == "FILE - "
    if credit is None:
        cap, credit = _split_credit(t)
        if credit is None and in_figure:
            m4 = _FIGURE_CREDIT.match(t)
            if m4 is not None:
                cap, credit = m4["cap"], m4["credit"]
    if credit is None and not in_figure and (ap_file or not (prefix or labelled) or len(text) >= 300):
        return None  # "FILE - ..." without its "(AP Photo/...)" credit could be anything
    cap = cap.strip(" .,;|-\u2013\u2014")
    if not cap:
        return None
    up_credit = (credit or "").upper()
    file_photo = bool(prefix) or "/FILE" in up_credit or up_credit.endswith((" FILE", " FILE PHOTO"))
    return Picture(caption=prefix + cap, credit=_clean_credit(credit) if credit else None, file_photo=file_photo)


# --- contributor trailers -----------------------------------------------------------------------------------

_CONTRIB_RE = re.compile(
    r"^(?:[-\u2013\u2014]{1,2}\s?)?[(\[]?\s*(?:with\s+)?(?:additional\s+)?(?:reporting|writing|editing|compiled|edited|written|reported|"
    r"research|production)(?:\s+and\s+(?:reporting|writing|editing|research))?\s+by\s+\S"
    r"|^[(\[]?\s*(?:con\s+informaci[\u00f3o]n\s+de|mit\s+material\s+von)\s+\S.{0,60}[)\]]?\.?$"
    r"|^[(\[]?\s*avec\s+(?:l[\u2019']\s?)?(?:afp|reuters|ap|ansa|dpa|efe|belga|ats|agences?)\b.{0,30}$",
    re.IGNORECASE,
)
# AP and others end a story with one sentence naming who helped: "Associated Press writer Jane Doe in
# Washington contributed to this report." / "Jane Doe contributed reporting from Paris."
_CONTRIBUTED_RE = re.compile(
    r"(?i)\bcontribut(?:ed|ing)\s+(?:(?:additional\s+)?reporting|to\s+(?:this|the)\s+(?:report|story|article))"
    r"\b[^.!?]{0,80}[.!?]?[)\]]?\s*$"
)
# A sentence end inside the block ("... said. Jane Doe contributed ..."): then it is story prose.
_INNER_SENTENCE = re.compile(r"[a-z\u00df-\u00ff]{3}[.!?]\s+[A-Z\u201c\"]")


def contributors(text: str) -> str | None:
    """``(Reporting by X; Editing by Y)`` -> ``Reporting by X; Editing by Y``; None otherwise.

    Also one-sentence credit lines: ``AP writer Jane Doe contributed to this report.``
    """
    if len(text) > 400:
        return None
    if not _CONTRIB_RE.match(text):
        if len(text) > 300 or "ontribut" not in text:
            return None
        m = _CONTRIBUTED_RE.search(text)
        if m is None or _INNER_SENTENCE.search(text, 0, m.start()):
            return None
    t = text.strip().lstrip("-\u2013\u2014 ")
    # Reuters appends the reporter's contacts in double parentheses: "(...) ((jane.doe@x.com; +44 ...))".
    cut = t.find(" ((", 1)
    if cut > 0:
        t = t[:cut].rstrip()
    if t[:1] in "([" and t[-1:] in ")]":
        t = t[1:-1].strip()
    return t
