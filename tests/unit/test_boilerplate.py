"""Unit tests for learned per-source boilerplate (agents/boilerplate.py) and its use by clean()."""

from __future__ import annotations

import orjson

from agents.boilerplate import LearnedBoilerplate
from agents.clean import clean
from agents.model import WireItem
from streams.settings import CleanSettings

DISCLAIMER = "Our reporters follow the Example Trust Principles, which guide everything we publish here."


def _story(n: int) -> str:
    return (f"OSLO (Reuters) - Story number {n} happened on a weekday and officials described it at length.\n\n"
            f"A second paragraph of story {n}, with more detail that only this story carries.\n\n{DISCLAIMER}")


def test_block_learned_only_after_distinct_stories():
    """A block becomes chrome after min_stories DIFFERENT stories; the same story resent counts once."""
    bp = LearnedBoilerplate({}, CleanSettings(learn_min_stories=3))
    assert not bp.observe("src", "s1", ["k"])
    assert not bp.observe("src", "s1", ["k"])
    assert not bp.observe("src", "s2", ["k"])
    assert bp.observe("src", "s3", ["k"]) == frozenset({"k"})
    assert bp.is_learned("src", "k") and not bp.is_learned("other", "k")
    assert bp.count() == 1 and bp.count("src") == 1


def test_store_values_are_bytes_and_bounded():
    """The store holds bytes per source, and never more than learn_max_blocks_per_source blocks."""
    store: dict[str, bytes] = {}
    bp = LearnedBoilerplate(store, CleanSettings(learn_max_blocks_per_source=10))
    for i in range(50):
        bp.observe("src", f"s{i}", [f"b{i}-{j}" for j in range(3)] + ["shared"])
    assert isinstance(store["src"], bytes)
    assert len(orjson.loads(store["src"])["b"]) <= 10
    assert bp.is_learned("src", "shared"), "recurring chrome must survive eviction"


def test_corrupt_store_entry_is_ignored():
    """A corrupt store value costs that source's memory, never an exception."""
    bp = LearnedBoilerplate({"src": b"not json"}, CleanSettings())
    assert bp.learned("src") == frozenset()
    bp.observe("src", "s1", ["k"])


def test_clean_learns_recurring_block_and_never_story_text():
    """clean() removes a block recurring across a source's stories as "learned"; story paragraphs stay."""
    settings = CleanSettings(learn_min_stories=3)
    bp = LearnedBoilerplate({}, settings)
    arts = [clean(WireItem(format="text", source="site", uri=f"u{i}", body_text=_story(i)), settings=settings,
                  learned=bp) for i in range(5)]
    assert DISCLAIMER in arts[0].paragraphs, "not yet learned after one story"
    for art in arts[2:]:
        assert DISCLAIMER not in art.paragraphs
        assert any(r.rule == "learned" for r in art.removed), art.removed
        assert len(art.paragraphs) == 2, art.paragraphs


def test_syndicated_story_resent_is_not_learned():
    """The same story (same uri) seen many times never teaches its own paragraphs as chrome."""
    settings = CleanSettings(learn_min_stories=2)
    bp = LearnedBoilerplate({}, settings)
    for _ in range(5):
        art = clean(WireItem(format="text", source="site", uri="same", body_text=_story(1)), settings=settings,
                    learned=bp)
    assert len(art.paragraphs) == 3, art.paragraphs
