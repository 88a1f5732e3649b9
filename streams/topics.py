"""Every topic of the pipeline, named once, and the admin call that creates them.

External topics (contract): raw input, enriched, duplicates, dead-letter.
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


@dataclass(frozen=True)
class TopicPlan:
    """Topic names and partition counts derived from settings."""

    raw: str
    enriched: str
    duplicates: str
    dlq: str
    bysource: str
    dedupe: str
    partitions: int

    @classmethod
    def from_settings(cls, settings: Settings) -> TopicPlan:
        """Names from ``settings.topics``; internal names from the app id."""
        t = settings.topics
        return cls(t.raw, t.enriched, t.duplicates, t.dlq, f"{settings.app_id}-bysource",
                   f"{settings.app_id}-dedupe", settings.partitions)

    def output_topic(self, role: str) -> str:
        """The topic an output role publishes to."""
        return {"enriched": self.enriched, "duplicates": self.duplicates, "dlq": self.dlq}[role]

    def layout(self) -> dict[str, int]:
        """Every topic and its partition count."""
        n = self.partitions
        return {self.raw: n, self.enriched: n, self.duplicates: n, self.dlq: n, self.bysource: n, self.dedupe: 1}


async def ensure_topics(settings: Settings, extra: dict[str, int] | None = None) -> list[str]:
    """Create missing topics (idempotent); returns the names created."""
    plan = TopicPlan.from_settings(settings)
    wanted = {**plan.layout(), **(extra or {})}
    admin = AIOKafkaAdminClient(**client_kwargs(settings))
    await admin.start()
    try:
        existing = set(await admin.list_topics())
        missing = [NewTopic(name, n, 1) for name, n in wanted.items() if name not in existing]
        if missing:
            try:
                await admin.create_topics(missing)
            except TopicAlreadyExistsError:
                pass  # another worker created them first
        return [t.name for t in missing]
    finally:
        await admin.close()
