"""Unit tests for learned per-source boilerplate (agents/boilerplate.py) and its use by clean()."""

from __future__ import annotations

import orjson
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from agents.boilerplate import JOURNAL_SLOTS, LearnedBoilerplate
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
    """The store holds bytes, and never more than learn_max_blocks_per_source blocks per source."""
    store: dict[str, bytes] = {}
    bp = LearnedBoilerplate(store, CleanSettings(learn_max_blocks_per_source=10))
    for i in range(JOURNAL_SLOTS + 20):
        bp.observe("src", f"s{i}", [f"b{i}-{j}" for j in range(3)] + ["shared"])
    assert all(isinstance(v, bytes) for v in store.values())
    assert len(orjson.loads(store["src"])["b"]) <= 10
    assert len(store) <= 1 + JOURNAL_SLOTS, "one snapshot and a bounded journal per source"
    assert bp.is_learned("src", "shared"), "recurring chrome must survive eviction"
    assert len(LearnedBoilerplate(store, CleanSettings(learn_max_blocks_per_source=10))._state("src").blocks) <= 10


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


class _Recording(dict):  # type: ignore[type-arg]
    """A dict store that records every write (key, value size)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.writes: list[tuple[str, int]] = []

    def __setitem__(self, key, value):
        self.writes.append((key, len(value)))
        super().__setitem__(key, value)


class _Reference:
    """The learning semantics in a few lines: per source, an LRU of block -> distinct stories."""

    def __init__(self, min_stories: int, max_blocks: int) -> None:
        self.min_stories, self.max_blocks = min_stories, max_blocks
        self.sources: dict[str, dict[str, list[str]]] = {}

    def observe(self, source: str, story: str, keys: list[str]) -> frozenset[str]:
        blocks = self.sources.setdefault(source, {})
        for key in dict.fromkeys(keys):
            seen = blocks.pop(key, [])
            if story not in seen and len(seen) < self.min_stories:
                seen.append(story)
            blocks[key] = seen
        while len(blocks) > self.max_blocks:
            del blocks[next(iter(blocks))]
        return frozenset(k for k in keys if len(blocks.get(k, ())) >= self.min_stories)

    def learned(self, source: str) -> frozenset[str]:
        return frozenset(k for k, v in self.sources.get(source, {}).items() if len(v) >= self.min_stories)


_OPS = st.lists(st.tuples(st.sampled_from(["a", "b", "c\x1fd"]), st.integers(0, 6),
                          st.lists(st.sampled_from([f"k{i}" for i in range(12)]), max_size=5),
                          st.integers(0, 9)), max_size=120)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(ops=_OPS)
def test_matches_reference_model_across_reloads(ops):
    """Whatever the order of observations and reloads, the state equals the plain LRU reference."""
    config = CleanSettings(learn_min_stories=2, learn_max_blocks_per_source=5, learn_cache_sources=2)
    store: dict[str, bytes] = {}
    ref = _Reference(2, 5)
    bp = LearnedBoilerplate(store, config)
    for source, story, keys, reload in ops:
        if reload == 0:
            bp = LearnedBoilerplate(store, config)  # a restart: only the store survives
        got = bp.observe(source, f"s{story}", keys)
        assert got == ref.observe(source, f"s{story}", keys), (source, story, keys)
    fresh = LearnedBoilerplate(store, config)
    for source in ("a", "b", "c\x1fd"):
        assert fresh.learned(source) == ref.learned(source), source
        assert bp.learned(source) == ref.learned(source), source
    assert fresh.count() == sum(len(ref.learned(s)) for s in ("a", "b", "c\x1fd"))


def test_article_writes_one_small_key_between_snapshots():
    """At 500 remembered blocks an article writes one small journal entry; the ~18 KB snapshot once per
    JOURNAL_SLOTS articles."""
    store = _Recording()
    bp = LearnedBoilerplate(store, CleanSettings())
    for i in range(400):
        bp.observe("src", f"story-{i}", [f"{i:08x}{j:08x}" for j in range(10)] + ["chrome-block-key"])
    store.writes.clear()
    for i in range(400, 400 + 4 * JOURNAL_SLOTS):
        bp.observe("src", f"story-{i}", [f"{i:08x}{j:08x}" for j in range(10)] + ["chrome-block-key"])
    snapshots = [size for key, size in store.writes if key == "src"]
    journal = [size for key, size in store.writes if key != "src"]
    assert len(journal) == 4 * JOURNAL_SLOTS, "one journal entry per article"
    assert max(journal) < 400, f"journal entries should be small, largest {max(journal)} bytes"
    assert len(snapshots) == 4, f"one snapshot per {JOURNAL_SLOTS} articles, got {len(snapshots)}"
    assert len(orjson.loads(store["src"])["b"]) == 500
    assert len(store) == 1 + JOURNAL_SLOTS, sorted(store)[:5]


def test_version_2_state_is_loaded_and_migrated():
    """A version-2 blob (one per source, no journal) loads with its blocks and order, then becomes v3."""
    v2 = {"v": 2, "b": {"old": ["aaaaaaaaaaaa"], "chrome": ["aaaaaaaaaaaa", "bbbbbbbbbbbb", "cccccccccccc"]}}
    store = {"src": orjson.dumps(v2)}
    bp = LearnedBoilerplate(store, CleanSettings(learn_min_stories=3, learn_max_blocks_per_source=2))
    assert bp.learned("src") == frozenset({"chrome"}), "learned v2 blocks must survive the upgrade"
    bp.observe("src", "new-story", ["fresh"])  # evicts "old", the least recently seen
    for i in range(JOURNAL_SLOTS):
        bp.observe("src", f"story-{i}", ["chrome"])
    state = orjson.loads(store["src"])
    assert state["v"] == 3 and set(state["b"]) == {"fresh", "chrome"}, state
    assert LearnedBoilerplate(store, CleanSettings()).is_learned("src", "chrome")


def test_version_1_state_is_relearned():
    """Version-1 state is ignored (relearned), never an error."""
    bp = LearnedBoilerplate({"src": orjson.dumps({"v": 1, "b": {"k": ["story-url"] * 3}})}, CleanSettings())
    assert bp.learned("src") == frozenset()


def test_write_by_another_holder_is_seen():
    """Two holders of one store (a partition moving between workers): each sees the other's writes."""
    store: dict[str, bytes] = {}
    config = CleanSettings(learn_min_stories=3)
    one, two = LearnedBoilerplate(store, config), LearnedBoilerplate(store, config)
    one.observe("src", "s1", ["k"])
    two.observe("src", "s2", ["k"])
    assert one.observe("src", "s3", ["k"]) == frozenset({"k"}), "one must have read two's observation"
    assert two.is_learned("src", "k"), "two must have read one's observation"


def test_decoded_cache_is_bounded():
    """No more than learn_cache_sources sources stay decoded; evicted ones reload from the store."""
    store: dict[str, bytes] = {}
    bp = LearnedBoilerplate(store, CleanSettings(learn_min_stories=2, learn_cache_sources=3))
    for n in range(10):
        for story in ("s1", "s2"):
            bp.observe(f"src{n}", story, [f"k{n}"])
    assert len(bp._cache) <= 3, len(bp._cache)
    assert all(bp.is_learned(f"src{n}", f"k{n}") for n in range(10))
    assert sorted(bp.sources()) == [f"src{n}" for n in range(10)]
    assert bp.count() == 10 and len(bp._cache) <= 3
