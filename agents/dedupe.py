"""Deduplication and versioning: one story, one stream of versions.

Input: a ``CleanedArticle`` (plus ``reprocess`` for replays). Outcome: a
``Verdict`` (see ``agents/model.py``):

* ``new``: a story not seen in the window; version 1 under the feed's uri, or
  ``urn:wirestream:story:<id>`` when the feed gives none.
* ``version``: a new version of a known story (``version_kind`` update,
  correction, kill or refile; ``changes`` summarises the paragraph diff).
* ``duplicate``: adds nothing to a known version (reason ``resend`` for the same
  feed uri+version, ``exact``, ``near``, ``syndicated`` (near, other source),
  ``stale`` (an older version arriving after a newer one)).
* ``held``: a new story or version under embargo (ninjs ``embargoed`` after the
  injected clock); uri and version are already allocated, the caller holds it.

Side effects: reads and writes the injected ``store`` only (layout in
``agents/dedupe_state.py``). A duplicate writes nothing (or one alias key); a new
story writes 3 + ``index_keys`` keys (story, exact fingerprint, headline core,
shingle buckets), a version 1-2 + the buckets its new text adds. No clock,
randomness or process state is read other than the injected clock, so a worker
restarted on the same store, and the offline replay, reach the same verdicts.
The window is applied when a story is read (a story last versioned more than
``window_days`` ago is ignored) so verdicts never depend on when ``expire()``
last swept; ``expire()`` only reclaims space and enforces ``max_stories``.

How a decision is made, in order:

1. **Feed identity.** ninjs ``uri`` (else the canonical ``url``) names the story:
   a higher feed ``version`` or a later ``versioncreated`` is a new version, the
   same version a resend, a lower one stale.
2. **Exact content.** The normalised body fingerprint (``agents/fingerprint.py``)
   maps to the story version that first had it.
3. **Near content.** Candidates come from shingle-hash buckets (the article's
   smallest 5-gram hashes, a bottom-k sketch with band size 1; why this sketch:
   ``agents/fingerprint.py``). Each candidate's stored sketch gives
   containment/Jaccard estimates; its per-paragraph (skeleton, facts) codes are
   aligned with the article's, and its stored fact sample tells which facts
   were lost or gained. Same facts, nothing substantive added: a copy
   (``near``, or ``syndicated`` from another source). Paragraphs added, or
   rewritten with new facts: an update. A paragraph whose wording is unchanged
   but whose numbers, dates or names differ, or a rewritten one whose facts
   were replaced (a recurring report, a same-template story about another
   company), makes it a *different* story, unless the item announces itself as
   a version (``UPDATE 1-``, ``CORRECTED-``...). Bodies under
   ``SHORT_BODY_WORDS`` also need headlines naming the same subject.
4. **Notices** (``agents/dedupe_notices.py``) link by uri, else by headline core
   plus content similarity; a kill needs only the headline core.

Every verdict explains itself (``Verdict.rules``, ``supersedes``, ``notice``,
``out_of_order``; published as ``lineage``): the rules named by the constants
below fired, in the order applied, with their figures, then the look-alikes kept
apart on the way (``recurring_report_guard``, ``headline_names_guard``, naming
the other story). Out of order: a late older version (lower feed version, earlier
``versioncreated``, an older exact text, the shorter original of a story first
seen as its own ``UPDATE``, or, by headline core, the original of a story first seen
as its own kill) is a ``stale`` duplicate, never republished; a version
that skips ahead (feed version 3 after 1, a notice about a story not yet seen,
a uri first seen above version 1) is published; both are flagged.

Measured by ``python -m streams.bench.dedup`` (see its docstring): Reuters-21578
identical bodies and near pairs, recurring reports, the labelled set
``tests/golden/dedup/``, cost per article and state bytes per story.
"""

from __future__ import annotations

import difflib
import math
from array import array
from collections.abc import Callable, MutableMapping
from dataclasses import MISSING, dataclass, fields, replace
from datetime import UTC, datetime
from typing import Any

import numpy as np

from agents.dedupe_notices import Notice, headline_names, names_agree, read_notice
from agents.dedupe_state import (
    ALIAS,
    BUCKET,
    BUCKET_CAP,
    DAY,
    EXACT,
    HEADLINE,
    HEADLINE_CAP,
    STORY,
    StoryRec,
    began_as_kill,
    bucket_keys,
    day_of,
    decode_alias,
    decode_exact,
    encode_alias,
    encode_entries,
    encode_exact,
    encode_story,
    entries,
    key,
    last_ts_of,
    newest_sids,
    with_entry,
)
from agents.fingerprint import (
    EMPTY_FACTS,
    FACT_SAMPLE,
    DocPrint,
    containment,
    containment_values,
    doc_print,
    fact_changes,
    hash16,
    jaccard_from_containment,
    low16_set,
    stable_hash,
    unpack_samples,
)
from agents.model import ChangeSummary, CleanedArticle, DuplicateReason, PubStatus, RuleHit, Verdict
from agents.urls import canonical_url
from streams.settings import DedupSettings

URI_PREFIX = "urn:wirestream:story:"
_EMPTY_FACTS = EMPTY_FACTS
_MIN_ADDED_WORDS = 6
"""An added paragraph shorter than this (a site's tagline) does not make an update."""
_MAX_CANDIDATES = 12
_CACHE_MAX = 8192
"""Entries in each of the deduper's memo caches (decoded stories, story keys, sketches)."""
_UNREAD: Any = object()
"""Marks a bucket not read yet this decision (None means read and absent)."""
SHORT_BODY_WORDS = 30
"""Bodies shorter than this ("Qtly div 12 cts vs 12 cts prior. Pay April 10.") read alike for
many companies; such stories only match when their headlines also name the same subject."""
_LATE_ORIGINAL_S = 6 * 3600
"""How long after a kill of a story not yet seen its original, arriving late, is still recognised by
headline alone (recurring reports reuse headlines daily)."""
_NOTICE_MIN_SIM = 0.15
"""A correction/update found by headline core must still share this much text (kills need none)."""


# Rule names a verdict's explanation (``Verdict.rules``) uses; consumers read them in ``lineage``.
FEED_IDENTITY = "feed_identity"
"""The feed's uri (or canonical url, or an alias) named a known story; figures compare feed versions."""
EXACT_FINGERPRINT = "exact_fingerprint"
"""The normalised body fingerprint matched a known version (``version``)."""
NEAR_DUPLICATE = "near_duplicate"
"""Shingle sketches matched: Jaccard and containment estimates against the thresholds."""
PARAGRAPH_ALIGNMENT = "paragraph_alignment"
"""How the item's paragraphs align with the story's: what decided copy versus update."""
HEADLINE_CORE = "headline_core"
"""A notice found its story by headline core (prefixes such as ``UPDATE 1-`` removed)."""
NOTICE_RULES = {"update": "notice_update", "correction": "notice_correction", "kill": "notice_kill",
                "refile": "notice_refile"}
"""The item announced itself as a version of that kind (ednote, signal, headline, body line, pubstatus)."""
STALE_VERSION = "stale_version"
"""An older version arriving after a newer one (a duplicate, never republished)."""
VERSION_GAP = "version_gap"
"""The feed version skipped ahead of the last one seen (``missing`` versions not yet seen)."""
STORY_NOT_SEEN = "story_not_seen"
"""A notice (update, correction, kill, refile) about a story not seen in the window."""
RECURRING_REPORT_GUARD = "recurring_report_guard"
"""A look-alike story kept apart: same wording with other numbers, dates or names."""
HEADLINE_NAMES_GUARD = "headline_names_guard"
"""A short body matched another story's, but the headlines name different subjects."""
NO_MATCH = "no_match"
"""No known story matched: a new story (``candidates`` examined)."""
REPROCESS = "reprocess"
"""A replay with reprocess asked for a new version of a story already seen."""
EMBARGO = "embargo"
"""Held until the embargo lifts (``release_in_s``)."""
_NO_CANDIDATES = RuleHit(NO_MATCH, (("candidates", 0),))
"""The explanation of most new stories (no shared shingle bucket), built once (hits are immutable)."""
RULE_NAMES = (FEED_IDENTITY, EXACT_FINGERPRINT, NEAR_DUPLICATE, PARAGRAPH_ALIGNMENT, HEADLINE_CORE,
              *NOTICE_RULES.values(), STALE_VERSION, VERSION_GAP, STORY_NOT_SEEN, RECURRING_REPORT_GUARD,
              HEADLINE_NAMES_GUARD, NO_MATCH, REPROCESS, EMBARGO)


_VERDICT_DEFAULTS: dict[str, Any] = {f.name: f.default for f in fields(Verdict) if f.default is not MISSING}


def _verdict(**values: Any) -> Verdict:
    """``Verdict(**values)``, without the frozen dataclass ``__init__``.

    That ``__init__`` sets its 19 fields one ``object.__setattr__`` at a time (~2.5 µs, a
    twentieth of a decision); filling the instance dict directly gives the same value in
    under 1 µs (``tests/unit/test_dedupe_lineage.py`` checks they compare equal).
    """
    verdict = object.__new__(Verdict)
    state = verdict.__dict__
    state.update(_VERDICT_DEFAULTS)
    state.update(values)
    return verdict


def _hit(rule: str, uri: str | None = None, /, **figures: float) -> RuleHit:
    # Figures as computed (publish rounds them): this runs on every decision.
    return RuleHit(rule, tuple(figures.items()), uri)


@dataclass(frozen=True)
class DedupStats:
    """Size of the dedupe state (for metrics)."""

    stories: int
    keys: int
    approx_bytes: int
    """Sum of len(key) + len(value) over the store."""

    @property
    def bytes_per_story(self) -> float:
        """State bytes per indexed story."""
        return self.approx_bytes / self.stories if self.stories else 0.0


@dataclass(frozen=True, slots=True)
class _Align:
    same: int = 0
    reworded: int = 0
    refact: int = 0
    rewritten: int = 0
    added: int = 0
    added_substantive: int = 0
    removed: int = 0


@dataclass(slots=True)
class _Cand:
    sid: bytes
    rec: StoryRec
    raw: bytes
    jaccard: float
    c_old: float
    c_new: float
    headline_match: bool


def align(old: tuple[int, ...], new: tuple[int, ...], new_words: tuple[int, ...]) -> _Align:
    """Classify paragraph changes between two versions from their (skeleton, facts) codes."""
    same = reworded = refact = rewritten = added = added_sub = removed = 0
    matcher = difflib.SequenceMatcher(None, old, new, autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            same += i2 - i1
            continue
        free_old = list(range(i1, i2))
        unmatched_new: list[int] = []
        for j in range(j1, j2):
            code = new[j]
            hit = next((i for i in free_old if old[i] >> 16 == code >> 16), None)
            if hit is not None:
                refact += 1
                free_old.remove(hit)
                continue
            facts = code & 0xFFFF
            if facts != _EMPTY_FACTS:
                hit = next((i for i in free_old if old[i] & 0xFFFF == facts), None)
                if hit is not None:
                    reworded += 1
                    free_old.remove(hit)
                    continue
            unmatched_new.append(j)
        pairs = min(len(free_old), len(unmatched_new))
        rewritten += pairs
        removed += len(free_old) - pairs
        for j in unmatched_new[pairs:]:
            added += 1
            if new_words[j] >= _MIN_ADDED_WORDS:
                added_sub += 1
    return _Align(same, reworded, refact, rewritten, added, added_sub, removed)


def _paragraphs_agree(old: tuple[int, ...], new: tuple[int, ...]) -> bool:
    """Most paragraphs match by code, or state the same (non-empty) facts: a reworded copy.

    Catches short copies whose every sentence a site re-styled, which moves most shingles.
    """
    if not old or not new:
        return False
    need = 0.6 * max(len(old), len(new))
    if len(new) < need:
        # At most one hit per new paragraph: cannot agree (skips building the sets).
        return False
    codes = set(old)
    facts = {c & 0xFFFF for c in old}
    facts.discard(_EMPTY_FACTS)
    hits = 0
    for c in new:
        if c in codes or (c & 0xFFFF) in facts:
            hits += 1
    return hits >= need


def _summary(a: _Align, headline_changed: bool) -> ChangeSummary:
    return ChangeSummary(
        paragraphs_added=a.added,
        paragraphs_removed=a.removed,
        paragraphs_changed=a.reworded + a.refact + a.rewritten,
        headline_changed=headline_changed,
    )


def _epoch(text: str | None) -> int:
    """Epoch seconds of an ISO 8601 time (naive means UTC); 0 when absent or unreadable."""
    if not text:
        return 0
    try:
        dt = datetime.fromisoformat(text)
    except ValueError:
        try:
            dt = datetime.fromisoformat(text.strip().replace("Z", "+00:00"))
        except ValueError:
            return 0
    if dt.tzinfo is None:
        dt = dt.replace(tzinfo=UTC)
    return max(0, int(dt.timestamp()))


class Deduper:
    """Decides new / version / duplicate / held for each article against an injected store.

    Args:
        store: all state (a dict in tests, a Faust table in production); str keys, bytes values.
        settings: the dedupe section of the settings.
        clock: epoch seconds now (injected so tests and replays control time).
    """

    def __init__(
        self, store: MutableMapping[str, bytes], *, settings: DedupSettings, clock: Callable[[], float]
    ) -> None:
        self._store = store
        self._settings = settings
        self._clock = clock
        self._index_keys = settings.index_keys
        self._query_keys = max(settings.query_keys, settings.index_keys)
        self._sample_size = settings.sketch_size
        # [stories, keys, bytes]: a cache rebuilt lazily by one scan of the store.
        self._counts: list[int] | None = None
        # Stories last versioned before this (epoch seconds) are past the window; set per decision.
        self._horizon = 0.0
        self._window_s = settings.window_days * DAY
        # hash16 of each source name (a feed has few sources; bounded).
        self._source16: dict[str, int] = {}
        # Decoded story records by their stored bytes, and story keys by story id: a story is
        # read again and again as a candidate (hot buckets), and both are pure functions of
        # their key, so a bounded cache cannot change a verdict.
        self._recs: dict[bytes, StoryRec] = {}
        self._story_keys: dict[bytes, str] = {}
        self._samples: dict[bytes, tuple[int, ...]] = {}

    # ------------------------------------------------------------------ public

    def decide(self, article: CleanedArticle, *, reprocess: bool = False) -> Verdict:
        """Decide what an article is, and record it in the store.

        Args:
            article: the cleaned article.
            reprocess: publish a story already seen as a new version instead of a duplicate
                (replays after an enrichment upgrade).

        Returns:
            The verdict; ``fingerprint`` is always set.
        """
        now = self._clock()
        self._horizon = now - self._window_s
        doc = doc_print(article.paragraphs)
        notice = read_notice(article)
        verdict = _Decision(self, article, doc, notice, now, reprocess).run()
        embargo = article.item.embargoed
        if verdict.kind in ("new", "version") and embargo and (until := _epoch(embargo)) > now:
            return replace(verdict, kind="held", release_at=embargo,
                           rules=(*verdict.rules, _hit(EMBARGO, release_in_s=until - now)))
        return verdict

    def expire(self) -> int:
        """Drop state older than ``window_days`` and enforce ``max_stories`` (oldest first).

        Call it periodically (a timer): it scans the whole store (twice when over the size
        bound) without materialising it; memory is 4 bytes per story plus the keys it removes.

        Returns:
            How many keys were removed.
        """
        now = self._clock()
        cutoff = now - self._settings.window_days * DAY
        # An index entry stamped day d was written before (d + 1) * DAY: drop it only then.
        keep_day_from = math.floor(cutoff / DAY)
        drop: list[str] = []
        rewrite: dict[str, bytes] = {}
        live_ts = array("I")
        for k, v in self._store.items():
            kind = k[:1]
            if kind == STORY:
                ts = last_ts_of(v)
                if ts < cutoff:
                    drop.append(k)
                else:
                    live_ts.append(ts)
            elif kind in (EXACT, ALIAS):
                day = decode_exact(v)[2] if kind == EXACT else decode_alias(v)[1]
                if day + 1 <= keep_day_from:
                    drop.append(k)
            elif kind in (BUCKET, HEADLINE):
                items = entries(v)
                kept = [e for e in items if e[1] + 1 > keep_day_from]
                if not kept:
                    drop.append(k)
                elif len(kept) != len(items):
                    rewrite[k] = encode_entries(kept)
        excess = len(live_ts) - self._settings.max_stories
        if excess > 0:
            # The excess-th oldest timestamp is the eviction line; a second pass finds the stories
            # at or under it (ties at the line may take a few more than the excess).
            line = int(np.partition(np.frombuffer(live_ts, dtype=np.uint32), excess - 1)[excess - 1])
            drop.extend(
                k for k, v in self._store.items() if k[:1] == STORY and cutoff <= last_ts_of(v) <= line
            )
        for k in drop:
            del self._store[k]
        for k, v in rewrite.items():
            self._store[k] = v
        self._counts = None
        return len(drop)

    def stats(self) -> DedupStats:
        """Stories indexed, keys and approximate bytes (first call scans the store)."""
        counts = self._ensure_counts()
        return DedupStats(stories=counts[0], keys=counts[1], approx_bytes=counts[2])

    # ------------------------------------------------------------ internals

    def _ensure_counts(self) -> list[int]:
        if self._counts is None:
            stories = keys = size = 0
            for k, v in self._store.items():
                keys += 1
                size += len(k) + len(v)
                if k[:1] == STORY:
                    stories += 1
            self._counts = [stories, keys, size]
        return self._counts

    def _get(self, k: str) -> bytes | None:
        return self._store.get(k)

    def _put(self, k: str, v: bytes, old: bytes | None) -> None:
        self._store[k] = v
        if self._counts is not None:
            if old is None:
                self._counts[1] += 1
                self._counts[2] += len(k) + len(v)
                if k[:1] == STORY:
                    self._counts[0] += 1
            else:
                self._counts[2] += len(v) - len(old)

    def sample_values(self, samples: bytes) -> tuple[int, ...]:
        """A stored sketch as its 16-bit values, memoised (bounded) like the decoded stories."""
        values = self._samples.get(samples)
        if values is None:
            if len(self._samples) >= _CACHE_MAX:
                self._samples.clear()
            values = self._samples[samples] = unpack_samples(samples)
        return values

    def story_key(self, sid: bytes) -> str:
        """``key(STORY, sid)``, memoised (bounded)."""
        sk = self._story_keys.get(sid)
        if sk is None:
            if len(self._story_keys) >= _CACHE_MAX:
                self._story_keys.clear()
            sk = self._story_keys[sid] = key(STORY, sid)
        return sk

    def _story(self, sid: bytes) -> tuple[StoryRec, bytes] | None:
        raw = self._store.get(self.story_key(sid))
        if raw is None:
            return None
        rec = self._recs.get(raw)
        if rec is None:
            if len(self._recs) >= _CACHE_MAX:
                self._recs.clear()
            rec = self._recs[raw] = StoryRec.decode(raw)
        if rec.last_ts < self._horizon:
            # Past the window but not yet swept by expire(): verdicts must not depend on
            # when the sweep last ran (the worker and the offline replay sweep differently).
            return None
        return rec, raw


class _Decision:
    """One article's decision (split out so each step reads as a method)."""

    # One instance per article: slots make its many attribute writes and reads cheaper.
    __slots__ = ("_bucket_keys", "_classes", "_headline_key", "_low16", "_names", "_short", "article", "bucket_raw",
                 "candidates", "closest", "day", "dd", "doc", "guards", "headline16", "ident", "ident_digest",
                 "item", "late", "notice", "now", "reprocess", "rules", "source16", "vc", "x_checked", "x_key",
                 "x_raw")

    def __init__(
        self, dd: Deduper, article: CleanedArticle, doc: DocPrint, notice: Notice, now: float, reprocess: bool
    ) -> None:
        self.dd = dd
        self.article = article
        self.item = article.item
        self.doc = doc
        self.notice = notice
        self.now = now
        self.day = day_of(now)
        self.reprocess = reprocess
        self.vc = _epoch(article.versioncreated or article.item.versioncreated)
        ident = article.item.uri or (canonical_url(article.item.url) if article.item.url else None)
        self.ident = ident
        self.ident_digest = stable_hash("i:" + ident) if ident else None
        self.headline16 = hash16(notice.core)
        source = article.item.source or ""
        source16 = dd._source16.get(source)
        if source16 is None:
            if len(dd._source16) >= 4096:
                dd._source16.clear()
            source16 = dd._source16[source] = hash16(source)
        self.source16 = source16
        self.bucket_raw: dict[str, bytes | None] = {}
        self.x_key = key(EXACT, doc.fp_bytes)
        self.x_raw: bytes | None = None
        self.x_checked = False
        self._low16: set[int] | None = None
        self._names: tuple[int, ...] | None = None
        self._short: bool | None = None
        self._bucket_keys: list[str] = []
        self._headline_key: str | None = None
        self._classes: dict[bytes, tuple[str, _Align | None, int, int]] = {}
        # The explanation: rules that fired on the way to the verdict, and look-alikes kept apart.
        self.rules: list[RuleHit] = []
        self.guards: dict[bytes, RuleHit] = {}
        self.late = False
        self.candidates = 0
        self.closest: tuple[float, bytes, StoryRec] | None = None

    # -------------------------------------------------------------- flow

    def run(self) -> Verdict:
        dd = self.dd
        # 1. Feed identity.
        found = self._by_identity()
        if found is not None:
            return self._identity_verdict(*found)
        # 2. Exact content.
        x_raw = dd._get(self.x_key)
        self.x_raw, self.x_checked = x_raw, True
        if x_raw is not None:
            sid, version, _ = decode_exact(x_raw)
            story = dd._story(sid)
            if story is not None:
                if self._names_agree(story[0]):
                    self.rules.append(_hit(EXACT_FINGERPRINT, version=version))
                    return self._exact_verdict(sid, story[0], story[1], version)
                self._names_guard(sid, story[0])
        # 3./4. Near content and notices.
        cand = self._best_candidate()
        if cand is not None:
            s = dd._settings
            figures = {"jaccard": cand.jaccard, "containment_of_known": cand.c_old,
                       "containment_of_item": cand.c_new}
            by_content = cand.jaccard >= s.update_threshold or max(cand.c_old, cand.c_new) >= 0.5
            if cand.headline_match and self.notice.kind is not None and not by_content:
                # A notice (a kill's advisory) that shares little text: the headline core found it.
                self.rules.append(_hit(HEADLINE_CORE, **figures))
            else:
                self.rules.append(_hit(NEAR_DUPLICATE, **figures, near_threshold=s.near_threshold,
                                       update_threshold=s.update_threshold))
                if cand.headline_match and self.notice.kind is not None:
                    self.rules.append(_hit(HEADLINE_CORE))
            return self._content_verdict(cand)
        if self.notice.kind is None and not self.reprocess:
            late = self._original_of_early_kill()
            if late is not None:
                return late
        return self._new_story(x_raw)

    def _original_of_early_kill(self) -> Verdict | None:
        """The original of a story first seen as its own kill, arriving late: a stale duplicate.

        A kill advisory carries no text to match by content, so the original is recognised by
        its headline core, only against a story that began as a kill (``early``, canceled or
        withheld), within ``_LATE_ORIGINAL_S`` and not written after the kill: a later issue
        of a recurring report with the same headline stays a new story.
        """
        hk = self.headline_key()
        if hk is None:
            return None
        raw = self.dd._get(hk)
        self.bucket_raw[hk] = raw
        get = self.dd._store.get
        for sid in newest_sids(raw):
            story_raw = get(self.dd.story_key(sid))
            if story_raw is None or not began_as_kill(story_raw):
                continue
            story = self.dd._story(sid)
            if story is None:
                continue
            rec = story[0]
            if self.now - rec.last_ts > _LATE_ORIGINAL_S:
                continue
            if self.vc and rec.versioncreated and self.vc > rec.versioncreated:
                continue
            self.rules.append(_hit(HEADLINE_CORE))
            self.rules.append(_hit(STALE_VERSION, known_version=rec.version))
            return self._duplicate(sid, rec, "stale", 0.0)
        return None

    def _by_identity(self) -> tuple[bytes, StoryRec, bytes] | None:
        if self.ident_digest is None:
            return None
        dd = self.dd
        sid = self.ident_digest
        story = dd._story(sid)
        if story is None:
            alias = dd._get(key(ALIAS, sid))
            if alias is None:
                return None
            sid = decode_alias(alias)[0]
            story = dd._story(sid)
            if story is None:
                return None
        return sid, story[0], story[1]

    def _identity_hit(self, rec: StoryRec, sid: bytes) -> RuleHit:
        figures: dict[str, float] = {}
        if self.item.version is not None:
            figures["feed_version"] = self.item.version
        if rec.feed_version is not None:
            figures["known_feed_version"] = rec.feed_version
        if self.vc and rec.versioncreated:
            figures["versioncreated"] = self.vc
            figures["known_versioncreated"] = rec.versioncreated
        if sid != self.ident_digest:
            figures["alias"] = 1
        if self.item.uri is None:
            figures["canonical_url"] = 1
        return _hit(FEED_IDENTITY, **figures)

    def _explain(self) -> tuple[RuleHit, ...]:
        """The rules that fired, then the look-alikes kept apart on the way."""
        if self.notice.kind is not None:
            self.rules.insert(0, _hit(NOTICE_RULES[self.notice.kind]))
        return (*self.rules, *self.guards.values())

    def _names_guard(self, sid: bytes, rec: StoryRec) -> None:
        if sid not in self.guards:
            self.guards[sid] = _hit(HEADLINE_NAMES_GUARD, self._uri(sid, rec), words=sum(self.doc.para_words))

    # ----------------------------------------------------------- verdicts

    def _uri(self, sid: bytes, rec: StoryRec) -> str:
        return rec.uri if rec.uri is not None else URI_PREFIX + sid.hex()

    def _duplicate(
        self, sid: bytes, rec: StoryRec, reason: DuplicateReason, similarity: float, version: int | None = None
    ) -> Verdict:
        if self.reprocess:
            self.rules.append(_hit(REPROCESS))
            return self._version(sid, rec, self.dd._get(key(STORY, sid)), related=True, kind="refile")
        self._alias(sid)
        if reason == "stale":
            self.late = True
        return _verdict(
            kind="duplicate",
            uri=self._uri(sid, rec),
            version=rec.version,
            pubstatus=rec.pubstatus,
            reason=reason,
            # The version whose text this item repeats (after a kill, the text before it).
            duplicate_of=(self._uri(sid, rec), version if version is not None else rec.content_version or rec.version),
            similarity=round(similarity, 4),
            fingerprint=self.doc.fingerprint,
            rules=self._explain(),
            notice=self.notice.text,
            out_of_order=self.late,
        )

    def _identity_verdict(self, sid: bytes, rec: StoryRec, raw: bytes) -> Verdict:
        notice = self.notice
        item_version = self.item.version
        status_change = notice.pubstatus != rec.pubstatus
        self.rules.append(self._identity_hit(rec, sid))
        if not self.reprocess:
            if item_version is not None and rec.feed_version is not None:
                if item_version < rec.feed_version:
                    self.rules.append(_hit(STALE_VERSION, feed_version=item_version,
                                           known_feed_version=rec.feed_version))
                    return self._duplicate(sid, rec, "stale", self._exact_sim(sid), self._exact_version(sid))
                if item_version == rec.feed_version and not status_change:
                    return self._duplicate(sid, rec, "resend", self._exact_sim(sid), rec.version)
            elif self.vc and rec.versioncreated and self.vc < rec.versioncreated:
                self.rules.append(_hit(STALE_VERSION, versioncreated=self.vc,
                                       known_versioncreated=rec.versioncreated))
                return self._duplicate(sid, rec, "stale", self._exact_sim(sid), self._exact_version(sid))
            exact_version = self._exact_version(sid)
            if (
                exact_version is not None
                and not status_change
                and self.headline16 == rec.headline16
            ):
                self.rules.append(_hit(EXACT_FINGERPRINT, version=exact_version))
                reason: DuplicateReason = "resend" if exact_version >= rec.content_version else "stale"
                if reason == "stale":
                    self.rules.append(_hit(STALE_VERSION, version=exact_version,
                                           known_version=rec.content_version or rec.version))
                return self._duplicate(sid, rec, reason, 1.0, exact_version)
        if item_version is not None and rec.feed_version is not None and item_version > rec.feed_version + 1:
            # Feed version 3 after 1: published (it is the newest), flagged; 2 will be stale.
            self.late = True
            self.rules.append(_hit(VERSION_GAP, feed_version=item_version, known_feed_version=rec.feed_version,
                                   missing=item_version - rec.feed_version - 1))
        related = self._related_to(rec)
        return self._version(sid, rec, raw, related=related, kind=notice.kind or "update")

    def _exact_verdict(self, sid: bytes, rec: StoryRec, raw: bytes, version: int) -> Verdict:
        notice = self.notice
        if notice.kind == "kill" and rec.pubstatus != notice.pubstatus:
            return self._version(sid, rec, raw, related=True, kind="kill")
        # Older than the text the story now has: stale. A copy of the current text after a
        # kill (which keeps its predecessor's text) is an ordinary exact copy.
        reason: DuplicateReason = "stale" if version < rec.content_version else "exact"
        if reason == "stale":
            self.rules.append(_hit(STALE_VERSION, version=version, known_version=rec.content_version))
        return self._duplicate(sid, rec, reason, 1.0, version)

    def _content_verdict(self, cand: _Cand) -> Verdict:
        rec, sid = cand.rec, cand.sid
        notice = self.notice
        later_known = bool(self.vc and rec.versioncreated and self.vc < rec.versioncreated)
        if notice.kind is not None:
            if notice.kind == "kill" and rec.pubstatus == notice.pubstatus and not self.reprocess:
                return self._duplicate(sid, rec, "resend", cand.jaccard)
            if later_known and not self.reprocess:
                self.rules.append(self._stale_by_time(rec))
                return self._duplicate(sid, rec, "stale", cand.jaccard)
            related = cand.c_old >= 0.3 or cand.jaccard >= self.dd._settings.update_threshold
            return self._version(sid, rec, cand.raw, related=related, kind=notice.kind)
        verdict_kind = self._classify(cand)
        self._alignment_hit(cand.sid)
        if verdict_kind == "update" and not later_known:
            return self._version(sid, rec, cand.raw, related=True, kind="update")
        if later_known:
            self.rules.append(self._stale_by_time(rec))
            return self._duplicate(sid, rec, "stale", cand.jaccard)
        reason: DuplicateReason = "syndicated" if rec.source16 != self.source16 else "near"
        a = self._classes[cand.sid][1]
        if rec.early and reason == "near" and a is not None and a.removed and not a.added:
            # The story was first seen as its own update; the same feed's copy with fewer
            # paragraphs is the earlier version arriving late.
            self.rules.append(_hit(STALE_VERSION, paragraphs_missing=a.removed))
            reason = "stale"
        return self._duplicate(sid, rec, reason, cand.jaccard)

    def _stale_by_time(self, rec: StoryRec) -> RuleHit:
        return _hit(STALE_VERSION, versioncreated=self.vc, known_versioncreated=rec.versioncreated)

    def _alignment_hit(self, sid: bytes) -> None:
        cached = self._classes.get(sid)
        if cached is None:
            return
        _, a, gained, lost = cached
        if a is None:
            return
        self.rules.append(_hit(PARAGRAPH_ALIGNMENT, same=a.same, reworded=a.reworded, refacted=a.refact,
                               rewritten=a.rewritten, added=a.added, added_substantive=a.added_substantive,
                               removed=a.removed, facts_gained=gained, facts_lost=lost))

    # ---------------------------------------------------------- candidates

    def _classify(self, cand: _Cand) -> str:
        """``dup``, ``update``, ``conflict`` (a different story that reads alike) or ``unrelated``."""
        cached = self._classes.get(cand.sid)
        if cached is None:
            cached = self._classes[cand.sid] = self._classify_uncached(cand)
            if cached[0] == "conflict" and cached[1] is not None:
                a = cached[1]
                self.guards[cand.sid] = _hit(
                    RECURRING_REPORT_GUARD, self._uri(cand.sid, cand.rec), jaccard=cand.jaccard,
                    refacted=a.refact, rewritten=a.rewritten, facts_gained=cached[2], facts_lost=cached[3])
        return cached[0]

    def _align(self, sid: bytes, rec: StoryRec) -> _Align:
        cached = self._classes.get(sid)
        if cached is not None and cached[1] is not None:
            return cached[1]
        return align(rec.paras, self.doc.paras, self.doc.para_words)

    def _classify_uncached(self, cand: _Cand) -> tuple[str, _Align | None, int, int]:
        s = self.dd._settings
        rec, doc = cand.rec, self.doc
        related = cand.jaccard >= s.update_threshold or cand.c_old >= 0.6 or cand.c_new >= s.near_threshold
        if not related and not _paragraphs_agree(rec.paras, doc.paras):
            return "unrelated", None, 0, 0
        a = align(rec.paras, doc.paras, doc.para_words)
        gained, lost = fact_changes(rec.facts, doc)
        return self._judge(cand, a, gained, lost), a, gained, lost

    def _judge(self, cand: _Cand, a: _Align, gained: int, lost: int) -> str:
        s = self.dd._settings
        rec, doc = cand.rec, self.doc
        aligned = a.same + a.reworded + a.refact
        if aligned >= max(1, math.ceil(0.5 * min(len(rec.paras), len(doc.paras)))):
            if a.refact or (a.rewritten and lost and gained):
                # Same wording with other numbers/names, or a rewritten paragraph whose facts
                # were replaced (some lost, some gained; facts count as a multiset): a
                # recurring report or a same-template story about something else. A copy
                # that only drops a fact ("U.S." or a ticker cut by a site) is still a copy.
                return "conflict"
            # A rewritten paragraph that brings no new fact is a site's edit, not news.
            return "update" if a.added_substantive or (a.rewritten and gained) else "dup"
        # Paragraphed differently (a site re-flowed the text): compare document-level facts.
        if cand.jaccard >= s.near_threshold or cand.c_new >= s.near_threshold:
            if gained == 0:
                return "dup"
            return "update" if lost == 0 else "conflict"
        if cand.c_old >= 0.6 and lost == 0:
            return "update"
        return "conflict"

    def _best_candidate(self) -> _Cand | None:
        dd = self.dd
        get = dd._store.get
        sids: dict[bytes, bool] = {}
        headline_sids: list[bytes] = []
        # Ordinary items must share text with a story to join it, which the shingle buckets
        # find; only notices (a kill's text is unrelated) look stories up by headline core.
        hk = self.headline_key() if self.notice.kind is not None else None
        if hk is not None:
            raw = get(hk)
            self.bucket_raw[hk] = raw
            headline_sids = newest_sids(raw)
            sids.update(dict.fromkeys(headline_sids, True))
        bucket_raw = self.bucket_raw
        for bk in self.bucket_keys(dd._query_keys):
            raw = bucket_raw[bk] = get(bk)
            if raw:
                for sid in newest_sids(raw):
                    sids.setdefault(sid, True)
        self.candidates = len(sids)
        if not sids:
            return None
        best: _Cand | None = None
        best_score = -1.0
        doc = self.doc
        notice = self.notice.kind is not None
        update_threshold = dd._settings.update_threshold
        near_threshold = dd._settings.near_threshold
        for sid in list(sids)[:_MAX_CANDIDATES]:
            story = dd._story(sid)
            if story is None:
                continue
            rec, raw = story
            if not self._names_agree(rec):
                self._names_guard(sid, rec)
                continue
            c_old = containment_values(dd.sample_values(rec.samples), rec.n_shingles, doc, self.low16())
            jac, c_new = jaccard_from_containment(c_old, rec.n_shingles, doc.n_shingles)
            if self.closest is None or jac > self.closest[0]:
                self.closest = (jac, sid, rec)
            if (
                not notice
                and not (jac >= update_threshold or c_old >= 0.6 or c_new >= near_threshold)
                and not _paragraphs_agree(rec.paras, doc.paras)
            ):
                # What _classify would call unrelated (most candidates), decided before building
                # the candidate: unrelated stories are never chosen, so nothing else reads it.
                continue
            cand = _Cand(sid, rec, raw, jac, c_old, c_new, sid in headline_sids)
            if self.notice.kind is not None:
                content = jac >= dd._settings.update_threshold or c_old >= 0.5 or c_new >= 0.5
                by_headline = cand.headline_match and (self.notice.kind == "kill" or jac >= _NOTICE_MIN_SIM
                                                       or c_new >= 0.3 or c_old >= 0.3)
                if not (content or by_headline):
                    continue
                score = jac + (1.0 if cand.headline_match else 0.0)
            else:
                if self._classify(cand) in ("unrelated", "conflict"):
                    continue
                score = jac
            if score > best_score:
                best, best_score = cand, score
        return best

    def bucket_keys(self, n: int) -> list[str]:
        """State keys of the article's ``n`` smallest shingle hashes (computed once)."""
        keys = self._bucket_keys
        if not keys:
            keys = self._bucket_keys = bucket_keys(self.doc.shingles[: self.dd._query_keys])
        return keys if n >= len(keys) else keys[:n]

    def headline_key(self) -> str | None:
        """State key of the headline core, None without a headline."""
        if not self.notice.core:
            return None
        if self._headline_key is None:
            self._headline_key = key(HEADLINE, stable_hash("h:" + self.notice.core, 6))
        return self._headline_key

    @property
    def short(self) -> bool:
        """Whether the body is too short to identify a story by itself (computed once)."""
        if self._short is None:
            self._short = sum(self.doc.para_words) < SHORT_BODY_WORDS
        return self._short

    def names(self) -> tuple[int, ...]:
        """The headline's distinctive word hashes (computed once)."""
        if self._names is None:
            self._names = headline_names(self.notice.core)
        return self._names

    def _names_agree(self, rec: StoryRec) -> bool:
        """A short story and its candidate must name the same subject in their headlines."""
        if not rec.names and not self.short:
            return True
        return names_agree(rec.names, self.names())

    def low16(self) -> set[int]:
        """Low 16 bits of the article's shingle hashes (computed once, for all candidates)."""
        if self._low16 is None:
            self._low16 = low16_set(self.doc)
        return self._low16

    def _related_to(self, rec: StoryRec) -> bool:
        c_old = containment(rec.samples, rec.n_shingles, self.doc, self.low16())
        jac, c_new = jaccard_from_containment(c_old, rec.n_shingles, self.doc.n_shingles)
        return c_old >= 0.3 or c_new >= 0.3 or jac >= self.dd._settings.update_threshold

    def _exact_version(self, sid: bytes) -> int | None:
        raw = self.dd._get(self.x_key)
        if raw is None:
            return None
        x_sid, version, _ = decode_exact(raw)
        return version if x_sid == sid else None

    def _exact_sim(self, sid: bytes) -> float:
        return 1.0 if self._exact_version(sid) is not None else 0.0

    # ---------------------------------------------------------------- writes

    def _alias(self, sid: bytes) -> None:
        """Remember the item's own uri/url as another name of story ``sid``."""
        digest = self.ident_digest
        if digest is None or digest == sid:
            return
        ak = key(ALIAS, digest)
        old = self.dd._get(ak)
        value = encode_alias(sid, self.day)
        if old is None or old[:8] != sid:
            self.dd._put(ak, value, old)

    def _index(self, sid: bytes, version: int, *, content: bool, x_old: bytes | None = None) -> None:
        dd = self.dd
        xk = self.x_key
        if x_old is None:
            x_old = self.x_raw if self.x_checked else dd._get(xk)
        value = encode_exact(sid, version, self.day)
        if x_old != value:
            # The newest version with this exact body is what a later copy duplicates.
            dd._put(xk, value, x_old)
        bucket_raw = self.bucket_raw
        if content:
            for bk in self.bucket_keys(dd._index_keys):
                old = bucket_raw.get(bk, _UNREAD)
                if old is _UNREAD:
                    old = dd._get(bk)
                new = with_entry(old, sid, self.day, BUCKET_CAP)
                if new is not None:
                    dd._put(bk, new, old)
        hk = self.headline_key()
        if hk is not None:
            old = bucket_raw.get(hk, _UNREAD)
            if old is _UNREAD:
                old = dd._get(hk)
            new = with_entry(old, sid, self.day, HEADLINE_CAP)
            if new is not None:
                dd._put(hk, new, old)

    def _new_story(self, x_raw: bytes | None) -> Verdict:
        dd = self.dd
        # Without a feed uri the id comes from the text and the headline (the same short notice
        # text about another company is another story). A record already under the id is past
        # the window or a different story with the same text and headline: the first is
        # replaced, the second salted around (the id must name one story).
        seed = "c:" + self.doc.fingerprint + ":" + self.notice.core
        sid = self.ident_digest if self.ident_digest is not None else stable_hash(seed)
        sk = dd.story_key(sid)
        old = dd._get(sk)
        n = 0
        while self.ident_digest is None and old is not None and dd._story(sid) is not None and n < 8:
            n += 1
            sid = stable_hash(f"{seed}:{n}")
            sk = key(STORY, sid)
            old = dd._get(sk)
        notice = self.notice
        closest = self.closest
        if closest is None:
            self.rules.append(_NO_CANDIDATES if self.candidates == 0 else
                              RuleHit(NO_MATCH, (("candidates", self.candidates),)))
        else:
            # The nearest story looked at, and by how much it missed.
            self.rules.append(RuleHit(NO_MATCH, (("candidates", self.candidates), ("jaccard", closest[0]),
                                                 ("update_threshold", dd._settings.update_threshold)),
                                      self._uri(closest[1], closest[2])))
        if notice.kind is not None:
            # An update, correction, kill or refile of a story not seen: its original may follow.
            self.late = True
            self.rules.append(_hit(STORY_NOT_SEEN))
        if self.item.version is not None and self.item.version > 1:
            self.late = True
            self.rules.append(_hit(VERSION_GAP, feed_version=self.item.version, known_feed_version=0,
                                   missing=self.item.version - 1))
        doc = self.doc
        uri = self.item.uri
        # StoryRec(...).encode() without building the record (this runs for most articles).
        value = encode_story(1, self.item.version, notice.pubstatus, int(self.now), self.vc, doc.n_shingles,
                             self.headline16, self.source16, doc.facts[:FACT_SAMPLE], doc.samples(dd._sample_size),
                             doc.paras, uri, self.names() if self.short else (), 1, self.late)
        dd._put(sk, value, old)
        # A stale x entry (its story evicted) is overwritten by this story.
        self._index(sid, 1, content=True, x_old=x_raw)
        kind = notice.kind if notice.kind in ("kill", "correction") else None
        return _verdict(
            kind="new",
            uri=uri if uri is not None else URI_PREFIX + sid.hex(),
            version=1,
            pubstatus=notice.pubstatus,
            fingerprint=self.doc.fingerprint,
            version_kind=kind,
            rules=self._explain(),
            notice=notice.text,
            out_of_order=self.late,
        )

    def _version(
        self, sid: bytes, rec: StoryRec, raw: bytes | None, *, related: bool, kind: str
    ) -> Verdict:
        dd = self.dd
        a = self._align(sid, rec)
        changes = _summary(a, self.headline16 != rec.headline16)
        notice = self.notice
        pubstatus: PubStatus = notice.pubstatus
        # A kill or a short notice must not replace what copies of the story are compared with.
        keep_content = kind == "kill" or not related
        version = rec.version + 1
        feed_version = rec.feed_version
        if self.item.version is not None:
            feed_version = max(self.item.version, feed_version or 0)
        new = StoryRec(
            version=version,
            feed_version=feed_version,
            pubstatus=pubstatus,
            last_ts=int(self.now),
            versioncreated=max(self.vc, rec.versioncreated),
            n_shingles=rec.n_shingles if keep_content else self.doc.n_shingles,
            headline16=rec.headline16 if keep_content else self.headline16,
            source16=rec.source16,
            facts=rec.facts if keep_content else self.doc.facts[:FACT_SAMPLE],
            samples=rec.samples if keep_content else self.doc.samples(dd._sample_size),
            paras=rec.paras if keep_content else self.doc.paras,
            uri=rec.uri,
            names=rec.names if keep_content else (self.names() if self.short else ()),
            content_version=rec.content_version if keep_content else version,
            early=rec.early,
        )
        dd._put(key(STORY, sid), new.encode(), raw)
        self._index(sid, version, content=not keep_content)
        self._alias(sid)
        vkind = kind if kind in ("update", "correction", "kill", "refile") else "update"
        uri = self._uri(sid, rec)
        return _verdict(
            kind="version",
            uri=uri,
            version=version,
            pubstatus=pubstatus,
            changes=changes,
            fingerprint=self.doc.fingerprint,
            version_kind=vkind,
            supersedes=(uri, rec.version),
            rules=self._explain(),
            notice=notice.text,
            out_of_order=self.late,
        )
