"""Unit tests for photo captions in agents/clean_meta.py: credit shapes, caption labels, prose that is not a caption."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from agents import clean_meta as meta
from agents.model import Picture

# Story sentences that hold a photo or credit word ("picture", "image", "credit", "source", "photo by" ...) in prose.
PROSE = [
    "Protesters carried a giant picture of the president through the streets of the capital.",
    "Demonstrators waved a huge picture of the jailed leader outside the court on Monday.",
    "The town had become a site of pilgrimage for thousands of visitors each year.",
    "Officials said the new rules would protect the country's image abroad and at home.",
    "He said the committee had received no credit for its work on the report last year.",
    "Banks tightened credit for small firms after the central bank raised rates again.",
    "The startup sells software for open source developers and plans to expand in Europe.",
    "The shares fell 4% after the company cut its forecast, according to an LSEG source.",
    "A photo by Jane Doe won the Pulitzer Prize for breaking news photography last year.",
    "The image was first published by AP",
    "The picture: a country that borrows more each year to pay for its pensions.",
    "Source: people familiar with the matter said the talks would resume next week.",
    "The minister was pictured with the delegation in Rome, where the talks took place.",
    "ROMA, 3 MAR - Il governo ha approvato un nuovo pacchetto di misure economiche. (ANSA).",
    "The studio holds the \u00a9 on the film, it said in a statement on Monday.",
    "Copyright \u00a9 2022 Valley Times Company",
    "All content \u00a9 Valley Times Company. All rights reserved.",
    "Shares rose (photo makers led the gains) as investors returned.",
    "The report was published on Monday (Reuters).",
]


@pytest.mark.parametrize("text", PROSE)
def test_story_sentence_with_photo_word_is_not_a_caption(text: str) -> None:
    """A prose sentence with a photo/credit word inside gives no picture (it stays story)."""
    pic = meta.caption(text)
    assert pic is None or (pic.credit is None and not pic.file_photo), f"{text!r} read as caption: {pic}"


@pytest.mark.parametrize(("text", "cap", "credit", "file_photo"), [
    ("FILE PHOTO: Thames Water sign. REUTERS/Toby Melville", "FILE PHOTO: Thames Water sign",
     "REUTERS/Toby Melville", True),
    ("FILE PHOTO: FILE PHOTO: A dockyard crane in Gdansk. REUTERS/Kacper Pempel",
     "FILE PHOTO: A dockyard crane in Gdansk", "REUTERS/Kacper Pempel", True),
    ("File Photo: File Photo: Ships wait outside the port", "FILE PHOTO: Ships wait outside the port", None, True),
    ("FILE PHOTO:FILE PHOTO: Ships wait outside the port", "FILE PHOTO: Ships wait outside the port", None, True),
    ("FILE PHOTO - A wind farm off the coast. REUTERS/Jane Doe", "FILE PHOTO: A wind farm off the coast",
     "REUTERS/Jane Doe", True),
    ("Photo: FILE PHOTO: A wind farm off the coast.", "FILE PHOTO: A wind farm off the coast", None, True),
    ("\u00a9 Reuters. FILE PHOTO: FILE PHOTO: Ships wait outside the port",
     "FILE PHOTO: Ships wait outside the port", "Reuters", True),
    ("A wind farm off the coast, May 3, 2024. REUTERS/Jane Doe/File Photo", "A wind farm off the coast, May 3, 2024",
     "REUTERS/Jane Doe/File Photo", True),
    ("FILE - A bank sign is seen in Chicago, Jan. 5, 2024. (AP Photo/Nam Y. Huh, File)",
     "FILE - A bank sign is seen in Chicago, Jan. 5, 2024", "AP Photo/Nam Y. Huh, File", True),
    ("President Joe Biden speaks in the Rose Garden. (AP Photo/Evan Vucci)",
     "President Joe Biden speaks in the Rose Garden", "AP Photo/Evan Vucci", False),
    ("Firefighters work at the scene in Kyiv. Chip Somodevilla/Getty Images",
     "Firefighters work at the scene in Kyiv", "Chip Somodevilla/Getty Images", False),
    ("Firefighters work at the scene in Kyiv. AFP via Getty Images", "Firefighters work at the scene in Kyiv",
     "AFP via Getty Images", False),
    ("Firefighters work at the scene in Kyiv (Photo by Ann Lee/Getty Images)", "Firefighters work at the scene in Kyiv",
     "Ann Lee/Getty Images", False),
    ("Traders on the floor. Photographer: Jason Alden/Bloomberg", "Traders on the floor", "Jason Alden/Bloomberg",
     False),
    ("Xi Jinping speaks in Beijing (Xinhua/Li Xin)", "Xi Jinping speaks in Beijing", "Xinhua/Li Xin", False),
    ("The comet over the desert. Image credit: NASA", "The comet over the desert", "NASA", False),
    ("Ships wait outside the port. REUTERS", "Ships wait outside the port", "REUTERS", False),
    # HTML spans joined without a space: a capitalised marker glued to the caption still starts the credit.
    ("A turboprop is parked on the apronImage credit: Reuters", "A turboprop is parked on the apron", "Reuters", False),
    ("Crowds gather in the squarePhoto: Jane Doe/AFP", "Crowds gather in the square", "Jane Doe/AFP", False),
    ("Crowds in Rome. Photo \u00a9 Jane Doe/AFP", "Crowds in Rome", "Jane Doe/AFP", False),
    ("Crowds in Rome \u00a9AFP", "Crowds in Rome", "AFP", False),
    ("Crowds in Rome (Photo AFP)", "Crowds in Rome", "AFP", False),
    ("A rescued boy is carried ashore (Jane Doe via AP)", "A rescued boy is carried ashore", "Jane Doe via AP", False),
    ("The house in Braunau am Inn, Austria.Leonhard Foeger / Reuters file", "The house in Braunau am Inn, Austria",
     "Leonhard Foeger / Reuters file", True),
])
def test_caption_and_credit_split(text: str, cap: str, credit: str | None, file_photo: bool) -> None:
    """Labels open the caption (FILE PHOTO kept once, others dropped) and the credit is the tail only."""
    assert meta.caption(text) == Picture(cap, credit, file_photo)


@pytest.mark.parametrize(("credit", "ok"), [
    ("REUTERS/Toby Melville", True), ("Getty Images", True), ("AFP via Getty Images", True),
    ("courtesy of the Smith family", True), ("Jane Doe for The New York Times", True),
    ("of the president through the streets of the capital", False), ("for thousands of visitors each year", False),
    ("close to the talks", False), ("Jane Doe won the Pulitzer Prize last year", False), ("", False),
])
def test_credit_shape(credit: str, ok: bool) -> None:
    """A credit is a short name/agency line; a clause of prose is not."""
    assert meta.credit_shaped(credit) is ok, credit


_WORDS = st.sampled_from("the a of in for to and said on with by at its their city streets year officials "
                         "crowd president visitors report people".split())


@settings(max_examples=150, deadline=None)
@given(head=st.lists(_WORDS, min_size=2, max_size=12), tail=st.lists(_WORDS, min_size=2, max_size=12),
       mark=st.sampled_from(["picture", "image", "credit", "source", "photo", "pilgrimage", "imagery", "photos"]))
def test_lower_case_prose_around_a_photo_word_never_gets_a_credit(head: list[str], tail: list[str], mark: str) -> None:
    """Whatever prose surrounds a photo word, no credit is read from a lower-case clause."""
    text = "Protesters " + " ".join(head) + f" {mark} " + " ".join(tail) + "."
    pic = meta.caption(text)
    assert pic is None or pic.credit is None, f"{text!r} -> {pic}"


def test_figure_text_is_a_caption_without_marker() -> None:
    """Text from an HTML figure is a caption even without a credit marker; a trailing agency name is its credit."""
    assert meta.caption("Ships wait outside the port of Lisbon. Lusa", in_figure=True) == Picture(
        "Ships wait outside the port of Lisbon", "Lusa", False)
