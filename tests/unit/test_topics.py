"""Topic plan: names from settings, partition counts, and the compacted latest-story topic."""

from __future__ import annotations

from streams.settings import Settings
from streams.topics import STORIES_CONFIGS, TopicPlan


def test_stories_topic_is_external_sized_and_the_only_one_with_configs() -> None:
    """wire.stories has the external partition count and is the one topic created with non-default configs."""
    settings = Settings.from_env({"WIRESTREAM_TOPICS_STORIES": "news.current", "WIRESTREAM_PARTITIONS": "6"})
    plan = TopicPlan.from_settings(settings)
    layout = plan.layout()
    assert plan.stories == "news.current"
    assert layout["news.current"] == layout[plan.enriched] == 6, layout
    assert plan.configs() == {"news.current": STORIES_CONFIGS}, plan.configs()
    assert STORIES_CONFIGS["cleanup.policy"] == "compact", STORIES_CONFIGS


def test_stories_topic_is_not_an_output_role() -> None:
    """Outcomes keep three topics: the latest-story view is no role an Output can name."""
    plan = TopicPlan.from_settings(Settings())
    roles = {plan.output_topic(role) for role in ("enriched", "duplicates", "dlq")}
    assert plan.stories == "wire.stories" and plan.stories not in roles, roles
