"""One typed, frozen settings object, read once from the environment (12-factor).

Every knob has a ``WIRESTREAM_*`` variable and a default that runs the local demo.
Only the entry points (``streams.__main__``, the replay tool, the bench) call
:meth:`Settings.from_env`; everything else receives values as arguments.

>>> s = Settings.from_env({"WIRESTREAM_PARTITIONS": "8", "WIRESTREAM_DEDUP_WINDOW_DAYS": "7"})
>>> (s.partitions, s.dedup.window_days, s.topics.raw)
(8, 7.0, 'wire.raw')
"""

from __future__ import annotations

import dataclasses
import types
import typing
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal


class SettingsError(ValueError):
    """A setting from the environment is missing or malformed (fail fast at start-up)."""


class Secret(str):
    """A string that never shows itself in ``repr`` or logs."""

    def __repr__(self) -> str:
        return "Secret('**********')" if self else "Secret('')"

    def reveal(self) -> str:
        """The secret's value, for the one place that must hand it to a client."""
        return str.__str__(self)

    def __str__(self) -> str:
        return "**********" if self else ""


@dataclass(frozen=True)
class TopicSettings:
    """Topic names; internal topics are prefixed with the app id."""

    raw: str = "wire.raw"
    enriched: str = "wire.enriched"
    duplicates: str = "wire.duplicates"
    dlq: str = "wire.dlq"
    stories: str = "wire.stories"
    """Compacted latest-story view: every enriched message again, keyed by uri (not a fourth outcome)."""


@dataclass(frozen=True)
class CleanSettings:
    """Cleaning knobs (see agents/clean.py)."""

    default_timezone: str = "UTC"
    """Timezone for page dates that give none (IANA name)."""
    learn_min_stories: int = 3
    """A block recurring in this many different stories of one source is learned chrome."""
    learn_max_blocks_per_source: int = 500
    """Bound on remembered block fingerprints per source (oldest evicted first)."""
    learn_min_chars: int = 20
    """Shorter blocks are not learned (too generic to be evidence)."""
    learn_cache_sources: int = 256
    """Sources whose learned state stays decoded in memory (~100-250 KB each at 500 blocks)."""


@dataclass(frozen=True)
class DedupSettings:
    """Deduplication knobs (see agents/dedupe.py)."""

    window_days: float = 14.0
    """State older than this expires."""
    near_threshold: float = 0.80
    """Estimated Jaccard above which two bodies are near copies."""
    update_threshold: float = 0.40
    """Estimated Jaccard above which a body is a candidate new version of a story."""
    max_stories: int = 1_000_000
    """Hard bound on indexed stories (oldest evicted first)."""
    index_keys: int = 3
    """Smallest shingle hashes each story is indexed under (LSH buckets, band size 1)."""
    query_keys: int = 6
    """Smallest shingle hashes an article looks up (more than index_keys: finds stories it grew from)."""
    sketch_size: int = 32
    """Bottom-k sketch samples stored per story (2 bytes each) for similarity estimates."""


@dataclass(frozen=True)
class EnrichSettings:
    """Enrichment knobs (see agents/enrich.py)."""

    engine: Literal["fast", "spacy"] = "fast"
    spacy_model: str = "en_core_web_sm"
    words_per_minute: int = 230
    max_keywords: int = 10


@dataclass(frozen=True)
class KafkaSecurity:
    """Client security: PLAINTEXT by default; SSL / SASL_SSL / SASL_PLAINTEXT via env."""

    protocol: Literal["PLAINTEXT", "SSL", "SASL_PLAINTEXT", "SASL_SSL"] = "PLAINTEXT"
    sasl_mechanism: Literal["PLAIN", "SCRAM-SHA-256", "SCRAM-SHA-512"] = "PLAIN"
    sasl_username: str = ""
    sasl_password: Secret = Secret("")
    ssl_cafile: str = ""
    ssl_certfile: str = ""
    ssl_keyfile: str = ""


@dataclass(frozen=True)
class Settings:
    """Everything the worker, the offline ``process`` command and the replay tool need."""

    kafka_bootstrap: str = "127.0.0.1:9092"
    app_id: str = "wirestream"
    partitions: int = 4
    processing_guarantee: Literal["at_least_once", "exactly_once"] = "at_least_once"
    max_payload_bytes: int = 2 * 1024 * 1024
    max_field_chars: int = 500_000
    record_budget_s: float = 2.0
    """Records whose processing exceeds this go to the dead-letter topic (error ``timeout``)."""
    web_port: int = 6066
    web_host: str = "127.0.0.1"
    data_dir: Path = Path(".wirestream-data")
    store: Literal["rocksdb", "memory"] = "rocksdb"
    validate_output: bool = True
    """Validate every published message against its JSON Schema (the contract boundary)."""
    max_redrive_retries: int = 3
    session_timeout_s: float = 20.0
    """How long the group waits for a silent worker before moving its partitions (and tables) to the others."""
    fault_injection: bool = False
    """Tests only: honour the ``wirestream-fault`` header (``raise``: hop 2 raises). Never enable in production."""
    topics: TopicSettings = field(default_factory=TopicSettings)
    clean: CleanSettings = field(default_factory=CleanSettings)
    dedup: DedupSettings = field(default_factory=DedupSettings)
    enrich: EnrichSettings = field(default_factory=EnrichSettings)
    security: KafkaSecurity = field(default_factory=KafkaSecurity)

    @classmethod
    def from_env(cls, env: Mapping[str, str]) -> Settings:
        """Build settings from an environment mapping; unknown ``WIRESTREAM_`` keys fail fast."""
        used: set[str] = set()
        built = _build(cls, env, "WIRESTREAM_", used)
        unknown = sorted(k for k in env if k.startswith("WIRESTREAM_") and k not in used and k not in _NOT_SETTINGS
                         and not k.startswith(_TOOL_PREFIXES))
        if unknown:
            raise SettingsError(f"unknown setting(s): {', '.join(unknown)}; see README 'Configuration'")
        return built  # type: ignore[no-any-return]


# Variables read by tools around the settings object, not settings themselves.
# Options of the replay/dump/bench tools (parsed by those tools, not by the worker).
_TOOL_PREFIXES = ("WIRESTREAM_REPLAY_", "WIRESTREAM_DUMP_", "WIRESTREAM_BENCH_")
_NOT_SETTINGS = frozenset({"WIRESTREAM_KAFKA_BOOTSTRAP_FILE", "WIRESTREAM_CACHE_DIR", "WIRESTREAM_TEST_BROKER"})


def to_env(settings: Settings) -> dict[str, str]:
    """The environment that reproduces ``settings`` (for child processes and ConfigMaps).

    >>> Settings.from_env(to_env(Settings(partitions=2))).partitions
    2
    """
    out: dict[str, str] = {}
    _flatten(settings, "WIRESTREAM_", out)
    return out


def _flatten(obj: Any, prefix: str, out: dict[str, str]) -> None:
    for f in dataclasses.fields(obj):
        value = getattr(obj, f.name)
        name = prefix + f.name.upper()
        if dataclasses.is_dataclass(value):
            _flatten(value, name + "_", out)
        elif isinstance(value, Secret):
            if value:
                out[name] = value.reveal()
        elif isinstance(value, bool):
            out[name] = "true" if value else "false"
        else:
            out[name] = str(value)


def env_var_names() -> list[tuple[str, str, str]]:
    """Every setting's (environment variable, type, default), for the README and --help."""
    rows: list[tuple[str, str, str]] = []
    _walk(Settings, "WIRESTREAM_", rows)
    return rows


def _walk(cls: type, prefix: str, rows: list[tuple[str, str, str]]) -> None:
    hints = typing.get_type_hints(cls)
    default = cls()
    for f in dataclasses.fields(cls):
        name = prefix + f.name.upper()
        hint = hints[f.name]
        if dataclasses.is_dataclass(hint):
            _walk(hint, name + "_", rows)  # type: ignore[arg-type]
        else:
            rows.append((name, _type_name(hint), repr(getattr(default, f.name))))


def _type_name(hint: Any) -> str:
    if typing.get_origin(hint) is Literal:
        return " | ".join(str(a) for a in typing.get_args(hint))
    return getattr(hint, "__name__", str(hint))


def _build(cls: type, env: Mapping[str, str], prefix: str, used: set[str]) -> Any:
    hints = typing.get_type_hints(cls)
    kwargs: dict[str, Any] = {}
    for f in dataclasses.fields(cls):
        name = prefix + f.name.upper()
        hint = hints[f.name]
        if dataclasses.is_dataclass(hint):
            kwargs[f.name] = _build(hint, env, name + "_", used)  # type: ignore[arg-type]
            continue
        raw = env.get(name)
        if raw is None and hint is Secret and (path := env.get(name + "_FILE")):
            used.add(name + "_FILE")
            try:
                raw = Path(path).read_text().strip()
            except OSError as exc:
                raise SettingsError(f"{name}_FILE: cannot read secret file: {exc.strerror}") from None
        if raw is None:
            continue
        used.add(name)
        kwargs[f.name] = _coerce(name, hint, raw)
    return cls(**kwargs)


def _coerce(name: str, hint: Any, raw: str) -> Any:
    try:
        if typing.get_origin(hint) is Literal:
            allowed = typing.get_args(hint)
            if raw not in allowed:
                raise ValueError(f"expected one of {', '.join(map(str, allowed))}")
            return raw
        if hint is bool:
            # bool("false") is True; parse the words people actually write.
            lowered = raw.strip().lower()
            if lowered in {"1", "true", "yes", "on"}:
                return True
            if lowered in {"0", "false", "no", "off"}:
                return False
            raise ValueError("expected true/false")
        if hint is Secret:
            return Secret(raw)
        if hint in (int, float, str, Path):
            value = hint(raw)
            if hint in (int, float) and value < 0:
                raise ValueError("must not be negative")
            return value
        if isinstance(hint, types.UnionType):
            return raw
    except ValueError as exc:
        shown = "<secret>" if hint is Secret else repr(raw)
        raise SettingsError(f"{name}={shown}: {exc}") from None
    raise SettingsError(f"{name}: unsupported setting type {hint!r}")
