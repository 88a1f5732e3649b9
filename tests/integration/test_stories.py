"""The compacted latest-story topic on a real broker: a fresh reader of it alone knows every story's current state.

The feed goes in three waves (each answered before the next is sent, so that versions of a
story arrive in feed order whatever raw partition they land on): new stories, an embargoed
story, a malformed record; then updates (same ninjs uri with a higher version, and an
``UPDATE 1-`` headline with no uri) and an exact resend; then a correction, a kill (ninjs
``pubstatus: canceled``) and a second update. The expected view (uri -> version, pubstatus)
is derived from the feed; the reader is the README's example consumer, imported by path.
Run in both delivery modes: in exactly_once the stories records travel in the enriched
record's transaction, so everything is read committed.
"""

from __future__ import annotations

import asyncio
import importlib.util
import json
from collections import Counter
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
from aiokafka.admin import AIOKafkaAdminClient
from aiokafka.admin.config_resource import ConfigResource, ConfigResourceType

import schemas
from streams.kafka_config import client_kwargs
from streams.settings import Settings
from streams.topics import STORIES_CONFIGS
from tests.support import Consumed, WorkerProcess, consume, create_topics, output_topics, produce

pytestmark = pytest.mark.integration

REPO = Path(__file__).resolve().parents[2]
EXAMPLE = REPO / "deploy" / "examples" / "current_stories.py"
EMBARGO_S = 20.0

TEXT = {
    "a": ("Dock strike halts Rotterdam port",
          "ROTTERDAM (Test) - Dock workers at Europe's largest port walked out on Monday over pay, halting container "
          "traffic, the union said.\n\nShips waited at anchor in the North Sea as talks stalled."),
    "b": ("Central bank holds rates steady",
          "FRANKFURT (Test) - The central bank held its main interest rate at 2.5 percent on Thursday, saying "
          "inflation was on track to return to target.\n\nIts president said further cuts were not being discussed."),
    "c": ("Wildfire forces evacuations in hills",
          "ATHENS (Test) - A wildfire fanned by strong winds forced the evacuation of four villages in hills north of "
          "the capital on Saturday, the fire service said.\n\nWater-bombing aircraft were called in from neighbouring "
          "countries."),
    "d": ("Minister resigns over expenses claims",
          "LONDON (Test) - A junior transport minister resigned on Wednesday after newspaper reports about his "
          "expenses claims, the prime minister's office said.\n\nHe denied any wrongdoing."),
    "e": ("Carmaker unveils battery plant",
          "PARIS (Test) - A French carmaker will build a battery plant near Lille employing 2,000 people, its chief "
          "executive said on Tuesday.\n\nProduction starts in 2028."),
}
A_MORE = "\n\nThe port authority said 40 ships were waiting by Monday evening."


def uri(story: str) -> str:
    """The ninjs uri of a test story."""
    return f"urn:test:story-{story}"


def ninjs(story: str, version: int, *, pubstatus: str = "usable", headline: str | None = None,
          body: str | None = None, embargoed: str | None = None) -> bytes:
    """A ninjs item of story ``story``."""
    h, b = TEXT[story]
    item: dict[str, Any] = {"uri": uri(story), "version": str(version), "pubstatus": pubstatus,
                            "headlines": [{"value": headline or h}], "bodies": [{"value": body or b}]}
    if embargoed:
        item["embargoed"] = embargoed
    return json.dumps(item).encode()


@dataclass(frozen=True)
class Item:
    """One feed record and what the pipeline must make of it."""

    key: bytes
    value: bytes
    role: str
    """Expected output topic role: enriched, duplicates or dlq."""
    story: str | None = None
    """For enriched items: the story uri it becomes a version of, and that version and pubstatus."""
    version: int = 0
    pubstatus: str = "usable"


def waves(embargo_iso: str) -> list[list[Item]]:
    """The feed, in three waves."""
    h_a, b_a = TEXT["a"]
    h_b, b_b = TEXT["b"]
    return [
        [Item(b"a", ninjs("a", 1), "enriched", uri("a"), 1),
         Item(b"b", ninjs("b", 1), "enriched", uri("b"), 1),
         Item(b"c", ninjs("c", 1), "enriched", uri("c"), 1),
         Item(b"d", ninjs("d", 1), "enriched", uri("d"), 1),
         Item(b"e", ninjs("e", 1, embargoed=embargo_iso), "enriched", uri("e"), 1),
         Item(b"bad", b'{"uri": "urn:test:broken", "headlines": [', "dlq")],
        [Item(b"a", ninjs("a", 2, body=b_a + A_MORE), "enriched", uri("a"), 2),
         # No uri: found by its headline core and text, so it becomes version 2 of story b.
         Item(b"b", json.dumps({"id": "g-b-upd", "source": "example.org", "title": "UPDATE 1-" + h_b,
                                "body": b_b + "\n\nMarkets had expected the decision, analysts said."}).encode(),
              "enriched", uri("b"), 2),
         Item(b"c", ninjs("c", 1), "duplicates")],
        [Item(b"a", ninjs("a", 3, headline="CORRECTED-" + h_a,
                          body="(Corrects day of strike in paragraph 1)\n\n" + b_a.replace("Monday", "Tuesday")
                          + A_MORE), "enriched", uri("a"), 3),
         Item(b"d", ninjs("d", 2, pubstatus="canceled",
                          body="KILL - Please kill the story headlined 'Minister resigns over expenses claims'. "
                               "The story has been withdrawn."), "enriched", uri("d"), 2, "canceled"),
         Item(b"c", ninjs("c", 2, body=TEXT["c"][1] + "\n\nNo injuries were reported."), "enriched", uri("c"), 2)],
    ]


def expected_view(feed: list[list[Item]]) -> dict[str, tuple[str, str]]:
    """uri -> (version, pubstatus) of the last enriched item of each story, in feed order."""
    view: dict[str, tuple[str, str]] = {}
    for wave in feed:
        for item in wave:
            if item.role == "enriched" and item.story:
                view[item.story] = (str(item.version), item.pubstatus)
    return view


def load_example() -> ModuleType:
    """The README's example consumer, imported from its file (so the example cannot rot)."""
    spec = importlib.util.spec_from_file_location("current_stories_example", EXAMPLE)
    assert spec and spec.loader, f"cannot load {EXAMPLE}"
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


async def topic_configs(settings: Settings, topic: str) -> dict[str, str]:
    """The topic's effective configs, from the broker."""
    admin = AIOKafkaAdminClient(**client_kwargs(settings))
    await admin.start()
    try:
        (response,) = await admin.describe_configs([ConfigResource(ConfigResourceType.TOPIC, topic)])
        ((error_code, _msg, _type, _name, entries),) = response.resources
        assert error_code == 0, f"describe_configs({topic}) failed: {_msg}"
        return {entry[0]: entry[1] for entry in entries}
    finally:
        await admin.close()


def origin(record: Consumed) -> tuple[int, int]:
    """The raw (partition, offset) an output answers."""
    value = record.json()
    src = value["wirestream"]["source"] if "wirestream" in value else value["source"]
    return src["partition"], src["offset"]


@pytest.mark.parametrize("guarantee", ["at_least_once", "exactly_once"])
def test_fresh_reader_of_stories_topic_reconstructs_latest_version_and_pubstatus(
        settings: Settings, tmp_path: Path, guarantee: str) -> None:
    """New stories, updates, a correction, a kill and an embargo release: wire.stories alone gives the current state."""
    # In exactly_once, stories records are sent in the enriched record's transaction: read committed only.
    isolation = "read_committed" if guarantee == "exactly_once" else "read_uncommitted"
    settings = replace(settings, processing_guarantee=guarantee,
                       topics=replace(settings.topics, stories=settings.topics.raw[:-3] + "stories"))
    stories_topic = settings.topics.stories
    create_topics(settings)
    configs = asyncio.run(topic_configs(settings, stories_topic))
    assert configs.get("cleanup.policy") == "compact", f"{stories_topic} is not compacted: {configs}"
    for name, value in STORIES_CONFIGS.items():
        assert configs.get(name) == value, f"{stories_topic} {name}={configs.get(name)!r}, expected {value!r}"

    example = load_example()
    worker = WorkerProcess(settings, tmp_path / "worker.log").start()
    try:
        worker.wait_ready()
        embargo_until = datetime.now(UTC) + timedelta(seconds=EMBARGO_S)
        feed = waves(embargo_until.isoformat(timespec="seconds"))
        sent = 0
        held_checked = False
        got: list[Consumed] = []
        for n, wave in enumerate(feed):
            sent += asyncio.run(produce(settings, settings.topics.raw, [(i.key, i.value, []) for i in wave]))
            # The embargoed item is answered only when it is released.
            answerable = sent - (1 if n < len(feed) - 1 else 0)
            got = asyncio.run(consume(settings, output_topics(settings), expect=answerable,
                                      timeout_s=60 if answerable < sent else 60 + EMBARGO_S, isolation=isolation))
            assert len(got) >= answerable, f"wave {n}: {answerable} answers expected, got {len(got)}\n" \
                                           f"{worker.log_tail()}"
            if n == 0 and datetime.now(UTC) < embargo_until - timedelta(seconds=2):
                held = asyncio.run(example.read_current(settings.kafka_bootstrap, stories_topic))
                assert uri("e") not in held, "an embargoed story reached wire.stories while held"
                held_checked = True

        # Every input answered exactly once, on the topic the feed says.
        answered = Counter(origin(r) for r in got)
        assert len(answered) == sent and max(answered.values()) == 1, f"{sent} inputs: {answered}"
        roles = Counter({settings.topics.enriched: "enriched", settings.topics.duplicates: "duplicates",
                         settings.topics.dlq: "dlq"}[r.topic] for r in got)
        expected_roles = Counter(item.role for wave in feed for item in wave)
        assert roles == expected_roles, f"outcomes {roles}, expected {expected_roles}"

        # A fresh consumer of wire.stories alone, through the example module.
        view = asyncio.run(example.read_current(settings.kafka_bootstrap, stories_topic))
        current = {u: (story["version"], story["pubstatus"]) for u, story in view.items()}
        expected = expected_view(feed)
        assert current == expected, f"view from {stories_topic}:\n{current}\nexpected from the feed:\n{expected}"
        assert view[uri("d")]["pubstatus"] == "canceled", "the kill is the story marked canceled, not a deletion"
        assert view[uri("e")]["wirestream"]["embargo"]["held"] is False, "the embargoed story appears once released"
        assert view[uri("a")]["wirestream"]["version_kind"] == "correction", view[uri("a")]["wirestream"]

        # Cross-check with wire.enriched: the latest version per uri there is the one in the view.
        enriched = [r for r in got if r.topic == settings.topics.enriched]
        latest: dict[str, int] = {}
        for record in enriched:
            value = record.json()
            latest[value["uri"]] = max(latest.get(value["uri"], 0), int(value["version"]))
        assert {u: int(v) for u, (v, _) in current.items()} == latest, f"enriched max versions: {latest}"

        # wire.stories holds the enriched records again (same key, value, headers) and nothing else:
        # no duplicate notice, no dead letter, no tombstone. (No compaction can have run yet: the
        # active segment is never cleaned and segments roll hourly.)
        on_stories = asyncio.run(consume(settings, [stories_topic], expect=len(enriched), timeout_s=30,
                                         isolation=isolation))
        as_records = Counter((r.key, r.value, r.headers) for r in on_stories)
        assert as_records == Counter((r.key, r.value, r.headers) for r in enriched), \
            f"{len(on_stories)} records on {stories_topic}, {len(enriched)} on enriched, or they differ"
        for record in on_stories:
            value = record.json()
            assert record.key == value["uri"].encode(), "wire.stories is keyed by story uri"
            assert dict(record.headers).get("wirestream-schema") == b"enriched.v1", record.headers
            found = schemas.problems("enriched.v1", value)
            assert not found, f"{stories_topic} record {value['uri']} v{value['version']} breaks enriched.v1: {found}"

        # Per key, records on wire.stories are in increasing version order (what makes compaction keep the latest).
        by_key: dict[bytes | None, list[tuple[int, int]]] = {}
        for record in on_stories:
            by_key.setdefault(record.key, []).append((record.offset, int(record.json()["version"])))
        for key, seen in by_key.items():
            versions = [v for _, v in sorted(seen)]
            assert versions == sorted(set(versions)), f"{key!r}: versions out of order on {stories_topic}: {versions}"
        print(f"\nstories ({guarantee}): {sent} records in; {len(enriched)} enriched = {len(on_stories)} on "
              f"{stories_topic}, "
              f"{roles['duplicates']} duplicates, {roles['dlq']} dead letters; {len(view)} stories in the view "
              f"({sum(1 for s in view.values() if s['pubstatus'] == 'canceled')} canceled); "
              f"embargoed story checked absent while held: {held_checked}")
    finally:
        worker.stop()
