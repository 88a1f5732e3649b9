"""Internal-topic encoding: what hop 3 receives decides exactly as what hop 2 built."""

from __future__ import annotations

from dataclasses import replace

from agents.model import Prepared, RawRecord, Removal
from agents.pipeline import Pipeline
from agents.publish import REMOVED_TEXT_CHARS
from streams import codec
from streams.settings import Settings

_STORY = ("LONDON (Reuters) - The central bank held its main rate at 4.5 percent on Thursday, "
          "as expected by most economists polled last week.\n\n"
          "The decision was unanimous, the bank said in a statement after the meeting.")


def _pipeline() -> Pipeline:
    return Pipeline(Settings(), boilerplate_store={}, story_store={}, clock=lambda: 1_700_000_000.0)


def _prepared(body: str = _STORY) -> tuple[Prepared, Pipeline]:
    pipeline = _pipeline()
    record = RawRecord(value=body.encode(), key=b"k1", headers=(("content-type", b"text/plain"),
                                                                ("source", b"reuters")))
    step = pipeline.prepare(pipeline.ingest(record))  # type: ignore[arg-type]
    assert isinstance(step, Prepared), f"fixture did not prepare: {step}"
    return step, pipeline


def test_prepared_on_the_wire_has_no_item_body():
    """The item's body never crosses to hop 3 (paragraphs and origin bytes carry it)."""
    prepared, _ = _prepared()
    decoded = codec.decode_prepared(codec.encode_internal(prepared))
    assert decoded.article.item.body_text is None and decoded.article.item.body_html is None, decoded.article.item
    assert decoded.origin == prepared.origin, "the original bytes must survive for dead letters"
    assert decoded.article.paragraphs == prepared.article.paragraphs


def test_long_removed_text_is_cut_to_the_published_length():
    """Removed blocks longer than the published cut arrive cut; short ones unchanged."""
    prepared, _ = _prepared()
    removed = (Removal("signup", "x" * (REMOVED_TEXT_CHARS + 50)), Removal("ad.label", "Advertisement"))
    prepared = replace(prepared, article=replace(prepared.article, removed=removed))
    decoded = codec.decode_prepared(codec.encode_internal(prepared))
    assert [len(r.text) for r in decoded.article.removed] == [REMOVED_TEXT_CHARS, len("Advertisement")]


def test_decide_output_is_the_same_after_the_wire():
    """Hop 3 publishes the same message from the slimmed value as from the in-process one."""
    prepared, pipeline = _prepared()
    other, _ = _prepared()
    _, second = _prepared()
    direct = pipeline.decide(prepared)
    wired = second.decide(codec.decode_prepared(codec.encode_internal(other)))
    assert (direct.role, direct.key, direct.value) == (wired.role, wired.key, wired.value)


def test_ingested_keeps_its_body():
    """Hop 2 needs the item body: Ingested is encoded whole."""
    step = _pipeline().ingest(RawRecord(value=_STORY.encode(), headers=(("content-type", b"text/plain"),)))
    decoded = codec.decode_ingested(codec.encode_internal(step))  # type: ignore[arg-type]
    assert decoded == step, "Ingested must round-trip unchanged"
