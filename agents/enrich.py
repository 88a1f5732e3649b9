"""Enrich stage: who, where, what and in which language, at stream speed.

Input: a :class:`~agents.model.CleanedArticle`. Outcome: an
:class:`~agents.model.Enrichment` (language, people, organisations, places,
located dateline, primary country, IPTC subjects, keywords, quotes, word count,
reading time). Side effects: none; the data tables are loaded once per process
by :meth:`Enricher.from_settings` (about 0.6 s, under 100 MB RSS) and shared
read-only.

Places: ``places`` are the places the story is about (ninjs ``places``);
``mentioned_places`` are named only in passing. A country is a subject when
its places together (the country, its cities and regions, plus the dateline as
1.5 mentions) score at least 35% of the best country's; a mention through a
currency ("Swiss franc bond") counts a quarter. The dateline's qualifier
("BIRMINGHAM, Ala.") decides its country; ``primary_country`` is the best one.

Offsets: every :class:`~agents.model.Mention` and :class:`~agents.model.Quote`
indexes into ``article.body``. The headline is not part of the body, so it
yields no mentions; an entity named in the headline gets a relevance boost
instead (entities named only in the headline are not reported).

Engines: ``fast`` (default) is the rule and gazetteer recogniser in
:mod:`agents.enrich_ner` (under 1 ms of CPU per 600-word article, all of this
stage included); ``spacy`` swaps in
spaCy's statistical NER (:mod:`agents.enrich_spacy`, optional, ~50 ms) for
people, organisations and place names, keeping everything else.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from operator import attrgetter
from typing import TYPE_CHECKING, Literal

from agents.enrich_gazetteer import Gazetteer
from agents.enrich_lang import detect_language_words
from agents.enrich_ner import WORD_TABLE, Found, Lexicon, Recognised, Recogniser, words_of
from agents.enrich_quotes import find_quotes
from agents.enrich_topics import keywords, score_subjects
from agents.enrich_values import enrichment, entity, place
from agents.model import CleanedArticle, Enrichment, Entity, Mention, Place

if TYPE_CHECKING:
    from streams.settings import EnrichSettings

# Relevance: mentions count once each, a headline hit counts as three mentions,
# a mention in the first 300 characters (the lede) as one more.
_HEADLINE_BOOST = 3.0
_LEDE_CHARS = 300
_START = attrgetter("start")
_TEXT = attrgetter("text")
_FEATURE_WEIGHT = {"country": 1.0, "city": 0.6, "region": 0.6, "other": 0.3}
# A mention that names a place in passing (a currency, "Swiss franc") is worth a quarter.
_WEAK_MENTION = 0.25
# The dateline's country counts as this many mentions towards the story being about it.
_DATELINE_PRIOR = 1.5
# A country is a subject of the story (ninjs ``places``) when its places together score
# at least this share of the best country's; the rest are ``mentioned_places``.
_ABOUT_SHARE = 0.35
# A dateline city at least this big names its country without a qualifier.
_DATELINE_WELL_KNOWN = 1_000_000


@dataclass(frozen=True)
class Enricher:
    """Loaded enrichment data plus the chosen engine; build once per process."""

    gazetteer: Gazetteer
    recogniser: Recogniser
    words_per_minute: int = 230
    max_keywords: int = 10
    engine: str = "fast"
    spacy_engine: object | None = None

    @classmethod
    def from_settings(cls, settings: EnrichSettings) -> Enricher:
        """Load the gazetteer and lexicons (and spaCy when ``engine == "spacy"``).

        Raises:
            agents.enrich_spacy.EngineUnavailable: spaCy or its model is not installed.
        """
        gaz = Gazetteer.load()
        recogniser = Recogniser(gaz, Lexicon.load())
        spacy_engine = None
        if settings.engine == "spacy":
            from agents.enrich_spacy import SpacyEngine

            spacy_engine = SpacyEngine(settings.spacy_model, recogniser)
        return cls(
            gazetteer=gaz,
            recogniser=recogniser,
            words_per_minute=max(1, settings.words_per_minute),
            max_keywords=settings.max_keywords,
            engine=settings.engine,
            spacy_engine=spacy_engine,
        )

    def enrich(self, article: CleanedArticle) -> Enrichment:
        """Enrich one cleaned article (pure: the same article gives the same result)."""
        body = article.body
        headline = article.headline or ""
        city = article.dateline.city if article.dateline else None
        raw_dateline = article.dateline.raw if article.dateline else None
        qualified = self.gazetteer.qualifier_country(raw_dateline, city)
        dateline_country = self._dateline_country(city, qualified)
        if self.spacy_engine is not None:
            rec: Recognised = self.spacy_engine.recognise(  # type: ignore[attr-defined]
                body, byline=article.byline, dateline_city=city
            )
        else:
            rec = self.recogniser.recognise(
                body, byline=article.byline, dateline_city=city, dateline_country=dateline_country
            )
        headline_words = words_of(headline)
        # "RUSSIA'S" is "russias" once apostrophes go: keep the form without the "s" too.
        headline_set = frozenset(headline_words).union([w[:-1] for w in headline_words if w[-1:] == "s"])

        people = _entities(rec.people, "person", headline_set)
        orgs = _entities(rec.organisations, "organisation", headline_set)
        located = self._located(city, rec, qualified)
        places, mentioned, primary = _places(rec.places, headline_set, located)
        if located is not None:
            located = next((p for p in (*places, *mentioned) if _same_place(p, located)), located)

        # No quotation mark, no quotation (most wire stories): skip the speaker index and the scan.
        if '"' in body or "\u201c" in body:
            mention_index = {p.name: [(m.start, m.end) for m in p.mentions] for p in people}
            quotes = find_quotes(body, mention_index)
        else:
            quotes = ()
        named: list[str] = []
        for group in (people, orgs, places, mentioned):
            for e in group:
                named.append(e.name)
                named.extend(map(_TEXT, e.mentions[:3]))
        entity_words = frozenset(words_of(" ".join(named)))
        word_count = rec.word_total
        # The headline and the lede decide the language: a bounded cost whatever the length.
        lede = body[:800]
        # The sample's words are the headline's (split above) and the lede's: "\n" between them is a space.
        # A body no longer than the lede is the lede: its words are already split.
        whole = len(body) <= 800 and len(rec.words) == word_count
        language = detect_language_words(
            headline_words + (rec.words if whole else words_of(lede)), f"{headline}\n{lede}", article.item.language
        )
        return enrichment(
            language=language,
            people=people,
            organisations=orgs,
            places=places,
            located=located,
            primary_country=primary,
            subjects=score_subjects(rec.word_counts, rec.word_total, headline_words, body),
            keywords=keywords(rec.word_counts, rec.word_total, headline_words, entity_words, self.max_keywords),
            quotes=quotes,
            word_count=word_count,
            reading_time_s=round(word_count * 60 / self.words_per_minute),
            engine=self.engine,
            mentioned_places=mentioned,
        )

    def _dateline_country(self, city: str | None, qualified: str | None) -> str | None:
        """The dateline's country when it is unambiguous: a qualifier, a country, or a big city."""
        if not city:
            return None
        if qualified is not None:
            return qualified
        key = city.strip().lower()
        country = self.gazetteer.countries.get(key)
        if country is not None:
            return country.country_code
        candidates = self.gazetteer.cities.get(key, ())
        if candidates and (len(candidates) == 1 or candidates[0].population >= _DATELINE_WELL_KNOWN):
            return candidates[0].country_code
        return None

    def _located(self, city: str | None, rec: Recognised, qualified: str | None = None) -> Place | None:
        """The dateline city resolved like any place, boosted by the story's countries.

        A qualifier (``BIRMINGHAM, Ala.``) decides the country; a town too small for
        the gazetteer still gets that country (without GeoNames id or coordinates).
        """
        if not city:
            return None
        key = city.strip().lower()
        gaz = self.gazetteer
        if qualified is not None:
            same = next((c for c in gaz.cities.get(key, ()) if c.country_code == qualified), None)
            if same is not None:
                return place(same.name, same.country_code, same.geonames_id, same.lat, same.lon, "city", (), 0.0)
            return place(_title(city), qualified, None, None, None, "city", (), 0.0)
        country = gaz.countries.get(key)
        if country is not None:
            return place(country.name, country.country_code, country.geonames_id, country.lat, country.lon,
                         "country", (), 0.0)
        found = gaz.best_city(key, story_countries=rec.story_countries, prefer=key)
        if found is not None:
            return place(found.name, found.country_code, found.geonames_id, found.lat, found.lon, "city", (), 0.0)
        region = gaz.regions.get(key)
        if region is not None:
            return place(region.name, region.country_code, region.geonames_id, None, None, "region", (), 0.0)
        return place(_title(city), None, None, None, None, "other", (), 0.0)


def _headline_hit(found: Found, headline_words: frozenset[str]) -> bool:
    """The entity's name (its last word, as any mention writes it) is a headline word (a non-empty set)."""
    name = found.name
    last = _last_word(name)
    if len(last) > 2 and last in headline_words:
        return True
    for text in {m.text for m in found.mentions}:
        if text == name:
            continue  # (asked above)
        w = _last_word(text)
        if len(w) > 2 and w in headline_words:
            return True
    return False


@lru_cache(maxsize=8192)
def _last_word(text: str) -> str:
    """The last word, lower-cased as the word statistics write it ("U.S." -> "us")."""
    w = text[text.rfind(" ") + 1 :].lower()
    return w.translate(WORD_TABLE) if not w.isalpha() else w


def _in_order(mentions: list[Mention]) -> tuple[Mention, ...]:
    """Mentions by position (a single mention needs no sort)."""
    if len(mentions) < 2:
        return tuple(mentions)
    return tuple(sorted(mentions, key=_START))


def _raw_score(found: Found, ordered: tuple[Mention, ...], headline_set: frozenset[str]) -> float:
    """Mentions, plus the headline and lede boosts (``ordered``: the mentions by position)."""
    score = float(len(ordered))
    if headline_set and _headline_hit(found, headline_set):
        score += _HEADLINE_BOOST
    if ordered and ordered[0].start < _LEDE_CHARS:
        score += 1.0
    return score


def _by_relevance(e: Entity | Place) -> tuple[float, str]:
    return (-e.relevance, e.name)


def _entities(found: list[Found], kind: str, headline_set: frozenset[str]) -> tuple[Entity, ...]:
    if not found:
        return ()
    scored = []
    top = 0.0
    for f in found:
        ordered = _in_order(f.mentions)
        score = _raw_score(f, ordered, headline_set)
        if score > top:
            top = score
        scored.append((f, ordered, score))
    top = top or 1.0
    k: Literal["person", "organisation"] = "person" if kind == "person" else "organisation"
    out = [entity(f.name, k, m, round(s / top, 3), None, f.role) for f, m, s in scored]
    if len(out) > 1:
        out.sort(key=_by_relevance)
    return tuple(out)


def _places(
    found: list[Found], headline_set: frozenset[str], located: Place | None
) -> tuple[tuple[Place, ...], tuple[Place, ...], str | None]:
    """Split the places into those the story is about and those only mentioned.

    A country is a subject when its places (the country itself, its cities and
    regions; the dateline counts as :data:`_DATELINE_PRIOR` mentions) score at
    least :data:`_ABOUT_SHARE` of the best country's. Returns the subject
    places, the mentioned places and the primary country (the best one).
    """
    scored: list[tuple[Found, tuple[Mention, ...], float]] = []
    for f in found:
        ordered = _in_order(f.mentions)
        scored.append((f, ordered, _place_score(f, ordered, headline_set)))
    present = False
    if located is not None and located.country_code is not None:
        present = any(f.geonames_id == located.geonames_id and f.feature == located.feature and
                      f.name == located.name for f in found)
        if not present:
            scored.append((_found_from_place(located), (), _DATELINE_PRIOR))
    if not scored:
        return (), (), None
    by_country: dict[str, float] = {}
    for f, _, s in scored:
        if f.country_code:
            by_country[f.country_code] = by_country.get(f.country_code, 0.0) + s
    if located is not None and located.country_code and present:
        by_country[located.country_code] = by_country.get(located.country_code, 0.0) + _DATELINE_PRIOR
    top_country = max(by_country.values(), default=0.0)
    weights = [s * (0.5 + _FEATURE_WEIGHT[f.feature]) for f, _, s in scored]
    top = max(weights) or 1.0
    about: list[Place] = []
    mentioned: list[Place] = []
    for (f, ordered, s), w in zip(scored, weights, strict=True):
        value = place(f.name, f.country_code, f.geonames_id, f.lat, f.lon, f.feature, ordered,
                      round(max(w, 0.0) / top, 3))
        share = by_country[f.country_code] / top_country if f.country_code and top_country else 0.0
        if f.country_code is None:
            share = s / max(top_country, 1.0)
        (about if share >= _ABOUT_SHARE else mentioned).append(value)
    primary = max(by_country, key=by_country.__getitem__) if by_country else None  # (the first best, as before)
    if len(about) > 1:
        about.sort(key=_by_relevance)
    if len(mentioned) > 1:
        mentioned.sort(key=_by_relevance)
    return tuple(about), tuple(mentioned), primary


def _place_score(found: Found, ordered: tuple[Mention, ...], headline_set: frozenset[str]) -> float:
    """Mentions plus headline and lede boosts; a place named only through a currency gets no boosts."""
    weak = found.weak
    if weak and weak >= len(ordered):
        return weak * _WEAK_MENTION
    return _raw_score(found, ordered, headline_set) - weak * (1.0 - _WEAK_MENTION)


def _found_from_place(p: Place) -> Found:
    return Found("place", p.name, [], None, p.country_code, p.geonames_id, p.lat, p.lon, p.feature)


def _same_place(a: Place, b: Place) -> bool:
    return a.geonames_id == b.geonames_id and a.feature == b.feature and a.name == b.name


def _title(city: str) -> str:
    return " ".join(w[:1].upper() + w[1:].lower() for w in city.strip().split())


__all__ = ["Enricher"]
