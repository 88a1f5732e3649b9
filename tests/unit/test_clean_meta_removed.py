"""Cleaning keeps story paragraphs with photo words and reports every metadata block it takes out of the story."""

from __future__ import annotations

import pytest

from agents.clean import clean
from agents.model import WireItem
from streams.settings import CleanSettings

LEAD = "LONDON (Reuters) - Britain's biggest water company said on Tuesday it had secured an emergency loan."
REST = [
    "The company serves about 16 million customers in London and southern England, officials said.",
    "The agreement still needs approval from parliament, where the government holds a large majority.",
]
PROSE = [
    "Protesters carried a giant picture of the president through the streets of the capital.",
    "The town had become a site of pilgrimage for thousands of visitors each year, the mayor said.",
    "He said the committee had received no credit for its work on the report last year.",
]


def _item(fmt: str, paragraphs: list[str]) -> WireItem:
    if fmt == "html":
        html = "<html><body><article><h1>Water company secures loan</h1>" + "".join(
            f"<p>{p}</p>" for p in paragraphs) + "</article></body></html>"
        return WireItem(format="html", source="s", body_html=html)
    if fmt == "ninjs_html":
        return WireItem(format="ninjs", source="s", headline="H", body_html="".join(f"<p>{p}</p>" for p in paragraphs))
    return WireItem(format=fmt, source="s", headline="H" if fmt != "text" else None,
                    body_text="\n\n".join(paragraphs))


@pytest.mark.parametrize("fmt", ["text", "html", "ninjs", "ninjs_html", "generic"])
def test_prose_with_photo_words_stays_story(fmt: str) -> None:
    """Sentences with "picture", "pilgrimage", "credit" are story in pages and feed bodies alike; no picture made."""
    art = clean(_item(fmt, [LEAD, *PROSE, *REST]), settings=CleanSettings())
    missing = [p[:40] for p in PROSE if p not in art.paragraphs]
    assert not missing, (missing, art.removed)
    assert art.pictures == (), art.pictures


@pytest.mark.parametrize("fmt", ["text", "ninjs"])
def test_metadata_blocks_are_reported(fmt: str) -> None:
    """Captions, bylines and contributor lines leave the story with their rule in the cleaning report."""
    blocks = ["By JANE DOE Associated Press", LEAD,
              "FILE PHOTO: A Thames Water sign in London. REUTERS/Toby Melville", *REST,
              "Associated Press writer Mary Clare Jalonick contributed to this report."]
    art = clean(_item(fmt, blocks), settings=CleanSettings())
    assert art.paragraphs == (LEAD, *REST), art.paragraphs
    rules = {r.text: r.rule for r in art.removed}
    assert rules.get(blocks[2]) == "picture", art.removed
    assert rules.get(blocks[-1]) == "contributors", art.removed
    assert rules.get(blocks[0]) == "byline", art.removed
    assert art.byline == ("JANE DOE",)
    assert art.contributors == (blocks[-1],)
