"""Dedupe benchmark: accuracy on Reuters-21578 and the labelled set, cost, state size, baseline.

Run: ``.venv/bin/python -m streams.bench.dedup [--quick]``. Figures, all measured in
the same run:

* Reuters-21578 (``../shared/corpora/reuters21578``), stories replayed in id
  order, the clock following the story dates: identical-body copies caught,
  near pairs (word 5-gram Jaccard >= 0.9, from the corpus README's pair file)
  caught, and same-title recurring reports with different numbers that were
  wrongly merged (listed). "Caught" means both records end up under the same
  story uri (duplicate or version). The criteria look at the corpus only, never
  at the deduper, and every raw count is reported beside the refined one:

  - identical or near bodies whose headlines carry different tickers
    (``<OAT>`` vs ``<UBCP>``, exchange suffix ignored) are different issuers'
    notices, two stories: listed and left out of the "caught" figures;
  - same-title pairs whose numbers differ (each body has numbers the other
    lacks, >= 20 h apart) are sorted by aligning their sentences with figures
    masked (:func:`same_title_relation`): a recurring report when an aligned
    sentence states other figures (must stay apart), an update when the
    figures differ only in added or removed sentences (merging is right),
    different text otherwise (must stay apart).
* The labelled set ``tests/golden/dedup/labelled.jsonl``: pairwise precision
  and recall of the story grouping, and verdict-kind agreement.
* Cost per article (process CPU time, best of 3 replays): ``decide`` with each
  print computed beforehand (its own cost, excluding the fingerprint) over all
  19,779 corpus stories; the fingerprint (tokenising, shingling, sketching) and
  the whole ``decide`` on the first 3,000 stories (quick) or all of them.
* State bytes per indexed story (sum of len(key) + len(value) / stories) and
  decide's cost per article (prints precomputed) on synthetic stories (corpus
  word frequencies and paragraph shapes): 5k in quick mode, 100k and 1M in full.
* Baseline: datasketch MinHash (128 permutations) + MinHashLSH (threshold 0.8)
  insert cost (CPU time, best of 3) and memory per document (tracemalloc), on
  the same corpus texts (3,000 in quick mode); and a set of 8-byte exact hashes.
"""

from __future__ import annotations

import argparse
import contextlib
import difflib
import gzip
import json
import re
import time
import tracemalloc
from collections import Counter, defaultdict
from collections.abc import Iterator
from datetime import UTC, datetime
from itertools import combinations
from pathlib import Path
from typing import Any

import numpy as np

import agents.dedupe as dedupe_module
from agents.dedupe import Deduper
from agents.fingerprint import SHINGLE_WORDS, DocPrint, doc_print
from agents.model import CleanedArticle, WireItem
from streams.settings import DedupSettings

ROOT = Path(__file__).resolve().parents[2]
CORPUS = ROOT.parent / "shared" / "corpora" / "reuters21578"
LABELLED = ROOT / "tests" / "golden" / "dedup" / "labelled.jsonl"
_PARA_SPLIT = re.compile(r"\n[ \t]{2,}|\n[ \t]*\n")
_WS = re.compile(r"\s+")
_NUM = re.compile(r"\d[\d,.]*")
_WORD = re.compile(r"\w+")
RECURRING_MIN_HOURS = 20
# Reuters puts the issuer's ticker in angle brackets in company headlines: "QUAKER OATS CO <OAT> ...".
_TICKER = re.compile(r"<([^<>\s]{1,16})>")
# A sentence ends at . ! ? followed by space and a capital, digit or quote ("U.S. Treasury" splits
# too, the same way in both bodies, so alignment is unaffected). Fixed-width lookarounds: linear.
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[\"A-Z0-9])")
# Figures a recurring report changes in place: numbers in digits, spelled-out numbers ("one" left
# out: more often a pronoun) and month names (capitalised, so the verb "may" is not one).
_NUMBER_WORDS = ("zero two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen "
                 "sixteen seventeen eighteen nineteen twenty thirty forty fifty sixty seventy eighty ninety").split()
_MONTHS = ("January February March April May June July August September October November December").split()
_FIGURE = re.compile(
    r"(\d[\d,.]*)"
    r"|\b((?i:" + "|".join(_NUMBER_WORDS) + r"))\b"
    r"|\b(" + "|".join(m for name in _MONTHS for m in dict.fromkeys((name, name[:3]))) + r"|Sept)\b"
)
_NUMBER_WORD_VALUE = {w: str(v) for w, v in zip(_NUMBER_WORDS, [0, *range(2, 21), *range(30, 100, 10)], strict=True)}
_SIGNOFF = re.compile(r"\s{1,8}[Rr][Ee][Uu][Tt][Ee][Rr][Ss]?\s{0,8}$")
NEAR_SENTENCE = 0.7
"""Masked sentences whose character similarity (difflib ratio) is at least this are one sentence
lightly edited ("Pay # #" / "Payable # #"), and are aligned."""
UPDATE_COVERAGE = 2 / 3
"""Share of the shorter body's words that must sit in aligned sentences for a pair whose figures
only differ in added or removed sentences to count as an update (it keeps most of the other's text)."""


def _cpu() -> float:
    """CPU seconds of this process: on a shared machine, steadier than wall time."""
    return time.process_time()


def epoch(text: str) -> float:
    """Epoch seconds of an ISO time (naive means UTC)."""
    dt = datetime.fromisoformat(text.replace("Z", "+00:00"))
    if dt.tzinfo is None:
        dt = dt.replace(tzinfo=UTC)
    return dt.timestamp()


def labelled_article(rec: dict[str, Any]) -> CleanedArticle:
    """A labelled-set record as the article the clean stage would hand over."""
    paras = tuple(" ".join(p.split()) for p in rec["paragraphs"])
    item = WireItem(
        format=rec.get("format", "text"),
        source=rec["source"],
        body_text="\n\n".join(paras),
        uri=rec.get("uri"),
        version=rec.get("version"),
        headline=rec["headline"],
        pubstatus=rec.get("pubstatus", "usable"),
        versioncreated=rec.get("versioncreated"),
        signals=tuple(rec.get("signals", ())),
    )
    return CleanedArticle(item=item, headline=rec["headline"], paragraphs=paras,
                          versioncreated=rec.get("versioncreated"))


def load_labelled(path: Path = LABELLED) -> list[dict[str, Any]]:
    """The labelled records, in arrival order."""
    with path.open(encoding="utf-8") as fh:
        return [json.loads(line) for line in fh if line.strip()]


def pairwise(truth: list[str], pred: list[str]) -> tuple[float, float, int, int, int]:
    """Pairwise precision and recall of a predicted grouping against the true one.

    Returns:
        (precision, recall, true pairs, predicted pairs, correct pairs).
    """

    def pairs(groups: Counter[Any]) -> int:
        return sum(n * (n - 1) // 2 for n in groups.values())

    true_pairs = pairs(Counter(truth))
    pred_pairs = pairs(Counter(pred))
    both = pairs(Counter(zip(truth, pred, strict=True)))
    precision = both / pred_pairs if pred_pairs else 1.0
    recall = both / true_pairs if true_pairs else 1.0
    return precision, recall, true_pairs, pred_pairs, both


def evaluate_labelled(records: list[dict[str, Any]], settings: DedupSettings | None = None) -> dict[str, Any]:
    """Replay the labelled set through a fresh deduper and score it."""
    now = [0.0]
    dd = Deduper({}, settings=settings or DedupSettings(), clock=lambda: now[0])
    truth: list[str] = []
    pred: list[str] = []
    kind_ok = 0
    mismatches: list[dict[str, Any]] = []
    for rec in records:
        now[0] = epoch(rec["clock"])
        v = dd.decide(labelled_article(rec))
        truth.append(rec["story"])
        pred.append(v.duplicate_of[0] if v.duplicate_of else v.uri)
        ok = v.kind == rec["expect"]
        if ok and v.kind == "duplicate" and rec.get("reasons"):
            ok = v.reason in rec["reasons"]
        if ok and v.kind == "version" and rec.get("kinds"):
            ok = v.version_kind in rec["kinds"]
        kind_ok += ok
        if not ok:
            mismatches.append({"rid": rec["rid"], "note": rec["note"], "story": rec["story"],
                               "expected": rec["expect"], "got": v.kind, "reason": v.reason,
                               "version_kind": v.version_kind, "similarity": v.similarity})
    precision, recall, tp, pp, both = pairwise(truth, pred)
    return {"records": len(records), "precision": round(precision, 4), "recall": round(recall, 4),
            "true_pairs": tp, "predicted_pairs": pp, "correct_pairs": both,
            "verdict_agreement": round(kind_ok / len(records), 4), "mismatches": mismatches}


def corpus_records(limit: int | None = None) -> list[dict[str, Any]]:
    """The Reuters-21578 records in id order."""
    out = []
    with gzip.open(CORPUS / "reuters21578.jsonl.gz", "rt", encoding="utf-8") as fh:
        for line in fh:
            out.append(json.loads(line))
            if limit is not None and len(out) >= limit:
                break
    out.sort(key=lambda r: r["id"])
    return out


def corpus_article(rec: dict[str, Any]) -> CleanedArticle:
    """A corpus record as a cleaned article (paragraphs = the indented blocks of the body)."""
    body = rec["body"]
    paras = tuple(p for p in (_WS.sub(" ", x).strip() for x in _PARA_SPLIT.split(body)) if p)
    date = rec["date"]
    vc = date + "Z" if date else None
    item = WireItem(format="text", source="reuters", body_text=body, headline=rec["title"], versioncreated=vc)
    return CleanedArticle(item=item, headline=rec["title"] or "", paragraphs=paras or (body.strip(),),
                          versioncreated=vc)


def _numbers(body: str) -> frozenset[str]:
    return frozenset(n.rstrip(".,").replace(",", "") for n in _NUM.findall(body))


def title_tickers(title: str | None) -> frozenset[str]:
    """The issuer codes in a headline's angle brackets, exchange suffix dropped (``<CHOL.O>``: CHOL).

    Reuters writes one issuer as ``<PARC>`` or ``<PARC.O>`` (the suffix names the exchange).

    >>> sorted(title_tickers("CENTRAL HOLDING CO <CHOL.O> SETS QUARTERLY"))
    ['CHOL']
    """
    return frozenset(t.split(".", 1)[0].upper() for t in _TICKER.findall(title or ""))


def different_issuers(title_a: str | None, title_b: str | None) -> bool:
    """Whether two headlines name different issuers: both carry tickers and share none.

    Two dividend notices with byte-identical bodies ("Qtly div 20 cts vs 20 cts previously")
    about two companies are two stories; the ticker is the corpus's own issuer id, so this
    test needs nothing from the deduper.
    """
    a, b = title_tickers(title_a), title_tickers(title_b)
    return bool(a) and bool(b) and a.isdisjoint(b)


def sentences(body: str) -> list[str]:
    """The body's sentences in order (paragraphs split, whitespace collapsed, sign-off dropped)."""
    out = []
    for para in _PARA_SPLIT.split(_SIGNOFF.sub("", body)):
        para = " ".join(para.split())
        for sent in _SENTENCE_END.split(para) if para else ():
            if sent:
                out.append(sent)
    return out


def _figure(match: re.Match[str]) -> str:
    digits, word, month = match.groups()
    if digits is not None:
        return digits.rstrip(".,").replace(",", "")
    if word is not None:
        return _NUMBER_WORD_VALUE[word.lower()]
    return month[:3].lower()


def figures(sentence: str) -> list[str]:
    """The figures a sentence states (numbers, spelled-out numbers, months), as a sorted multiset.

    >>> figures("Record March Two, pay 1,250 dlrs on Mar 15.")
    ['1250', '15', '2', 'mar', 'mar']
    """
    return sorted(map(_figure, _FIGURE.finditer(sentence)))


def mask_figures(sentence: str) -> str:
    """The sentence lower-cased with each figure replaced by ``#`` (its template)."""
    return _FIGURE.sub("#", sentence).lower()


def align_sentences(a: list[str], b: list[str]) -> list[tuple[int, int]]:
    """Pairs ``(i, j)`` of sentences of a and b that are one sentence, compared with figures masked.

    Masked-equal sentences align in order (difflib on the sentence sequences); within each
    replaced block, a sentence of a pairs with the most similar free sentence of b whose masked
    character ratio is at least ``NEAR_SENTENCE`` (lightly edited).
    """
    ma = [mask_figures(s) for s in a]
    mb = [mask_figures(s) for s in b]
    pairs: list[tuple[int, int]] = []
    for tag, i1, i2, j1, j2 in difflib.SequenceMatcher(None, ma, mb, autojunk=False).get_opcodes():
        if tag == "equal":
            pairs.extend((i1 + k, j1 + k) for k in range(i2 - i1))
        elif tag == "replace":
            free = list(range(j1, j2))
            for i in range(i1, i2):
                best, best_ratio = -1, NEAR_SENTENCE
                for j in free:
                    sm = difflib.SequenceMatcher(None, ma[i], mb[j], autojunk=False)
                    if sm.real_quick_ratio() >= best_ratio and sm.quick_ratio() >= best_ratio:
                        ratio = sm.ratio()
                        if ratio >= best_ratio:
                            best, best_ratio = j, ratio
                if best >= 0:
                    pairs.append((i, best))
                    free.remove(best)
    return pairs


def same_title_relation(body_a: str, body_b: str) -> tuple[str, list[str]]:
    """How two same-title bodies whose numbers differ relate, judged from their sentences alone.

    * ``recurring``: an aligned sentence (same wording with figures masked, or lightly edited)
      states other figures (numbers, months): a template whose figures changed in place, a new issue of
      a recurring report. A different story.
    * ``update``: every differing figure sits in a sentence only one body has, and the aligned
      sentences hold at least ``UPDATE_COVERAGE`` of the shorter body's words: a story that
      gained or lost paragraphs (a new version of it).
    * ``different_text``: less text in common (a daily list under a standing headline, or the
      same kind of report reworded around other figures).

    Returns:
        ``(relation, evidence)``: for ``recurring`` the first aligned sentence pair whose
        figures differ (as ``"a: ... | b: ..."``), else the sentences only one body has
        that carry figures.
    """
    a, b = sentences(body_a), sentences(body_b)
    pairs = align_sentences(a, b)
    for i, j in pairs:
        if figures(a[i]) != figures(b[j]):
            return "recurring", [f"a: {a[i]} | b: {b[j]}"]
    shared = sum(len(a[i].split()) for i, _ in pairs)
    shorter = min(sum(len(s.split()) for s in a), sum(len(s.split()) for s in b))
    aligned_a = {i for i, _ in pairs}
    aligned_b = {j for _, j in pairs}
    alone = [s for i, s in enumerate(a) if i not in aligned_a and _FIGURE.search(s)]
    alone += [s for j, s in enumerate(b) if j not in aligned_b and _FIGURE.search(s)]
    if pairs and shared >= UPDATE_COVERAGE * shorter:
        return "update", alone
    return "different_text", alone


def evaluate_corpus(records: list[dict[str, Any]], settings: DedupSettings) -> dict[str, Any]:
    """Replay the corpus; score copies, near pairs and recurring reports; time it."""
    articles = [corpus_article(r) for r in records]
    clocks = []
    clock = 0.0
    for r in records:
        if r["date"]:
            clock = max(clock, epoch(r["date"]))
        clocks.append(clock)
    now = [0.0]
    store: dict[str, bytes] = {}
    dd = Deduper(store, settings=settings, clock=lambda: now[0])
    story: dict[int, str] = {}
    kinds: Counter[str] = Counter()
    rules: Counter[str] = Counter()
    out_of_order = 0
    for r, a, c in zip(records, articles, clocks, strict=True):
        now[0] = c
        v = dd.decide(a)
        kinds[v.kind if v.kind != "duplicate" else f"duplicate/{v.reason}"] += 1
        rules.update({hit.rule for hit in v.rules})
        out_of_order += v.out_of_order
        story[r["id"]] = v.duplicate_of[0] if v.duplicate_of else v.uri
    n = len(records)
    stats = dd.stats()

    # Identical bodies (whitespace collapsed), as in the corpus README: each later member of a
    # group pairs with the group's first (the raw count). A pair whose headlines name different
    # issuers (tickers) is two stories that must stay apart; its later member then pairs with the
    # earliest earlier member about the same issuer, if any.
    titles = {r["id"]: r["title"] for r in records}
    by_body: dict[str, list[int]] = defaultdict(list)
    for r in records:
        by_body[" ".join(r["body"].split())].append(r["id"])
    groups = [ids for ids in by_body.values() if len(ids) > 1]
    beyond = [(ids[0], other) for ids in groups for other in ids[1:]]
    raw_caught = sum(story[a] == story[b] for a, b in beyond)
    copies: list[tuple[int, int]] = []
    issuers_apart: list[dict[str, Any]] = []
    for ids in groups:
        for pos, later in enumerate(ids[1:], start=1):
            first = next((e for e in ids[:pos] if not different_issuers(titles[e], titles[later])), None)
            if first is not None:
                copies.append((first, later))
            else:
                issuers_apart.append({"ids": [ids[0], later], "titles": [titles[ids[0]], titles[later]],
                                      "kept_apart": story[ids[0]] != story[later],
                                      "reason": "different issuers (tickers differ), kept apart"})
    identical_caught = sum(story[a] == story[b] for a, b in copies)
    identical_missed = [{"ids": [a, b], "titles": [titles[a], titles[b]]} for a, b in copies if story[a] != story[b]]

    near: list[tuple[int, int, float, float | None]] = []
    with (CORPUS / "near_duplicate_pairs.tsv").open(encoding="utf-8") as fh:
        next(fh)
        for line in fh:
            id_a, id_b, jac, _be, _te, hours = line.rstrip("\n").split("\t")
            if float(jac) >= 0.9 and int(id_a) in story and int(id_b) in story:
                near.append((int(id_a), int(id_b), float(jac), float(hours) if hours else None))
    window_h = settings.window_days * 24
    # The raw figure over all pairs, then the same with pairs whose headlines name different
    # issuers (two stories by the same criterion as above) set apart.
    near_raw_caught = sum(story[p[0]] == story[p[1]] for p in near)
    near_issuers = [p for p in near if different_issuers(titles[p[0]], titles[p[1]])]
    near = [p for p in near if not different_issuers(titles[p[0]], titles[p[1]])]
    near_caught = [p for p in near if story[p[0]] == story[p[1]]]
    near_in_window = [p for p in near if p[3] is None or p[3] <= window_h]
    near_missed = [p for p in near if story[p[0]] != story[p[1]]]

    # Same-title pairs where each body has numbers the other lacks (the raw set), sorted by what
    # their sentences show (same_title_relation): recurring reports (a template's figures changed
    # in place: must stay apart), updates (figures only in added/removed sentences: merging is
    # right) and different texts under a standing headline (must stay apart).
    by_title: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for r in records:
        if r["title"]:
            by_title[" ".join(r["title"].upper().split())].append(r)
    # Pairs sent less than RECURRING_MIN_HOURS apart are more often a re-sent or reworked copy of
    # one report (reformatted figures, a corrected number) than a new issue of it; counted apart.
    raw_pairs = raw_merged = same_day = same_day_merged = 0
    classes: dict[str, list[int]] = {c: [0, 0] for c in ("recurring", "update", "different_text")}
    same_day_classes: dict[str, list[int]] = {c: [0, 0] for c in classes}
    merged: list[dict[str, Any]] = []
    different_merged: list[dict[str, Any]] = []
    updates: list[dict[str, Any]] = []
    for title, rs in by_title.items():
        if len(rs) < 2:
            continue
        for x, y in combinations(rs, 2):
            nx, ny = _numbers(x["body"]), _numbers(y["body"])
            if not (nx - ny and ny - nx):
                continue
            together = story[x["id"]] == story[y["id"]]
            relation, evidence = same_title_relation(x["body"], y["body"])
            if x["date"] and y["date"] and abs(epoch(x["date"]) - epoch(y["date"])) < RECURRING_MIN_HOURS * 3600:
                same_day += 1
                same_day_merged += together
                same_day_classes[relation][0] += 1
                same_day_classes[relation][1] += together
                continue
            raw_pairs += 1
            raw_merged += together
            classes[relation][0] += 1
            classes[relation][1] += together
            entry = {"ids": [x["id"], y["id"]], "title": title, "merged": together,
                     "only_in_first": sorted(nx - ny)[:6], "only_in_second": sorted(ny - nx)[:6],
                     "evidence": [e[:160] for e in evidence[:3]]}
            if relation == "update":
                updates.append(entry)
            elif together:
                (merged if relation == "recurring" else different_merged).append(entry)
    return {
        "articles": n,
        "verdicts": dict(sorted(kinds.items())),
        "rules_fired": dict(rules.most_common()),
        "out_of_order": out_of_order,
        "identical_body_pairs": len(beyond),
        "identical_body_pairs_linked": raw_caught,
        "identical_different_issuers": issuers_apart,
        "identical_copies": len(copies),
        "identical_caught": identical_caught,
        "identical_caught_pct": round(100 * identical_caught / len(copies), 2) if copies else None,
        "identical_missed": identical_missed,
        "near_pairs_ge_0_9_raw": len(near) + len(near_issuers),
        "near_pairs_ge_0_9_raw_linked": near_raw_caught,
        "near_different_issuers": [
            {"ids": [a, b], "titles": [titles[a], titles[b]], "jaccard": j, "kept_apart": story[a] != story[b],
             "reason": "different issuers (tickers differ), kept apart"} for a, b, j, _h in near_issuers],
        "near_pairs_ge_0_9": len(near),
        "near_caught_pct": round(100 * len(near_caught) / len(near), 2) if near else None,
        "near_pairs_within_window": len(near_in_window),
        "near_caught_within_window_pct": round(
            100 * sum(story[p[0]] == story[p[1]] for p in near_in_window) / len(near_in_window), 2
        ) if near_in_window else None,
        "near_missed": [{"ids": [a, b], "jaccard": j, "hours_apart": h} for a, b, j, h in near_missed],
        "same_title_numbers_differ_pairs": raw_pairs,
        "same_title_numbers_differ_linked": raw_merged,
        "recurring_pairs": classes["recurring"][0],
        "recurring_wrongly_merged": len(merged),
        "recurring_merged_list": merged,
        "different_text_pairs": classes["different_text"][0],
        "different_text_wrongly_merged": len(different_merged),
        "different_text_merged_list": different_merged,
        "update_pairs": classes["update"][0],
        "update_pairs_linked": classes["update"][1],
        "update_list": updates,
        "same_title_numbers_differ_within_20h": same_day,
        "same_title_numbers_differ_within_20h_linked": same_day_merged,
        "within_20h_by_relation": same_day_classes,
        "state_bytes_per_story": round(stats.bytes_per_story, 1),
        "stories": stats.stories,
    }


@contextlib.contextmanager
def prints_precomputed(prints: dict[int, DocPrint]) -> Iterator[None]:
    """Make ``Deduper.decide`` take each article's print from ``prints`` within the block.

    ``prints`` is keyed by ``id(article.paragraphs)``; what remains timed is decide's own cost.
    """
    real = dedupe_module.__dict__["doc_print"]
    setattr(dedupe_module, "doc_print", lambda paragraphs: prints[id(paragraphs)])  # noqa: B010
    try:
        yield
    finally:
        setattr(dedupe_module, "doc_print", real)  # noqa: B010


def time_decide(records: list[dict[str, Any]], settings: DedupSettings, repeats: int,
                total_limit: int | None = None) -> dict[str, Any]:
    """Cost per article of ``decide`` and of the fingerprint alone (best of ``repeats`` replays).

    ``decide`` without the fingerprint is timed over all ``records`` (the state grows to the whole
    corpus); the fingerprint and the whole ``decide`` over the first ``total_limit`` (all when None).
    The machine is shared, so each figure is process CPU time, the fastest of several fresh
    replays (the usual way to read through load from other processes); caches are warm.
    """
    articles = [corpus_article(r) for r in records]
    clocks = [epoch(r["date"]) if r["date"] else 0.0 for r in records]
    prints = {id(a.paragraphs): doc_print(a.paragraphs) for a in articles}
    n_total = len(articles) if total_limit is None else min(total_limit, len(articles))
    fp_best = total_best = excl_best = float("inf")

    def replay(n: int) -> float:
        now = [0.0]
        dd = Deduper({}, settings=settings, clock=lambda: now[0])
        t0 = _cpu()
        for a, c in zip(articles[:n], clocks[:n], strict=True):
            now[0] = c
            dd.decide(a)
        return _cpu() - t0

    for _ in range(repeats):
        t0 = _cpu()
        for a in articles[:n_total]:
            doc_print(a.paragraphs)
        fp_best = min(fp_best, _cpu() - t0)
        total_best = min(total_best, replay(n_total))
        # The same replay with each article's print computed beforehand: decide's own cost.
        with prints_precomputed(prints):
            excl_best = min(excl_best, replay(len(articles)))
    return {"articles": len(articles), "articles_timed_with_fingerprint": n_total, "repeats": repeats,
            "us_per_article_total": round(1e6 * total_best / n_total, 1),
            "us_per_article_fingerprint": round(1e6 * fp_best / n_total, 1),
            "us_per_article_excl_fingerprint": round(1e6 * excl_best / len(articles), 1),
            "us_per_article_total_minus_fingerprint": round(1e6 * (total_best - fp_best) / n_total, 1)}


class Synth:
    """Synthetic stories with the corpus's word frequencies and paragraph shapes."""

    def __init__(self, records: list[dict[str, Any]], seed: int = 7) -> None:
        counts: Counter[str] = Counter()
        shapes: list[list[int]] = []
        for r in records[:5000]:
            a = corpus_article(r)
            lens = []
            for p in a.paragraphs:
                words = p.split()
                counts.update(words)
                lens.append(len(words))
            shapes.append(lens)
        self.vocab = list(counts)
        freq = np.array(list(counts.values()), dtype=float)
        self.cdf = np.cumsum(freq / freq.sum())
        self.shapes = shapes
        self.rng = np.random.default_rng(seed)

    def article(self, i: int) -> CleanedArticle:
        """The i-th synthetic story (unique: it carries its own serial number)."""
        shape = self.shapes[i % len(self.shapes)]
        idx = np.searchsorted(self.cdf, self.rng.random(sum(shape))).tolist()
        vocab = self.vocab
        words = [vocab[min(i, len(vocab) - 1)] for i in idx]
        paras = []
        pos = 0
        for n in shape:
            paras.append(" ".join(words[pos : pos + n]))
            pos += n
        paras[0] = f"Story {i} " + paras[0]
        item = WireItem(format="text", source="synth", headline=f"Synthetic {i}")
        return CleanedArticle(item=item, headline=f"Synthetic {i}", paragraphs=tuple(paras))


def state_size(synth: Synth, n: int) -> dict[str, Any]:
    """Index n synthetic stories into a dict store: state bytes per story, decide's cost per article.

    Each batch of stories is generated, fingerprinted (timed apart), then decided with the prints
    precomputed, so ``us_per_article_decide`` is decide's own cost as the state grows to n stories
    (the fingerprint is timed apart: it does not depend on the state).
    """
    now = [1_800_000_000.0]
    dd = Deduper({}, settings=DedupSettings(max_stories=max(n, 1)), clock=lambda: now[0])
    decide_s = fp_s = 0.0
    batch = 2000
    for start in range(0, n, batch):
        arts = [synth.article(i) for i in range(start, min(n, start + batch))]
        t0 = _cpu()
        prints = {id(a.paragraphs): doc_print(a.paragraphs) for a in arts}
        fp_s += _cpu() - t0
        with prints_precomputed(prints):
            t0 = _cpu()
            for a in arts:
                now[0] += 0.5
                dd.decide(a)
            decide_s += _cpu() - t0
    s = dd.stats()
    return {"stories": s.stories, "keys": s.keys, "state_bytes": s.approx_bytes,
            "bytes_per_story": round(s.bytes_per_story, 1), "keys_per_story": round(s.keys / s.stories, 2),
            "us_per_article_decide": round(1e6 * decide_s / n, 1),
            "us_per_article_fingerprint": round(1e6 * fp_s / n, 1),
            "seconds": round(decide_s + fp_s, 1)}


def datasketch_baseline(records: list[dict[str, Any]], n: int) -> dict[str, Any] | None:
    """Datasketch MinHash(128) + MinHashLSH insert cost and memory per document."""
    try:
        from datasketch import LeanMinHash, MinHash, MinHashLSH  # optional bench dependency
    except ImportError:
        return None
    texts = []
    for r in records[:n]:
        words = _WORD.findall(r["body"].lower())
        if words and words[-1] == "reuter":
            words = words[:-1]
        sh = {" ".join(words[i : i + SHINGLE_WORDS]).encode() for i in range(max(1, len(words) - 4))}
        texts.append(sh)
    t0 = _cpu()
    full = []
    for sh in texts:
        m = MinHash(num_perm=128)
        m.update_batch(list(sh))
        full.append(m)
    minhash_s = _cpu() - t0
    # What a deduper must keep per document to verify candidates: the (lean) signature.
    tracemalloc.start()
    base = tracemalloc.get_traced_memory()[0]
    sigs = [LeanMinHash(m) for m in full]
    sig_bytes = tracemalloc.get_traced_memory()[0] - base
    tracemalloc.stop()
    del full
    insert_s = float("inf")
    for _ in range(3):
        lsh = MinHashLSH(threshold=0.8, num_perm=128)
        t0 = _cpu()
        for i, m in enumerate(sigs):
            lsh.insert(i, m)
        insert_s = min(insert_s, _cpu() - t0)
    # Memory measured on a second index (tracing slows the timed inserts above).
    tracemalloc.start()
    base = tracemalloc.get_traced_memory()[0]
    traced = MinHashLSH(threshold=0.8, num_perm=128)
    for i, m in enumerate(sigs):
        traced.insert(i, m)
    lsh_bytes = tracemalloc.get_traced_memory()[0] - base
    tracemalloc.stop()
    del traced
    t0 = _cpu()
    for m in sigs:
        lsh.query(m)
    query_s = _cpu() - t0
    digests = [doc_print((r["body"],)).fp_bytes for r in records[:n]]
    exact: set[bytes] = set()
    tracemalloc.start()
    base = tracemalloc.get_traced_memory()[0]
    for d in digests:
        exact.add(bytes(d))
    exact_bytes = tracemalloc.get_traced_memory()[0] - base
    tracemalloc.stop()
    return {
        "docs": len(sigs),
        "us_minhash_build": round(1e6 * minhash_s / len(sigs), 1),
        "us_lsh_insert": round(1e6 * insert_s / len(sigs), 1),
        "us_lsh_query": round(1e6 * query_s / len(sigs), 1),
        "lsh_bytes_per_doc": round(lsh_bytes / len(sigs), 1),
        "lsh_plus_signature_bytes_per_doc": round((lsh_bytes + sig_bytes) / len(sigs), 1),
        "exact_hash_set_bytes_per_doc": round(exact_bytes / len(exact), 1),
    }


def run(quick: bool = False) -> dict[str, Any]:
    """Run the benchmark, print a table and return the figures."""
    settings = DedupSettings()
    records = corpus_records()
    labelled = evaluate_labelled(load_labelled())
    corpus = evaluate_corpus(records, settings)
    cost = time_decide(records, settings, 3, total_limit=3_000 if quick else None)
    synth = Synth(records)
    sizes = {"5k": state_size(synth, 5_000)} if quick else {
        "100k": state_size(synth, 100_000), "1M": state_size(synth, 1_000_000)}
    baseline = datasketch_baseline(records, 3_000 if quick else len(records))
    result = {"quick": quick, "labelled": labelled, "corpus": corpus, "cost": cost, "state": sizes,
              "datasketch": baseline}
    _print(result)
    return result


def _print(r: dict[str, Any]) -> None:
    c, lab = r["corpus"], r["labelled"]
    rows = [
        ("labelled set: records", lab["records"]),
        ("labelled: pairwise precision (>= 0.99)", lab["precision"]),
        ("labelled: pairwise recall (>= 0.97)", lab["recall"]),
        ("labelled: verdict kind/reason agreement", lab["verdict_agreement"]),
        ("reuters: articles replayed", c["articles"]),
        ("reuters: identical-body pairs (raw): linked", f'{c["identical_body_pairs_linked"]} of '
                                                        f'{c["identical_body_pairs"]}'),
        ("reuters: ... headlines name different issuers (kept apart, listed)",
         len(c["identical_different_issuers"])),
        ("reuters: identical-body copies of one story caught % (100)",
         f'{c["identical_caught_pct"]} ({c["identical_caught"]} of {c["identical_copies"]})'),
        ("reuters: near pairs >=0.9 (raw): linked", f'{c["near_pairs_ge_0_9_raw_linked"]} of '
                                                    f'{c["near_pairs_ge_0_9_raw"]}'),
        ("reuters: ... headlines name different issuers (kept apart, listed)", len(c["near_different_issuers"])),
        ("reuters: near pairs >=0.9 of one story caught % (>= 95)",
         f'{c["near_caught_pct"]} of {c["near_pairs_ge_0_9"]}'),
        ("reuters: ... of those within the window", f'{c["near_caught_within_window_pct"]} of '
                                                    f'{c["near_pairs_within_window"]}'),
        ("reuters: same-title pairs, numbers differ, >= 20 h apart (raw): linked",
         f'{c["same_title_numbers_differ_linked"]} of {c["same_title_numbers_differ_pairs"]}'),
        ("reuters: ... recurring reports (figures changed in place)", c["recurring_pairs"]),
        ("reuters: ... recurring reports wrongly merged (0)", c["recurring_wrongly_merged"]),
        ("reuters: ... different text under one headline", c["different_text_pairs"]),
        ("reuters: ... different text wrongly merged (0)", c["different_text_wrongly_merged"]),
        ("reuters: ... numbers differ only in added/removed text: updates, linked",
         f'{c["update_pairs_linked"]} of {c["update_pairs"]}'),
        ("reuters: same-title pairs, numbers differ, < 20 h apart: linked",
         f'{c["same_title_numbers_differ_within_20h_linked"]} of {c["same_title_numbers_differ_within_20h"]}'),
        ("reuters: ... of those, by relation [pairs, linked]", c["within_20h_by_relation"]),
        ("reuters: verdicts", c["verdicts"]),
        ("reuters: verdicts explained by each rule (lineage)", c["rules_fired"]),
        ("reuters: verdicts flagged out of order", c["out_of_order"]),
        (f'cost: reuters articles timed (best of {r["cost"]["repeats"]}): decide, with fingerprint',
         f'{r["cost"]["articles"]}, {r["cost"]["articles_timed_with_fingerprint"]}'),
        ("us/article total (decide incl. fingerprint)", r["cost"]["us_per_article_total"]),
        ("us/article fingerprint (tokenise+shingle+sketch)", r["cost"]["us_per_article_fingerprint"]),
        ("us/article excluding fingerprint, prints precomputed (<= 50)", r["cost"]["us_per_article_excl_fingerprint"]),
        ("us/article total minus fingerprint-only pass", r["cost"]["us_per_article_total_minus_fingerprint"]),
        ("reuters: state bytes/story", c["state_bytes_per_story"]),
    ]
    for label, s in r["state"].items():
        rows.append((f"synthetic {label}: state bytes/story (<= 400)", s["bytes_per_story"]))
        rows.append((f"synthetic {label}: us/article decide excluding fingerprint (<= 50)", s["us_per_article_decide"]))
        rows.append((f"synthetic {label}: us/article fingerprint", s["us_per_article_fingerprint"]))
        rows.append((f"synthetic {label}: keys/story, seconds", f'{s["keys_per_story"]}, {s["seconds"]}'))
    b = r["datasketch"]
    if b is None:
        rows.append(("datasketch baseline", "not installed (pip install -e .[bench])"))
    else:
        rows += [
            (f"datasketch ({b['docs']} docs): us MinHash(128) build", b["us_minhash_build"]),
            ("datasketch: us LSH insert / query", f'{b["us_lsh_insert"]} / {b["us_lsh_query"]}'),
            ("datasketch: bytes/doc LSH, LSH+signature", f'{b["lsh_bytes_per_doc"]}, '
                                                         f'{b["lsh_plus_signature_bytes_per_doc"]}'),
            ("exact-hash set: bytes/doc", b["exact_hash_set_bytes_per_doc"]),
        ]
    width = max(len(k) for k, _ in rows)
    for k, v in rows:
        print(f"{k:<{width}}  {v}")
    if c["identical_different_issuers"]:
        print("identical bodies, headlines name different issuers (excluded from copies):")
        for m in c["identical_different_issuers"]:
            print(f"  {m['ids']} {m['titles']}: {m['reason']}{'' if m['kept_apart'] else ' (BUT LINKED)'}")
    if c["identical_missed"]:
        print("identical bodies kept apart:")
        for m in c["identical_missed"]:
            print(f"  {m['ids']} {m['titles']}")
    if c["near_different_issuers"]:
        print("near pairs >= 0.9, headlines name different issuers (excluded):")
        for m in c["near_different_issuers"]:
            print(f"  {m['ids']} jaccard {m['jaccard']} {m['titles']}{'' if m['kept_apart'] else ' (BUT LINKED)'}")
    if c["near_missed"]:
        print("near pairs >= 0.9 not linked:")
        for m in c["near_missed"]:
            print(f"  {m['ids']} jaccard {m['jaccard']} hours apart {m['hours_apart']}")
    if c["recurring_merged_list"]:
        print("wrongly merged recurring reports:")
        for m in c["recurring_merged_list"]:
            print(f"  {m['ids']} {m['title']}: {m['only_in_first']} vs {m['only_in_second']}")
    if c["different_text_merged_list"]:
        print("wrongly merged different texts under one headline:")
        for m in c["different_text_merged_list"]:
            print(f"  {m['ids']} {m['title']}")
    if c["update_list"]:
        print("same title, numbers differ only in added/removed text (updates):")
        for m in c["update_list"]:
            print(f"  {m['ids']} {m['title']} {'linked' if m['merged'] else 'not linked'}: {m['evidence'][:1]}")
    if lab["mismatches"]:
        print("labelled verdict mismatches:")
        for m in lab["mismatches"]:
            print(f"  {m}")


def main() -> None:
    """Command-line entry point."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="CI size (under a minute)")
    parser.add_argument("--json", type=Path, help="also write the figures here")
    args = parser.parse_args()
    result = run(quick=args.quick)
    if args.json:
        args.json.write_text(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
