"""Learned per-source boilerplate: blocks that recur across different stories of one source.

State: an injected ``MutableMapping[str, bytes]`` (a dict in tests and offline tools,
a Faust Table in production). Per source it holds a SNAPSHOT and a short JOURNAL:

- key ``source``: orjson ``{"v": 3, "s": seq, "b": {block_key: [story_digest, ...]}}``,
  the whole state as of observation number ``seq``: for every remembered block (least
  recently seen first), the distinct stories of that source it was seen in (at most
  ``SETTLED`` x ``learn_min_stories`` of them; state written with the older cap of
  ``learn_min_stories`` loads as is and grows). Rewritten once every ``JOURNAL_SLOTS`` observations.
- keys ``source + SEP + slot`` (``slot = seq % JOURNAL_SLOTS``): orjson
  ``[seq, story_digest, [block_key, ...]]``, one observation each. A cold load replays
  the journal entries that follow the snapshot, in order.

So an article costs one small write (~250 bytes) instead of a rewrite of its source's
whole state (~18 KB at 500 blocks: encode, RocksDB write and changelog message per
article). Why not one key per block: an article brings ~10 blocks its source has not
seen before (its own paragraphs), and a Faust table write (RocksDB put plus changelog
message) costs mostly per write, not per byte (py-spy: Faust's ``on_key_set`` and the
RocksDB put are most of it); a key per block would multiply the writes per article.

While the state of a source is cached in memory (bounded by ``learn_cache_sources``),
each call reads one small journal slot: another owner of the source (a rebalance, a
restore from the changelog) always writes the slot that follows the cached entry, so
a foreign write is seen and the source is reloaded.

Why story text is never learned: a story's paragraphs recur across sources
(syndication) and across versions of one story (counted once: under the same story
key, or, when ``observe`` gets block weights, under the digest of the earlier story
that holds most of the article's blocks, whatever key the new version arrived with),
but not across one source's different stories; disclaimers, promos and footers do.

Bounded: at most ``learn_max_blocks_per_source`` blocks per source; the least
recently seen go first, so recurring chrome (refreshed on every page) stays while
one-off story paragraphs age out. Version-2 state (one blob per source, no journal)
loads as a snapshot at observation 0; version-1 state is ignored and relearned.
"""

from __future__ import annotations

from collections.abc import Iterable, MutableMapping, Sequence
from dataclasses import dataclass
from hashlib import blake2b

import orjson

from streams.settings import CleanSettings

SETTLED = 2
"""A block seen in this many times ``learn_min_stories`` different stories is SETTLED chrome:
recurring on page after page, unlike story paragraphs a source reuses in a few related stories
(background, a refile under a new identity), which reach ``learn_min_stories`` but rarely this."""
_VERSION = 3  # 3: snapshot + journal; 2: one blob per source (loaded as a snapshot); 1: ignored
_LOADABLE = frozenset({2, 3})
JOURNAL_SLOTS = 64
"""Observations between snapshots: a snapshot (~18 KB at 500 blocks) per 64 articles costs
~0.3 KB per article, and a cold load replays at most 63 small entries. Every byte written
also sits in the table's RocksDB memtable until it is flushed (64 MB per partition by
default), so write volume is worker RSS."""
SEP = "\x1f"
"""Journal keys are ``source + SEP + slot``; SEP in a source name is replaced (see ``_name``),
so a journal key never equals a snapshot key."""


@dataclass
class _Source:
    """The decoded state of one source: blocks in recency order, and where the store is."""

    blocks: dict[str, list[str]]
    seq: int  # observations recorded so far (the last journal entry written or replayed)
    snap: int  # observation the stored snapshot covers


def _name(source: str) -> str:
    """The source's snapshot key (a control character in a hostile feed's name is replaced)."""
    return source.replace(SEP, "\ufffd") if SEP in source else source


def _journal_key(source: str, seq: int) -> str:
    return f"{source}{SEP}{seq % JOURNAL_SLOTS}"


def _entry_seq(raw: bytes | None) -> int:
    """The observation number a journal slot holds (-1 for none or corrupt)."""
    if not raw:
        return -1
    # The entry starts with its seq: "[123," reads without decoding the rest.
    head = raw[1:raw.find(b",", 1, 24)]
    return int(head) if head.isdigit() else -1


class LearnedBoilerplate:
    """Learns and answers "is this block chrome on this source?".

    Args:
        store: Mapping of str keys to bytes (see the module docstring for the layout).
        settings: Thresholds (``learn_min_stories``, ``learn_max_blocks_per_source``,
            ``learn_cache_sources``).

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
        self.settled = SETTLED * self.min_stories
        self.max_blocks = max(1, settings.learn_max_blocks_per_source)
        self.cache_sources = max(1, settings.learn_cache_sources)
        # Decoding a busy source's state costs more than cleaning the page: keep it decoded, in
        # least-recently-used order, for a bounded number of sources.
        self._cache: dict[str, _Source] = {}

    # -- loading -------------------------------------------------------------------------------

    def _state(self, source: str, *, remember: bool = True) -> _Source:
        state = self._cache.get(source)
        if state is not None:
            if _entry_seq(self.store.get(_journal_key(source, state.seq + 1))) <= state.seq:
                self._cache[source] = self._cache.pop(source)  # most recently used last
                return state
            del self._cache[source]  # another owner wrote past what we hold
        state = self._read(source)
        if remember:
            while len(self._cache) >= self.cache_sources:
                del self._cache[next(iter(self._cache))]
            self._cache[source] = state
        return state

    def _read(self, source: str) -> _Source:
        """Snapshot, then the journal entries after it, in order."""
        state = _Source({}, 0, 0)
        raw = self.store.get(source)
        if raw:
            try:
                data = orjson.loads(raw)
            except orjson.JSONDecodeError:
                data = None  # a corrupt entry costs one source's memory, never the record
            if isinstance(data, dict) and data.get("v") in _LOADABLE and isinstance(data.get("b"), dict):
                seq = data.get("s", 0)
                seq = seq if isinstance(seq, int) and seq >= 0 else 0
                state = _Source({k: v for k, v in data["b"].items() if isinstance(v, list)}, seq, seq)
        while True:
            entry = self._journal_entry(source, state.seq + 1)
            if entry is None:
                return state
            self._apply(state, entry[1], entry[2])
            state.seq += 1

    def _journal_entry(self, source: str, seq: int) -> tuple[int, str, list[str]] | None:
        raw = self.store.get(_journal_key(source, seq))
        if _entry_seq(raw) != seq:
            return None
        try:
            entry = orjson.loads(raw or b"")
        except orjson.JSONDecodeError:
            return None
        if (isinstance(entry, list) and len(entry) == 3 and isinstance(entry[1], str)
                and isinstance(entry[2], list)):
            return seq, entry[1], [k for k in entry[2] if isinstance(k, str)]
        return None

    # -- learning ------------------------------------------------------------------------------

    def _apply(self, state: _Source, story: str, keys: Iterable[str]) -> None:
        blocks = state.blocks
        for key in keys:
            seen = blocks.pop(key, None) or []
            if story not in seen and len(seen) < self.settled:
                seen.append(story)
            blocks[key] = seen  # re-inserted last: most recently seen
        while len(blocks) > self.max_blocks:
            # Evict the least recently seen; learned blocks refresh on every page, so they survive.
            del blocks[next(iter(blocks))]

    def observe(self, source: str, story_key: str, block_keys: Iterable[str],
                weights: Sequence[int] | None = None) -> frozenset[str]:
        """Record that ``story_key`` of ``source`` contains ``block_keys``; return those of them learned.

        See ``observe_settled``, which also says which of them are settled chrome.
        """
        return self.observe_settled(source, story_key, block_keys, weights)[0]

    def observe_settled(self, source: str, story_key: str, block_keys: Iterable[str],
                        weights: Sequence[int] | None = None) -> tuple[frozenset[str], frozenset[str]]:
        """Record that ``story_key`` of ``source`` contains ``block_keys``; return (learned, settled) of them.

        Seeing the same story again (another version, a resend) adds nothing. With ``weights``
        (one per block key, e.g. its length; ``block_keys`` in page order) the article is first
        matched against the source's earlier stories (see ``_same_story``): a version, refile or
        re-send of a story arriving under another key (another headline, URL or id) is counted
        under that story's digest.
        Writes one small journal entry (and, every ``JOURNAL_SLOTS`` calls, the source's snapshot).
        """
        source = _name(source)
        state = self._state(source)
        given = list(block_keys)
        keys = list(dict.fromkeys(given))
        story = None
        if weights is not None:
            weighted: dict[str, int] = {}
            for key, weight in zip(given, weights, strict=False):
                weighted[key] = weighted.get(key, 0) + weight
            story = self._same_story(state, weighted)
        # Story keys can be long URLs; a short digest is all the distinct-story count needs.
        story = story or blake2b(story_key.encode("utf-8", "surrogatepass"), digest_size=6).hexdigest()
        self._apply(state, story, keys)
        state.seq += 1
        # The journal entry is written even when a snapshot follows: every observation writes its
        # slot, which is what lets another holder of this source notice the write.
        self.store[_journal_key(source, state.seq)] = orjson.dumps([state.seq, story, keys])
        if state.seq - state.snap >= JOURNAL_SLOTS:
            # Before the journal wraps onto entries the stored snapshot does not cover.
            self.store[source] = orjson.dumps({"v": _VERSION, "s": state.seq, "b": state.blocks})
            state.snap = state.seq
        blocks, need = state.blocks, self.min_stories
        learned = frozenset(k for k in keys if len(blocks.get(k, ())) >= need)
        return learned, frozenset(k for k in learned if len(blocks[k]) >= self.settled)

    def _same_story(self, state: _Source, weighted: dict[str, int]) -> str | None:
        """The digest of the earlier story this article is another copy or version of, if any.

        Identifiers cannot say it: a version comes with a new headline ("UPDATE 2-"), a re-send
        with another tracking URL, a refile with another id. The text can: the article is story
        ``s`` again when (1) more than half of the weight of its not-yet-learned blocks was seen
        in ``s`` and (2) it holds more than half of ``s``'s not-yet-learned blocks, or nearly all of
        its own were seen in ``s`` (a live page re-sent all day gathers ever more blocks under one
        story). Learned chrome is left out of the counts (it co-occurs with every story), and (2)
        keeps a long footer not yet learned from merging two short stories. Where the shared part
        outweighs the rest (short press releases of one company, mostly the same "About" and
        forward-looking-statement paragraphs) the pages do merge: ``clean`` would not remove blocks
        that are most of a page's text anyway. Counting a version under its story's digest keeps
        its paragraphs from ever reaching ``learn_min_stories`` distinct stories.
        """
        blocks, need = state.blocks, self.min_stories
        votes: dict[str, int] = {}
        total = 0
        for key, weight in weighted.items():
            seen = blocks.get(key)
            if seen is not None:
                if len(seen) >= need:
                    continue
                for story in seen:
                    votes[story] = votes.get(story, 0) + weight
            total += weight
        if not votes:
            return None
        best = max(votes, key=votes.__getitem__)
        if votes[best] * 2 <= total:
            return None
        mine = sum(1 for key in weighted if best in blocks.get(key, ()) and len(blocks[key]) < need)
        open_keys = sum(1 for key in weighted if len(blocks.get(key, ())) < need)
        if mine * 5 >= open_keys * 4:
            return best
        # Only now the walk over the source's blocks (bounded by learn_max_blocks_per_source).
        theirs = sum(1 for seen in blocks.values() if len(seen) < need and best in seen)
        return best if mine * 2 > theirs else None

    # -- questions -----------------------------------------------------------------------------

    def learned(self, source: str) -> frozenset[str]:
        """Every block key learned as chrome for ``source``."""
        return frozenset(k for k, v in self._state(_name(source)).blocks.items() if len(v) >= self.min_stories)

    def is_learned(self, source: str, block_key: str) -> bool:
        """Whether ``block_key`` has been seen in enough different stories of ``source``."""
        return len(self._state(_name(source)).blocks.get(block_key, ())) >= self.min_stories

    def sources(self) -> list[str]:
        """Sources with learned state (walks the store: for metrics, not per record)."""
        found = dict.fromkeys(k if SEP not in k else k.rsplit(SEP, 1)[0] for k in list(self.store.keys()))
        return list(found)

    def count(self, source: str | None = None) -> int:
        """Learned blocks for one source, or over all sources (walks the store: for metrics, not per record)."""
        names = [_name(source)] if source is not None else self.sources()
        total = 0
        for name in names:
            # Sources not in the cache are read without displacing the ones records are using.
            state = self._state(name, remember=name in self._cache)
            total += sum(1 for v in state.blocks.values() if len(v) >= self.min_stories)
        return total
