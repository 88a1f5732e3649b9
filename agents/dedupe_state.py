"""Key layout and byte encodings of the dedupe state (a ``MutableMapping[str, bytes]``).

Everything the deduper knows lives in these keys, so a worker restarted on the
same table (restored from its changelog) decides exactly as before. Keys are a
one-letter kind plus unpadded URL-safe base64 of a hash; values are packed
little-endian structs. Sizes are for the typical story (see the benchmark):

====  =========================  ==============================================  =========
key   meaning                    value                                           bytes
====  =========================  ==============================================  =========
s…    story (12-char key)        :class:`StoryRec` header 27 B, 2 B per sketch   ~120-180
                                 sample, 4 B per paragraph, 2 B per fact (<= 32),
                                 uri if feed-given
x…    exact fingerprint (12)     story id 8, version 2, day 2                    24
b…    shingle-hash bucket (9)    up to BUCKET_CAP entries (story id 8, day 2)    ~19 each
h…    headline-core bucket (9)   up to HEADLINE_CAP entries                      ~19
a…    uri/url alias (12)         story id 8, day 2                               22 (rare)
====  =========================  ==============================================  =========

Index values carry the day (days since the epoch) they were written, so expiry
is one pass with no lookups. Entries whose story is gone (evicted early by the
size bound) are ignored when read and dropped by the next expiry.
"""

from __future__ import annotations

import functools
import struct
import sys
from binascii import b2a_base64
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from agents.model import PubStatus

STORY, EXACT, BUCKET, HEADLINE, ALIAS = "s", "x", "b", "h", "a"
BUCKET_CAP = 6
"""Stories remembered per shingle bucket (newest kept): bounds hot buckets of common phrases."""
HEADLINE_CAP = 4
"""Stories remembered per headline core (recurring reports share one)."""

_HEADER = struct.Struct("<HIBBBBBIIHHHH")
_ENTRY = struct.Struct("<8sH")
_EXACT = struct.Struct("<8sHH")
_PUB: dict[str, int] = {"usable": 0, "withheld": 1, "canceled": 2}
_PUB_OF: tuple[PubStatus, ...] = ("usable", "withheld", "canceled")
_HAS_URI = 4
_HAS_FEED_VERSION = 8
_EARLY = 16
DAY = 86_400


_URLSAFE = bytes.maketrans(b"+/", b"-_")
_NATIVE_LITTLE = sys.byteorder == "little"


def key(kind: str, digest: bytes) -> str:
    """A state key: kind letter + unpadded URL-safe base64 of ``digest``.

    >>> key("s", bytes(range(8)))
    'sAAECAwQFBgc'
    """
    return kind + b2a_base64(digest, newline=False).translate(_URLSAFE).rstrip(b"=").decode("ascii")


def bucket_keys(values: npt.NDArray[np.uint64]) -> list[str]:
    """``b`` keys of shingle hashes (their low 48 bits), all encoded by one base64 call.

    Six bytes encode to exactly eight base64 characters, so the keys are slices of the
    encoding of the concatenated digests (same keys as :func:`key` gives one by one).

    >>> bucket_keys(np.array([1, 2**48 + 2], dtype=np.uint64)) == [key("b", (1).to_bytes(6, "little")),
    ...                                                           key("b", (2).to_bytes(6, "little"))]
    True
    """
    n = values.shape[0]
    if n == 0:
        return []
    # C calls only (no per-value Python loop or comprehension on this per-article path): the low
    # six bytes of each little-endian uint64 cut from one buffer, one base64 call, the eight-char
    # chunks cut by a second struct call, joined with " b" and split on the space.
    packed = values.tobytes() if _NATIVE_LITTLE and values.dtype == np.uint64 else values.astype("<u8").tobytes()
    structs = _key_structs(n)
    text = b2a_base64(b"".join(structs[0].unpack(packed)), newline=False)
    return (b"b" + b" b".join(structs[1].unpack(text))).translate(_URLSAFE).decode("ascii").split(" ")


@functools.lru_cache(maxsize=256)
def _key_structs(n: int) -> tuple[struct.Struct, struct.Struct]:
    """Structs cutting n little-endian uint64 to their low six bytes, and n base64 keys apart."""
    return struct.Struct("<" + "6s2x" * n), struct.Struct("8s" * n)


def day_of(ts: float) -> int:
    """Days since the epoch (the stamp index entries carry)."""
    return int(ts // DAY) & 0xFFFF


@dataclass(slots=True)
class StoryRec:
    """The latest known version of one story (the ``s`` value)."""

    version: int
    feed_version: int | None
    pubstatus: PubStatus
    last_ts: int
    """Clock seconds when the latest version was decided (drives expiry)."""
    versioncreated: int
    """The latest version's ``versioncreated`` in epoch seconds (0 when unknown)."""
    n_shingles: int
    headline16: int
    source16: int
    facts: tuple[int, ...]
    """The smallest fact hashes (``agents.fingerprint.FACT_SAMPLE`` at most), sorted."""
    samples: bytes
    paras: tuple[int, ...]
    uri: str | None
    """The feed-given uri; None when the uri is derived from the story id."""
    names: tuple[int, ...] = ()
    """Headline word hashes, kept only for very short stories (whose bodies say too little)."""
    content_version: int = 0
    """The version whose text the sketch/paragraph/fact fields describe (a kill keeps its
    predecessor's); 0 means ``version``."""
    early: bool = False
    """First seen as a version of a story not yet seen (a notice, or feed version > 1): an
    older version of it may still arrive, late."""

    def encode(self) -> bytes:
        """Pack into the stored bytes."""
        return encode_story(self.version, self.feed_version, self.pubstatus, self.last_ts, self.versioncreated,
                            self.n_shingles, self.headline16, self.source16, self.facts, self.samples, self.paras,
                            self.uri, self.names, self.content_version, self.early)

    @classmethod
    def decode(cls, raw: bytes) -> StoryRec:
        """Unpack stored bytes."""
        (version, feed_version, flags, n_samples, n_paras, n_facts, n_names, last_ts, vc, n_sh, h16, s16, cv) = (
            _HEADER.unpack_from(raw)
        )
        pos = _HEADER.size
        samples = raw[pos : pos + 2 * n_samples]
        pos += 2 * n_samples
        values = _tail(n_paras, n_facts + n_names).unpack_from(raw, pos)
        paras = values[:n_paras]
        facts = values[n_paras : n_paras + n_facts]
        names = values[n_paras + n_facts :]
        pos += 4 * n_paras + 2 * (n_facts + n_names)
        uri = raw[pos:].decode("utf-8", "surrogatepass") if flags & _HAS_URI else None
        return cls(
            version=version,
            feed_version=feed_version if flags & _HAS_FEED_VERSION else None,
            pubstatus=_PUB_OF[flags & 3],
            last_ts=last_ts,
            versioncreated=vc,
            n_shingles=n_sh,
            headline16=h16,
            source16=s16,
            facts=facts,
            samples=samples,
            paras=paras,
            uri=uri,
            names=names,
            content_version=cv,
            early=bool(flags & _EARLY),
        )


def encode_story(
    version: int, feed_version: int | None, pubstatus: PubStatus, last_ts: int, versioncreated: int,
    n_shingles: int, headline16: int, source16: int, facts: tuple[int, ...], samples: bytes,
    paras: tuple[int, ...], uri: str | None, names: tuple[int, ...] = (), content_version: int = 0,
    early: bool = False,
) -> bytes:
    """``StoryRec(...).encode()`` without building the record (a new story's write path).

    Positional, in :class:`StoryRec` field order.
    """
    flags = _PUB[pubstatus]
    if uri is not None:
        flags |= _HAS_URI
    if feed_version is not None:
        flags |= _HAS_FEED_VERSION
    if early:
        flags |= _EARLY
    content_version = content_version or version
    # Conditional expressions rather than min()/max() calls: this runs for most articles.
    head = _HEADER.pack(
        version if version < 0xFFFF else 0xFFFF,
        0 if not feed_version else feed_version if feed_version < 0xFFFFFFFF else 0xFFFFFFFF,
        flags,
        len(samples) // 2,
        len(paras),
        len(facts),
        len(names),
        last_ts & 0xFFFFFFFF,
        versioncreated & 0xFFFFFFFF if versioncreated > 0 else 0,
        n_shingles if n_shingles < 0xFFFF else 0xFFFF,
        headline16,
        source16,
        content_version if content_version < 0xFFFF else 0xFFFF,
    )
    tail = _tail(len(paras), len(facts) + len(names)).pack(*paras, *facts, *names)
    if uri is not None:
        return b"".join((head, samples, tail, uri.encode("utf-8", "surrogatepass")))
    return head + samples + tail


@functools.lru_cache(maxsize=4096)
def _tail(n_paras: int, n_halfwords: int) -> struct.Struct:
    """The compiled struct of a story's paragraph codes and fact/name hashes (few distinct shapes)."""
    return struct.Struct(f"<{n_paras}I{n_halfwords}H")


_FLAGS_AT = struct.calcsize("<HI")


def began_as_kill(raw: bytes) -> bool:
    """Whether an encoded story was first seen as a notice and is now canceled or withheld.

    Read from the flags byte without decoding the rest (checked for every new story).
    """
    flags = raw[_FLAGS_AT]
    return bool(flags & _EARLY) and flags & 3 != 0


def last_ts_of(raw: bytes) -> int:
    """The ``last_ts`` of an encoded story without decoding the rest (expiry scans)."""
    return int(_HEADER.unpack_from(raw)[7])


def entries(raw: bytes | None) -> list[tuple[bytes, int]]:
    """Decode a bucket value into ``(story id, day)`` entries, oldest first."""
    if not raw:
        return []
    usable = len(raw) - len(raw) % _ENTRY.size
    return list(_ENTRY.iter_unpack(raw[:usable] if usable != len(raw) else raw))


def newest_sids(raw: bytes | None) -> list[bytes]:
    """The story ids of a bucket value, newest first (no day decoding: the hot read path)."""
    if not raw:
        return []
    size = _ENTRY.size
    if len(raw) == size:
        # One entry (most buckets): no comprehension.
        return [raw[:8]]
    return [raw[i : i + 8] for i in range(len(raw) - size, -1, -size)]


def encode_entries(items: list[tuple[bytes, int]]) -> bytes:
    """Encode bucket entries (oldest first)."""
    return b"".join(_ENTRY.pack(sid, day) for sid, day in items)


def with_entry(raw: bytes | None, sid: bytes, day: int, cap: int) -> bytes | None:
    """The bucket value with ``sid`` appended (moved to newest), or None if nothing changes.

    Keeps at most ``cap`` entries, dropping the oldest.
    """
    entry = _ENTRY.pack(sid, day)
    if not raw:
        return entry
    size = _ENTRY.size
    if raw[-size:] == entry:
        return None
    for i in range(0, len(raw) - size + 1, size):
        if raw[i : i + 8] == sid:
            raw = raw[:i] + raw[i + size :]
            break
    raw += entry
    return raw[-cap * size :] if len(raw) > cap * size else raw


def encode_exact(sid: bytes, version: int, day: int) -> bytes:
    """The ``x`` value: which story version has this exact fingerprint."""
    return _EXACT.pack(sid, min(version, 0xFFFF), day)


def decode_exact(raw: bytes) -> tuple[bytes, int, int]:
    """``(story id, version, day)`` from an ``x`` value."""
    sid, version, day = _EXACT.unpack_from(raw)
    return sid, version, day


def encode_alias(sid: bytes, day: int) -> bytes:
    """The ``a`` value: the story an extra uri/url belongs to."""
    return _ENTRY.pack(sid, day)


def decode_alias(raw: bytes) -> tuple[bytes, int]:
    """``(story id, day)`` from an ``a`` value."""
    sid, day = _ENTRY.unpack_from(raw)
    return sid, day
