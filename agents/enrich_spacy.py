"""Optional spaCy NER engine for the enrich stage (``WIRESTREAM_ENRICH_ENGINE=spacy``).

Input: the cleaned body. Outcome: the same :class:`~agents.enrich_ner.Recognised`
shape as the fast recogniser, with people, organisations and places taken from
spaCy's PERSON / ORG / GPE+LOC entities (places resolved with the same
gazetteer). Side effects: none per record; spaCy and its model load once.

spaCy is not a runtime dependency: install it and a model (``pip install
spacy`` plus e.g. ``en_core_web_sm``) to use this engine. It is about 50x
slower than the fast engine.
"""

from __future__ import annotations

from typing import Any

from agents.enrich_ner import Recognised, Recogniser, Token, _State


class EngineUnavailable(RuntimeError):
    """spaCy or the configured model is not installed (raised at start-up, not per record)."""


class SpacyEngine:
    """spaCy-backed recogniser; build once per process."""

    def __init__(self, model: str, fallback: Recogniser) -> None:
        try:
            import spacy
        except ImportError as exc:
            raise EngineUnavailable("engine 'spacy' selected but spaCy is not installed: pip install spacy") from exc
        try:
            self.nlp: Any = spacy.load(model, disable=["parser", "lemmatizer", "tagger", "attribute_ruler"])
        except OSError as exc:
            raise EngineUnavailable(
                f"engine 'spacy' selected but model {model!r} is not installed (pip install the model package)"
            ) from exc
        self.fast = fallback

    def recognise(
        self, body: str, *, byline: tuple[str, ...] = (), dateline_city: str | None = None
    ) -> Recognised:
        """People, organisations and places from spaCy's entities."""
        base = self.fast.recognise("", byline=byline, dateline_city=dateline_city)
        fast_words = self.fast.recognise(body, byline=(), dateline_city=None)
        state = _State(self.fast, body, [], frozenset())
        for ent in self.nlp(body).ents:
            tok = [Token(ent.text, ent.start_char, ent.end_char, True, False, False, " ", ent.text.lower())]
            if ent.label_ == "PERSON":
                state.add_person(tok)
            elif ent.label_ == "ORG":
                state.add_org(tok, ent.text)
            elif ent.label_ in ("GPE", "LOC"):
                if not state._lexicon_hit(tok):
                    state.pending_cities.append((ent.text.lower(), tok, False))
        state.resolve_pending(dateline_city.lower() if dateline_city else None)
        state.drop_byline(byline)
        del base
        return Recognised(
            people=list(state.people.values()),
            organisations=list(state.orgs.values()),
            places=list(state.places.values()),
            word_counts=fast_words.word_counts,
            word_total=fast_words.word_total,
            story_countries=frozenset(state.countries_named),
        )
