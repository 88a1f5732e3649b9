"""Learned per-source boilerplate: blocks that recur across different stories of one source.

State: an injected ``MutableMapping[str, bytes]`` keyed by source (a dict in tests
and offline tools, a Faust Table in production). Each value is orjson of
``{"v": 2, "b": {block_key: [story_digest, ...]}}``: for every remembered block, the
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

from hashlib import blake2b

import orjson

from streams.settings import CleanSettings

_VERSION = 2  # 2: story keys stored as 6-byte digests (version-1 state is ignored and relearned)
_CACHE_SOURCES = 256


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
        # Decoding a busy source's state costs more than cleaning the page; keep the last decoded
        # state per source and reuse it while the stored bytes are unchanged (compared by value, so
        # a table restored from its changelog, or written by another owner, is always re-read).
        self._decoded: dict[str, tuple[bytes, dict[str, list[str]]]] = {}

    def _load(self, source: str) -> dict[str, list[str]]:
        raw = self.store.get(source)
        if not raw:
            return {}
        cached = self._decoded.get(source)
        if cached is not None and cached[0] == raw:
            return cached[1]  # shared on purpose: observe() re-encodes and re-caches what it mutates
        try:
            data = orjson.loads(raw)
        except orjson.JSONDecodeError:
            return {}  # a corrupt entry costs one source's memory, never the record
        if not isinstance(data, dict) or data.get("v") != _VERSION or not isinstance(data.get("b"), dict):
            return {}
        blocks = {k: v for k, v in data["b"].items() if isinstance(v, list)}
        self._remember(source, raw, blocks)
        return blocks

    def _remember(self, source: str, raw: bytes, blocks: dict[str, list[str]]) -> None:
        if len(self._decoded) >= _CACHE_SOURCES and source not in self._decoded:
            self._decoded.pop(next(iter(self._decoded)))
        self._decoded[source] = (raw, blocks)

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
        # Story keys can be long URLs; a short digest is all the distinct-story count needs.
        story = blake2b(story_key.encode("utf-8", "surrogatepass"), digest_size=6).hexdigest()
        for key in dict.fromkeys(block_keys):
            seen = blocks.pop(key, None) or []
            if story not in seen and len(seen) < self.min_stories:
                seen.append(story)
            blocks[key] = seen  # re-inserted last: most recently seen
        while len(blocks) > self.max_blocks:
            # Evict the least recently seen; learned blocks refresh on every page, so they survive.
            del blocks[next(iter(blocks))]
        raw = orjson.dumps({"v": _VERSION, "b": blocks})
        self.store[source] = raw
        self._remember(source, raw, blocks)
        return frozenset(k for k, v in blocks.items() if len(v) >= self.min_stories)

    def count(self, source: str | None = None) -> int:
        """Learned blocks for one source, or over all sources (walks the store: for metrics, not per record)."""
        if source is not None:
            return len(self.learned(source))
        return sum(len(self.learned(s)) for s in list(self.store.keys()))
