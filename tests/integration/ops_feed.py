"""Synthetic, varied wire articles for the operations tests (metrics, Prometheus, status page).

Deterministic for a seed: new stories, exact re-sends (duplicates), corrected
versions, and broken records (dead letters), from several sources, with ids,
URLs and headlines that must never become metric labels.
"""

from __future__ import annotations

import random

import orjson

SOURCES = ("harbourwire", "nordpress", "valleytimes", "metroledger", "coastcourier", "plainsdaily")
_SUBJECTS = ("council", "harbour", "railway", "hospital", "university", "market", "airport", "museum", "river",
             "stadium", "library", "bridge", "festival", "factory", "school", "court")
_VERBS = ("approves", "delays", "opens", "closes", "reviews", "expands", "funds", "questions", "celebrates", "plans")
_PLACES = ("Oslo", "Lyon", "Porto", "Gdansk", "Leeds", "Graz", "Turku", "Bilbao", "Utrecht", "Cork", "Brno")
_WORDS = ("officials", "residents", "budget", "weather", "report", "agreement", "project", "survey", "union",
          "minister", "season", "traffic", "energy", "price", "water", "housing", "police", "court", "vote", "plan")

HOSTILE_HEADLINE = '<img src=x onerror="alert(1)"><script>alert(2)</script> Harbour & "quotes" 1 < 2 > 0'

Record = tuple[bytes | None, bytes, list[tuple[str, bytes]]]


def _body(rng: random.Random, place: str, subject: str, n_sentences: int) -> str:
    sentences = []
    for i in range(n_sentences):
        words = rng.sample(_WORDS, 7)
        sentences.append(f"In {place}, the {subject} {words[0]} said the {words[1]} and {words[2]} of the "
                         f"{words[3]} would change the {words[4]} for {words[5]} by {rng.randint(2, 99)} "
                         f"percent, sentence {i} of the story about {words[6]}.")
    return " ".join(sentences)


def article(rng: random.Random, n: int, *, headline: str | None = None) -> dict[str, object]:
    """One generic-feed article with a unique id, URL and headline."""
    source = SOURCES[n % len(SOURCES)]
    subject, verb, place = rng.choice(_SUBJECTS), rng.choice(_VERBS), rng.choice(_PLACES)
    title = headline or f"{place} {subject} {verb} plan number {n} after {rng.choice(_WORDS)} talks"
    return {
        "id": f"{source}-{n:06d}-{rng.getrandbits(32):08x}",
        "title": title,
        "body": _body(rng, place, subject, rng.randint(4, 9)),
        "source": source,
        "url": f"https://{source}.example/news/{n}/{subject}-{verb}?ref={rng.getrandbits(24):06x}",
        "published": f"2026-11-{1 + n % 27:02d}T{n % 24:02d}:{n % 60:02d}:00Z",
    }


def feed(count: int, seed: int = 6, *, hostile: bool = False) -> tuple[list[Record], list[dict[str, object]]]:
    """``count`` records: ~80% new stories, ~8% exact re-sends, ~6% corrections, ~6% broken.

    Returns the records and the articles that should publish as new stories.
    """
    rng = random.Random(seed)
    records: list[Record] = []
    fresh: list[dict[str, object]] = []
    for n in range(count):
        roll = rng.random() if n < count - 1 else 1.0  # the last record is always a new story
        if fresh and roll < 0.08:
            art = rng.choice(fresh)  # the same story again: an exact duplicate
        elif fresh and roll < 0.14:
            art = dict(rng.choice(fresh))  # a correction: same id, edited body
            art["body"] = str(art["body"]) + " Correction: an earlier version misstated the figure."
            art["version"] = 2
        elif roll < 0.20:
            broken = (b"", b"{not json", b"\xff\xfe\x00garbage", orjson.dumps({"title": "no body at all"}))
            records.append((None, broken[n % len(broken)], []))
            continue
        else:
            head = HOSTILE_HEADLINE if hostile and n == count - 1 else None
            art = article(rng, n, headline=head)
            fresh.append(art)
        records.append((str(art["source"]).encode(), orjson.dumps(art), [("content-type", b"application/json")]))
    return records, fresh
