"""Typed values that travel between the pipeline's stages.

These mirror the JSON Schemas in ``schemas/`` (the published contract); the
publish stage turns them into the ninjs-shaped messages, and a test checks every
emitted message against its schema so the two cannot drift.

Flow: ``RawRecord`` -> ingest -> ``WireItem`` -> clean -> ``CleanedArticle``
-> enrich -> ``Enrichment`` ; dedupe(``CleanedArticle``) -> ``Verdict``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

InputFormat = Literal["ninjs", "generic", "text", "html", "newsml-g2", "newsml", "nitf"]
PubStatus = Literal["usable", "withheld", "canceled"]


def find_header(headers: tuple[tuple[str, bytes], ...], name: str) -> str | None:
    """The last header called ``name`` (case-insensitive), decoded leniently.

    Kafka allows repeated header names; the last one wins, as a proxy that appends would intend.

    >>> find_header((("Wirestream-Replay-Id", b"r1"), ("wirestream-replay-id", b"r2")), "wirestream-replay-id")
    'r2'
    """
    if not headers:
        return None
    wanted = name.lower()
    for hname, hvalue in reversed(headers):
        if hname.lower() == wanted:
            return hvalue.decode("utf-8", "replace")
    return None


@dataclass(frozen=True)
class RawRecord:
    """One Kafka record as it arrived (or as read from an archive line)."""

    value: bytes
    key: bytes | None = None
    headers: tuple[tuple[str, bytes], ...] = ()
    topic: str | None = None
    partition: int | None = None
    offset: int | None = None
    timestamp_ms: int | None = None

    def header(self, name: str) -> str | None:
        """The last header of that name (case-insensitive), decoded leniently."""
        return find_header(self.headers, name)


@dataclass(frozen=True)
class FeedSubject:
    """A subject code the feed assigned: ``uri`` (or qcode expanded to a URI) and ``name``."""

    name: str | None = None
    uri: str | None = None
    code: str | None = None
    """The qcode as given (``medtop:11000000``, ``subj:11000000``), if the feed gave one."""


@dataclass(frozen=True)
class WireItem:
    """A raw payload parsed into one normalised shape, before cleaning.

    Exactly one of ``body_text`` / ``body_html`` carries the body (``html`` pages
    and ninjs ``body_html`` use ``body_html``). Timestamps are ISO 8601 strings
    with a timezone when the source gave one it could be parsed from, else None.
    """

    format: InputFormat
    source: str
    body_text: str | None = None
    body_html: str | None = None
    uri: str | None = None
    version: int | None = None
    url: str | None = None
    headline: str | None = None
    byline: tuple[str, ...] = ()
    located: str | None = None
    language: str | None = None
    pubstatus: PubStatus = "usable"
    firstcreated: str | None = None
    versioncreated: str | None = None
    embargoed: str | None = None
    agency: str | None = None
    signals: tuple[str, ...] = ()
    """Feed-given kill/correction/update markers (e.g. ninjs ``signals``, ednote text)."""
    received_ms: int | None = None
    """The Kafka record timestamp, used as a fallback time."""
    subjects: tuple[FeedSubject, ...] = ()
    """Subjects the feed itself assigned (ninjs ``subjects``, NewsML-G2 ``subject``, NITF ``tobject``)."""
    credit: str | None = None
    """The feed's credit line (ninjs ``copyrightnotice``/NewsML-G2 ``creditline``), if any."""
    ednote: str | None = None
    """The editor's note (ninjs ``ednote``, NewsML-G2 ``edNote``): kill and correction notices live here."""
    part: int | None = None
    """Index (1-based) of this story among several text items of one input record (a NewsML-G2
    ``newsMessage`` or package); None for single-story records."""


@dataclass(frozen=True)
class Picture:
    """A photo caption and credit lifted out of the body."""

    caption: str
    credit: str | None = None
    file_photo: bool = False


@dataclass(frozen=True)
class Removal:
    """One block the cleaner removed, and why (rule id, or ``learned``)."""

    rule: str
    text: str


@dataclass(frozen=True)
class Dateline:
    """``MOSCOW (Reuters) -`` -> city ``Moscow``, agency ``Reuters``."""

    city: str | None = None
    agency: str | None = None
    raw: str | None = None


@dataclass(frozen=True)
class CleanedArticle:
    """The story and only the story, with page metadata pulled out into fields.

    ``paragraphs`` are verbatim story paragraphs in order (dateline prefix kept
    as the agency wrote it); ``body`` is them joined by blank lines, and every
    character offset the enrich stage reports indexes into ``body``.
    """

    item: WireItem
    headline: str
    paragraphs: tuple[str, ...]
    byline: tuple[str, ...] = ()
    dateline: Dateline = field(default_factory=Dateline)
    firstcreated: str | None = None
    versioncreated: str | None = None
    pictures: tuple[Picture, ...] = ()
    contributors: tuple[str, ...] = ()
    """Trailer lines such as ``Reporting by X; Editing by Y``, verbatim."""
    credit: str | None = None
    removed: tuple[Removal, ...] = ()
    learned_blocks: int = 0

    @property
    def body(self) -> str:
        """The cleaned body text: paragraphs separated by one blank line."""
        return "\n\n".join(self.paragraphs)


@dataclass(frozen=True)
class Mention:
    """Where an entity is mentioned: character offsets into ``CleanedArticle.body``."""

    start: int
    end: int
    text: str


@dataclass(frozen=True)
class Entity:
    """A person or an organisation named in the story."""

    name: str
    kind: Literal["person", "organisation"]
    mentions: tuple[Mention, ...]
    relevance: float
    uri: str | None = None
    role: str | None = None


@dataclass(frozen=True)
class Place:
    """A place named in the story, resolved against the gazetteer."""

    name: str
    country_code: str | None
    geonames_id: int | None
    lat: float | None
    lon: float | None
    feature: Literal["country", "city", "region", "other"]
    mentions: tuple[Mention, ...]
    relevance: float


@dataclass(frozen=True)
class Subject:
    """An IPTC Media Topic with a relevance score in [0, 1]."""

    code: str
    name: str
    relevance: float


@dataclass(frozen=True)
class Quote:
    """A direct quotation and its speaker where one is named."""

    text: str
    speaker: str | None
    start: int
    end: int


@dataclass(frozen=True)
class Enrichment:
    """What the enrich stage found in a cleaned article."""

    language: str | None
    people: tuple[Entity, ...] = ()
    organisations: tuple[Entity, ...] = ()
    places: tuple[Place, ...] = ()
    located: Place | None = None
    primary_country: str | None = None
    subjects: tuple[Subject, ...] = ()
    keywords: tuple[str, ...] = ()
    quotes: tuple[Quote, ...] = ()
    word_count: int = 0
    reading_time_s: int = 0
    engine: str = "fast"
    mentioned_places: tuple[Place, ...] = ()
    """Places only named in passing (their country is not a subject of the story), with offsets;
    ``places`` holds the places the story is about."""


@dataclass(frozen=True)
class ChangeSummary:
    """How a new version differs from the previous one of the same story."""

    paragraphs_added: int = 0
    paragraphs_removed: int = 0
    paragraphs_changed: int = 0
    headline_changed: bool = False


@dataclass(frozen=True)
class RuleHit:
    """One identity or similarity rule that fired for a verdict, with the figures it weighed.

    ``rule`` is one of the stable names listed in ``agents/dedupe.py`` (``feed_identity``,
    ``exact_fingerprint``, ``near_duplicate``, ``recurring_report_guard``...); ``figures`` are
    (name, value) pairs such as ``("jaccard", 0.93)``; ``uri`` names the story compared with.
    """

    rule: str
    figures: tuple[tuple[str, float], ...] = ()
    uri: str | None = None


VerdictKind = Literal["new", "version", "duplicate", "held"]
DuplicateReason = Literal["exact", "near", "syndicated", "stale", "resend"]


@dataclass(frozen=True)
class Verdict:
    """The dedupe stage's decision for one cleaned article.

    ``new`` and ``version`` publish to the enriched topic under ``uri`` /
    ``version``; ``duplicate`` publishes a notice pointing at ``duplicate_of``;
    ``held`` keeps an embargoed item in state until ``release_at``.
    """

    kind: VerdictKind
    uri: str
    version: int
    pubstatus: PubStatus = "usable"
    reason: DuplicateReason | None = None
    duplicate_of: tuple[str, int] | None = None
    similarity: float | None = None
    changes: ChangeSummary | None = None
    fingerprint: str = ""
    version_kind: Literal["update", "correction", "kill", "refile"] | None = None
    release_at: str | None = None
    supersedes: tuple[str, int] | None = None
    """(uri, version) this version replaces; None for a new story and for duplicates."""
    rules: tuple[RuleHit, ...] = ()
    """Why: the identity/similarity rules that fired, in the order they were applied."""
    notice: str | None = None
    """The kill/correction/refile/update notice text (ednote, body notice line, signal), if any."""
    out_of_order: bool = False
    """A version that arrived before the one it updates (feed version skipped ahead, or a notice
    about a story not yet seen), or the older version arriving after it."""


@dataclass(frozen=True)
class Origin:
    """Where an input record came from.

    It travels with the record so any later stage can dead-letter it with the original bytes,
    and so outputs can say which record they answer.
    """

    value: bytes
    key: bytes | None = None
    headers: tuple[tuple[str, bytes], ...] = ()
    topic: str | None = None
    partition: int | None = None
    offset: int | None = None
    timestamp_ms: int | None = None

    @classmethod
    def of(cls, record: RawRecord) -> Origin:
        """The origin of a raw record."""
        return cls(record.value, record.key, record.headers, record.topic, record.partition,
                   record.offset, record.timestamp_ms)

    def header(self, name: str) -> str | None:
        """The last header of that name (case-insensitive), decoded leniently."""
        return find_header(self.headers, name)


@dataclass(frozen=True)
class Ingested:
    """A parsed item on its way to cleaning (hop 1 -> hop 2, keyed by source)."""

    item: WireItem
    origin: Origin


@dataclass(frozen=True)
class Prepared:
    """A cleaned and enriched article on its way to dedupe (hop 2 -> hop 3)."""

    article: CleanedArticle
    enrichment: Enrichment
    origin: Origin
