"""Page URLs reduced to what identifies the page, for story identity in cleaning and dedupe.

Input: a URL string. Outcome: ``host/path?query`` with the scheme, ``www.``, a trailing
slash, the fragment and tracking query parameters dropped, and the host lower-cased.
Side effects: none.

Why one function: learned boilerplate (``agents/clean.py``) and the deduper
(``agents/dedupe.py``) must agree that a re-send with ``?utm_source=...`` is the same page.
"""

from __future__ import annotations

from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

TRACKING_PARAMS = ("utm_", "fbclid", "gclid", "dclid", "gbraid", "wbraid", "msclkid", "yclid", "igshid", "mc_",
                   "_ga", "_gl", "cmpid", "ocid", "ito", "smid", "mkt_tok", "__twitter_impression")
"""Query parameters (lower-case prefixes) that track the visit, not name the page: utm_*, ad-click ids, mailers."""


def canonical_url(url: str) -> str:
    """A URL reduced to what identifies the page (no scheme, www, fragment or tracking params).

    >>> canonical_url("HTTPS://www.Example.com/a/b/?utm_source=x&id=3&fbclid=y#top")
    'example.com/a/b?id=3'
    """
    parts = urlsplit(url.strip())
    query = parts.query
    if query:
        query = urlencode([(k, v) for k, v in parse_qsl(query) if not k.lower().startswith(TRACKING_PARAMS)])
    return urlunsplit(("", parts.netloc.lower().removeprefix("www."), parts.path.rstrip("/"), query, "")).lstrip("/")
