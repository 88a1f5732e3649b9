"""The pipeline as plain function calls: ingest -> clean -> enrich -> dedupe -> publish.

One code path, three entry points: the Faust worker calls :meth:`Pipeline.ingest`,
:meth:`Pipeline.prepare` and :meth:`Pipeline.decide` in three agents (hops split by
internal topics, see ``streams/topology.py``); ``wirestream process`` and the
replay tool call :meth:`Pipeline.run`, which chains the same three in-process.

Every call returns a value, never raises: expected rejections and unexpected
exceptions alike become dead-letter :class:`Output` values carrying the original
bytes (from :class:`Origin`). State lives in the two injected mappings (Faust
tables in the worker, dicts offline).
"""

from __future__ import annotations

import time
from collections.abc import Callable, MutableMapping
from dataclasses import dataclass
from datetime import UTC, datetime

import schemas
from agents.boilerplate import LearnedBoilerplate
from agents.clean import clean
from agents.dedupe import Deduper
from agents.enrich import Enricher
from agents.errors import CleanError, StageFailure, WirestreamError
from agents.ingest import IngestLimits, ingest_all
from agents.model import CleanedArticle, Ingested, Origin, Prepared, RawRecord, WireItem
from agents.outcome import HEADER_REPROCESS, Output, header
from agents.publish import dead_letter, duplicate, enriched
from streams.settings import Settings

Clock = Callable[[], float]
# Honoured only when settings.fault_injection is on (fault-injection tests): a poison record on demand.
HEADER_FAULT = "wirestream-fault"
_SCHEMA_OF = {"enriched": "enriched.v1", "duplicates": "duplicate.v1", "dlq": "deadletter.v1"}


@dataclass
class StageTimings:
    """Seconds spent in each stage by the last call (read by the worker's metrics)."""

    ingest: float = 0.0
    clean: float = 0.0
    enrich: float = 0.0
    dedupe: float = 0.0


class Pipeline:
    """The stages wired together over injected state and clock."""

    def __init__(
        self,
        settings: Settings,
        *,
        boilerplate_store: MutableMapping[str, bytes],
        story_store: MutableMapping[str, bytes],
        clock: Clock = time.time,
        enricher: Enricher | None = None,
    ) -> None:
        self.settings = settings
        self.clock = clock
        self.limits = IngestLimits(settings.max_payload_bytes, settings.max_field_chars)
        self.learned = LearnedBoilerplate(boilerplate_store, settings=settings.clean)
        self.deduper = Deduper(story_store, settings=settings.dedup, clock=clock)
        self.enricher = enricher if enricher is not None else Enricher.from_settings(settings.enrich)
        self.timings = StageTimings()

    def now_iso(self) -> str:
        """The injected clock as ISO 8601 UTC."""
        return datetime.fromtimestamp(self.clock(), tz=UTC).isoformat()

    def ingest(self, record: RawRecord) -> Ingested | Output:
        """Hop 1 for a single-story record: parse it, or dead-letter it.

        A multi-story record gives its first story: the worker and ``process`` use :meth:`ingest_all`.
        """
        steps = self.ingest_all(record)
        return steps if isinstance(steps, Output) else steps[0]

    def ingest_all(self, record: RawRecord) -> tuple[Ingested, ...] | Output:
        """Hop 1: one :class:`Ingested` per story of the record, or one dead letter.

        A NewsML-G2 ``newsMessage`` may carry several stories; each keeps the record's origin.
        """
        origin = Origin.of(record)
        started = time.perf_counter()
        try:
            return tuple(Ingested(item, origin) for item in ingest_all(record, self.limits))
        except WirestreamError as exc:
            return self.checked(dead_letter(origin, exc, self.now_iso()))
        except Exception as exc:  # a bug must become data, not stop the partition
            return self.checked(dead_letter(origin, _internal("ingest", exc), self.now_iso()))
        finally:
            self.timings.ingest = time.perf_counter() - started

    def prepare(self, ingested: Ingested) -> Prepared | Output:
        """Hop 2: clean (consulting and updating learned boilerplate) and enrich."""
        origin = ingested.origin
        stage = "clean"
        started = time.perf_counter()
        try:
            if self.settings.fault_injection and origin.header(HEADER_FAULT) == "raise":
                raise RuntimeError("fault injected by the wirestream-fault header")
            article = self._clean(ingested.item)
            cleaned_at = time.perf_counter()
            self.timings.clean = cleaned_at - started
            stage = "enrich"
            enrichment = self.enricher.enrich(article)
            self.timings.enrich = time.perf_counter() - cleaned_at
        except WirestreamError as exc:
            return self.checked(dead_letter(origin, exc, self.now_iso()))
        except Exception as exc:  # a bug must become data, not stop the partition
            return self.checked(dead_letter(origin, _internal(stage, exc), self.now_iso()))
        spent = time.perf_counter() - started + self.timings.ingest
        if spent > self.settings.record_budget_s:
            budget = WirestreamError("timeout", f"record took {spent:.3f}s > budget "
                                                f"{self.settings.record_budget_s}s", stage=stage)  # type: ignore[arg-type]
            return self.checked(dead_letter(origin, budget, self.now_iso()))
        return Prepared(article, enrichment, origin)

    def _clean(self, item: WireItem) -> CleanedArticle:
        try:
            return clean(item, settings=self.settings.clean, learned=self.learned)
        except CleanError as exc:
            # A kill or withhold must reach consumers even when its notice is too short to
            # read as a story ("Story withdrawn."): the status change is the news.
            text = (item.body_text or "").strip()
            if exc.code != "empty_body" or item.pubstatus == "usable" or not text or item.body_html:
                raise
            paragraphs = tuple(p.strip() for p in text.split("\n\n") if p.strip())
            return CleanedArticle(item=item, headline=item.headline or paragraphs[0][:200], paragraphs=paragraphs)

    def decide(self, prepared: Prepared) -> Output:
        """Hop 3: dedupe against story state and build the output message."""
        started = time.perf_counter()
        try:
            reprocess = header(prepared.origin.headers, HEADER_REPROCESS) in {"1", "true", "yes"}
            verdict = self.deduper.decide(prepared.article, reprocess=reprocess)
            now = self.now_iso()
            if verdict.kind == "duplicate":
                return self.checked(duplicate(prepared, verdict, now))
            return self.checked(enriched(prepared, verdict, now))
        except WirestreamError as exc:
            return self.checked(dead_letter(prepared.origin, exc, self.now_iso()))
        except Exception as exc:  # a bug must become data, not stop the partition
            return self.checked(dead_letter(prepared.origin, _internal("dedupe", exc), self.now_iso()))
        finally:
            self.timings.dedupe = time.perf_counter() - started

    def reject(self, origin: Origin, code: str, message: str, stage: str = "archive") -> Output:
        """A dead letter for input rejected before ingest (an unreadable archive line)."""
        return self.checked(dead_letter(origin, WirestreamError(code, message, stage=stage),  # type: ignore[arg-type]
                                        self.now_iso()))

    def checked(self, output: Output) -> Output:
        """Enforce the contract at the boundary.

        A message that breaks its schema is a bug, published as an ``internal`` dead letter
        instead of reaching consumers.
        """
        if not self.settings.validate_output:
            return output
        schema = _SCHEMA_OF[output.role]
        if schemas.is_valid(schema, output.value):
            return output
        found = schemas.problems(schema, output.value) or ["rejected by the fast validator"]
        origin = output.origin if output.origin is not None else Origin(b"")
        return dead_letter(origin, StageFailure("internal", "output breaks its schema: " + "; ".join(found[:5]),
                                                stage="publish"), self.now_iso())

    def run(self, record: RawRecord) -> Output:
        """All hops in-process for a single-story record (the golden tests).

        A multi-story record answers with its first story: use :meth:`run_all` for those.
        """
        step = self.ingest(record)
        if isinstance(step, Output):
            return step
        return self._finish(step)

    def run_all(self, record: RawRecord) -> list[Output]:
        """All hops in-process, one output per story of the record (offline ``process``).

        The same outputs the worker publishes for the record, in the same order.
        """
        steps = self.ingest_all(record)
        if isinstance(steps, Output):
            return [steps]
        return [self._finish(step) for step in steps]

    def _finish(self, ingested: Ingested) -> Output:
        prepared = self.prepare(ingested)
        if isinstance(prepared, Output):
            return prepared
        return self.decide(prepared)


def _internal(stage: str, exc: BaseException) -> StageFailure:
    return StageFailure("internal", f"{type(exc).__name__}: {str(exc)[:500]}", stage=stage)  # type: ignore[arg-type]
