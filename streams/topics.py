"""Every topic of the pipeline, named once, and the admin call that creates them.

External topics (contract): raw input, enriched, duplicates, dead-letter, and the
compacted latest-story view ``stories`` (every enriched message again, keyed by
story uri: a derived view, not a fourth outcome).
Internal topics (prefixed with the app id): ``<app>-bysource`` (hop 1 -> 2, keyed
by source so learned boilerplate state is co-partitioned with its source) and
``<app>-dedupe`` (hop 2 -> 3, ONE partition by design, so that copies of a story
arriving on different input partitions always meet the same dedup state).
"""

from __future__ import annotations

from dataclasses import dataclass

from aiokafka.admin import AIOKafkaAdminClient, NewTopic
from aiokafka.errors import TopicAlreadyExistsError

from streams.kafka_config import client_kwargs
from streams.settings import Settings

# The latest-story view keeps the last record per uri. Compaction never touches the active
# segment, so segments roll hourly (the default is 7 days: a new consumer would read a week of
# superseded versions), and a log is cleaned once 10% of it is superseded (default 50%).
# No tombstones are ever written (a kill is a version), so delete.retention.ms does not matter.
STORIES_CONFIGS = {"cleanup.policy": "compact", "min.cleanable.dirty.ratio": "0.1", "segment.ms": "3600000"}


@dataclass(frozen=True)
class TopicPlan:
    """Topic names and partition counts derived from settings."""

    raw: str
    enriched: str
    duplicates: str
    dlq: str
    stories: str
    bysource: str
    dedupe: str
    partitions: int

    @classmethod
    def from_settings(cls, settings: Settings) -> TopicPlan:
        """Names from ``settings.topics``; internal names from the app id."""
        t = settings.topics
        return cls(t.raw, t.enriched, t.duplicates, t.dlq, t.stories, f"{settings.app_id}-bysource",
                   f"{settings.app_id}-dedupe", settings.partitions)

    def output_topic(self, role: str) -> str:
        """The topic an output role publishes to."""
        return {"enriched": self.enriched, "duplicates": self.duplicates, "dlq": self.dlq}[role]

    def layout(self) -> dict[str, int]:
        """Every topic and its partition count."""
        n = self.partitions
        return {self.raw: n, self.enriched: n, self.duplicates: n, self.dlq: n, self.stories: n,
                self.bysource: n, self.dedupe: 1}

    def configs(self) -> dict[str, dict[str, str]]:
        """Topic-level configs of the topics that differ from the broker's defaults."""
        return {self.stories: STORIES_CONFIGS}


async def ensure_topics(settings: Settings, extra: dict[str, int] | None = None) -> list[str]:
    """Create missing topics (idempotent); returns the names created.

    Existing topics are left as they are: a ``stories`` topic created by hand must be
    compacted by whoever created it.
    """
    plan = TopicPlan.from_settings(settings)
    wanted = {**plan.layout(), **(extra or {})}
    configs = plan.configs()
    admin = AIOKafkaAdminClient(**client_kwargs(settings))
    await admin.start()
    try:
        existing = set(await admin.list_topics())
        missing = [NewTopic(name, n, 1, topic_configs=configs.get(name)) for name, n in wanted.items()
                   if name not in existing]
        if missing:
            try:
                await admin.create_topics(missing)
            except TopicAlreadyExistsError:
                pass  # another worker created them first
        return [t.name for t in missing]
    finally:
        await admin.close()
