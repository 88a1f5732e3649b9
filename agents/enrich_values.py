"""Fast builders for the frozen model values the enrich stage makes per mention and entity.

Input: the field values of :class:`~agents.model.Mention`, :class:`~agents.model.Entity`,
:class:`~agents.model.Place`, :class:`~agents.model.Subject`, :class:`~agents.model.Quote`
and :class:`~agents.model.Enrichment`. Outcome: instances equal to (and indistinguishable
from: same ``__dict__`` in field order, so the same ``repr``, hash, pickle and JSON) what
the class's own constructor builds. Side effects: none.

Why: a frozen dataclass's ``__init__`` stores each field through
``object.__setattr__`` (one Python-level call per field), which makes building one of
these values cost several times a plain object's; the stage builds dozens per article
(about a fifth of its time before these builders). Filling the new instance's
``__dict__`` directly skips those calls.

Safety: each builder is used only while the class is exactly what it was written for
(the same fields in the same order, no ``__post_init__``, no ``__slots__``); otherwise
the class's own constructor is used, so a change to :mod:`agents.model` can make the
stage slower but never wrong.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import fields, is_dataclass
from typing import Any, TypeVar

from agents.model import Enrichment, Entity, Mention, Place, Quote, Subject

_T = TypeVar("_T")
_new = object.__new__


def _checked(cls: type[_T], names: tuple[str, ...], fast: Callable[..., _T]) -> Callable[..., _T]:
    """``fast`` if ``cls`` is a plain dataclass with exactly the fields ``names``, else ``cls`` itself."""
    plain = (
        is_dataclass(cls)
        and tuple(f.name for f in fields(cls)) == names
        and not hasattr(cls, "__post_init__")
        and "__slots__" not in cls.__dict__
    )
    return fast if plain else cls


def _mention(start: int, end: int, text: str) -> Mention:
    o = _new(Mention)
    d = o.__dict__
    d["start"] = start
    d["end"] = end
    d["text"] = text
    return o


def _entity(name: str, kind: Any, mentions: tuple[Mention, ...], relevance: float,
            uri: str | None = None, role: str | None = None) -> Entity:
    o = _new(Entity)
    d = o.__dict__
    d["name"] = name
    d["kind"] = kind
    d["mentions"] = mentions
    d["relevance"] = relevance
    d["uri"] = uri
    d["role"] = role
    return o


def _place(name: str, country_code: str | None, geonames_id: int | None, lat: float | None, lon: float | None,
           feature: Any, mentions: tuple[Mention, ...], relevance: float) -> Place:
    o = _new(Place)
    d = o.__dict__
    d["name"] = name
    d["country_code"] = country_code
    d["geonames_id"] = geonames_id
    d["lat"] = lat
    d["lon"] = lon
    d["feature"] = feature
    d["mentions"] = mentions
    d["relevance"] = relevance
    return o


def _subject(code: str, name: str, relevance: float) -> Subject:
    o = _new(Subject)
    d = o.__dict__
    d["code"] = code
    d["name"] = name
    d["relevance"] = relevance
    return o


def _quote(text: str, speaker: str | None, start: int, end: int) -> Quote:
    o = _new(Quote)
    d = o.__dict__
    d["text"] = text
    d["speaker"] = speaker
    d["start"] = start
    d["end"] = end
    return o


def _enrichment(language: str | None, people: tuple[Entity, ...], organisations: tuple[Entity, ...],
                places: tuple[Place, ...], located: Place | None, primary_country: str | None,
                subjects: tuple[Subject, ...], keywords: tuple[str, ...], quotes: tuple[Quote, ...],
                word_count: int, reading_time_s: int, engine: str, mentioned_places: tuple[Place, ...]) -> Enrichment:
    o = _new(Enrichment)
    d = o.__dict__
    d["language"] = language
    d["people"] = people
    d["organisations"] = organisations
    d["places"] = places
    d["located"] = located
    d["primary_country"] = primary_country
    d["subjects"] = subjects
    d["keywords"] = keywords
    d["quotes"] = quotes
    d["word_count"] = word_count
    d["reading_time_s"] = reading_time_s
    d["engine"] = engine
    d["mentioned_places"] = mentioned_places
    return o


mention = _checked(Mention, ("start", "end", "text"), _mention)
"""``Mention(start, end, text)``, built without the frozen ``__init__``."""
entity = _checked(Entity, ("name", "kind", "mentions", "relevance", "uri", "role"), _entity)
"""``Entity(name, kind, mentions, relevance, uri, role)``, built without the frozen ``__init__``."""
place = _checked(
    Place, ("name", "country_code", "geonames_id", "lat", "lon", "feature", "mentions", "relevance"), _place
)
"""``Place(...)`` in field order, built without the frozen ``__init__``."""
subject = _checked(Subject, ("code", "name", "relevance"), _subject)
"""``Subject(code, name, relevance)``, built without the frozen ``__init__``."""
quote = _checked(Quote, ("text", "speaker", "start", "end"), _quote)
"""``Quote(text, speaker, start, end)``, built without the frozen ``__init__``."""
enrichment = _checked(
    Enrichment,
    ("language", "people", "organisations", "places", "located", "primary_country", "subjects", "keywords",
     "quotes", "word_count", "reading_time_s", "engine", "mentioned_places"),
    _enrichment,
)
"""``Enrichment(...)`` with every field given positionally in field order, built without the frozen ``__init__``."""

__all__ = ["enrichment", "entity", "mention", "place", "quote", "subject"]
