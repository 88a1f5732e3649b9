"""Learned per-source boilerplate: blocks that recur across different stories of one source.

State: an injected ``MutableMapping[str, bytes]`` keyed by source (a dict in tests
and offline tools, a Faust Table in production). Each value is orjson of
``{"v": 1, "b": {block_key: [story_key, ...]}}``: for every remembered block, the
distinct stories of that source it was seen in (at most ``learn_min_stories`` of
them). A block seen in that many DIFFERENT stories is chrome.

Why story text is never learned: a story's paragraphs recur across sources
(syndication) and across versions of one story (same story key, counted once),
but not across one source's different stories; disclaimers, promos and footers do.

Bounded: at most ``learn_max_blocks_per_source`` blocks per source; the least
recently seen go first, so recurring chrome (refreshed on every page) stays while
one-off story paragraphs age out.
"""

from __future__ import annotations

from collections.abc import Iterable, MutableMapping

import orjson

from streams.settings import CleanSettings

_VERSION = 1


class LearnedBoilerplate:
    """Learns and answers "is this block chrome on this source?".

    Args:
        store: Mapping from source name to the encoded state of that source.
        settings: Thresholds (``learn_min_stories``, ``learn_max_blocks_per_source``).

    >>> bp = LearnedBoilerplate({}, CleanSettings(learn_min_stories=2))
    >>> bp.observe("site", "story-1", ["k1", "k2"])
    frozenset()
    >>> sorted(bp.observe("site", "story-2", ["k1", "k3"]))
    ['k1']
    >>> bp.is_learned("site", "k1"), bp.count()
    (True, 1)
    """

    def __init__(self, store: MutableMapping[str, bytes], settings: CleanSettings) -> None:
        self.store = store
        self.min_stories = max(2, settings.learn_min_stories)
        self.max_blocks = max(1, settings.learn_max_blocks_per_source)

    def _load(self, source: str) -> dict[str, list[str]]:
        raw = self.store.get(source)
        if not raw:
            return {}
        try:
            data = orjson.loads(raw)
        except orjson.JSONDecodeError:
            return {}  # a corrupt entry costs one source's memory, never the record
        if not isinstance(data, dict) or data.get("v") != _VERSION or not isinstance(data.get("b"), dict):
            return {}
        return {k: v for k, v in data["b"].items() if isinstance(v, list)}

    def learned(self, source: str) -> frozenset[str]:
        """Every block key learned as chrome for ``source``."""
        return frozenset(k for k, v in self._load(source).items() if len(v) >= self.min_stories)

    def is_learned(self, source: str, block_key: str) -> bool:
        """Whether ``block_key`` has been seen in enough different stories of ``source``."""
        return len(self._load(source).get(block_key, ())) >= self.min_stories

    def observe(self, source: str, story_key: str, block_keys: Iterable[str]) -> frozenset[str]:
        """Record that ``story_key`` of ``source`` contains ``block_keys``; return the source's learned keys.

        Seeing the same story again (another version, a resend) adds nothing.
        One read and one write of the store per call.
        """
        blocks = self._load(source)
        for key in dict.fromkeys(block_keys):
            seen = blocks.pop(key, None) or []
            if story_key not in seen and len(seen) < self.min_stories:
                seen.append(story_key)
            blocks[key] = seen  # re-inserted last: most recently seen
        while len(blocks) > self.max_blocks:
            # Evict the least recently seen; learned blocks refresh on every page, so they survive.
            del blocks[next(iter(blocks))]
        self.store[source] = orjson.dumps({"v": _VERSION, "b": blocks})
        return frozenset(k for k, v in blocks.items() if len(v) >= self.min_stories)

    def count(self, source: str | None = None) -> int:
        """Learned blocks for one source, or over all sources (walks the store: for metrics, not per record)."""
        if source is not None:
            return len(self.learned(source))
        return sum(len(self.learned(s)) for s in list(self.store.keys()))
