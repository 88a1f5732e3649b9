"""Cleaning benchmark: golden-set quality, article-extraction F1 vs trafilatura, speed, adversarial worst case.

Run: ``python -m streams.bench.clean [--quick]``. Figures (all measured in this process, one core):

- golden set (``tests/golden/clean``): paragraph recall, chrome leakage (chrome lines
  that survive / chrome lines), metadata accuracy (share of fields equal to expected);
  the same for the independent batch B (``tests/golden/clean_b``, new sites and chrome
  idioms, written before any tuning against it);
- article-extraction benchmark (``../shared/corpora/article-extraction-benchmark``):
  word-4-gram F1 as upstream computes it (per-page precision and recall averaged),
  and pages/s, for ``clean`` and for trafilatura default and fast mode on the same pages
  (trafilatura is a ``bench`` extra, imported lazily here only);
- microseconds per 800-word plain-text page;
- worst per-page time over adversarial inputs (200,000-char lines, deeply nested HTML,
  thousands of repeated blocks), with the input size, to show no super-linear blow-up.
"""

from __future__ import annotations

import gzip
import json
import re
import sys
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

from agents.clean import clean
from agents.errors import CleanError
from agents.model import WireItem
from streams.settings import CleanSettings

ROOT = Path(__file__).resolve().parents[2]
GOLDEN = ROOT / "tests" / "golden" / "clean"
GOLDEN_B = ROOT / "tests" / "golden" / "clean_b"  # second batch, written before tuning (new sites and idioms)
AEB = ROOT.parent / "shared" / "corpora" / "article-extraction-benchmark"
_TOKEN = re.compile(r"\w+")


# --- golden set -----------------------------------------------------------------------------------------------

def golden_cases(root: Path = GOLDEN) -> list[tuple[Path, dict[str, Any], str]]:
    """Every golden page under ``root``: (page path, expected, page text)."""
    out = []
    for exp_path in sorted(root.glob("*/*.expected.json")):
        exp = json.loads(exp_path.read_text(encoding="utf-8"))
        suffix = ".html" if exp["format"] == "html" else ".txt"
        page_path = exp_path.with_name(exp_path.name.replace(".expected.json", suffix))
        out.append((page_path, exp, page_path.read_text(encoding="utf-8")))
    return out


def golden_item(exp: dict[str, Any], page: str) -> WireItem:
    """The wire item a golden page arrives as."""
    html = exp["format"] == "html"
    return WireItem(format=exp["format"], source=exp["source"], body_text=None if html else page,
                    body_html=page if html else None)


def article_fields(art: Any) -> dict[str, Any]:
    """The metadata fields the golden set checks, in its JSON shape."""
    return {
        "headline": art.headline,
        "byline": list(art.byline),
        "dateline": {"city": art.dateline.city, "agency": art.dateline.agency},
        "firstcreated": art.firstcreated,
        "versioncreated": art.versioncreated,
        "pictures": [{"caption": p.caption, "credit": p.credit, "file_photo": p.file_photo} for p in art.pictures],
        "contributors": list(art.contributors),
    }


def golden_scores(root: Path = GOLDEN) -> dict[str, Any]:
    """Paragraph recall, chrome leakage and metadata accuracy over one golden batch, with per-page failures."""
    paras = hit = chrome = leaked = fields = right = 0
    failures: list[str] = []
    sites = set()
    cases = golden_cases(root)
    for path, exp, page in cases:
        sites.add(exp["source"])
        try:
            art = clean(golden_item(exp, page), settings=CleanSettings(default_timezone=exp["timezone"]))
        except CleanError as exc:
            failures.append(f"{path.name}: CleanError {exc.code}")
            paras += len(exp["paragraphs"])
            fields += 7
            continue
        got = set(art.paragraphs)
        missing = [p for p in exp["paragraphs"] if p not in got]
        body = art.body
        leaks = [c for c in exp["chrome"] if c in body]
        paras += len(exp["paragraphs"])
        hit += len(exp["paragraphs"]) - len(missing)
        chrome += len(exp["chrome"])
        leaked += len(leaks)
        for key, value in article_fields(art).items():
            fields += 1
            if value == exp[key]:
                right += 1
            else:
                failures.append(f"{path.name}: {key} = {value!r}, expected {exp[key]!r}")
        failures += [f"{path.name}: missing paragraph {m[:60]!r}" for m in missing]
        failures += [f"{path.name}: chrome survived {c[:60]!r}" for c in leaks]
    return {
        "pages": len(cases),
        "sites": len(sites),
        "paragraph_recall": hit / max(1, paras),
        "chrome_leakage": leaked / max(1, chrome),
        "metadata_accuracy": right / max(1, fields),
        "failures": failures,
    }


# --- article-extraction benchmark -----------------------------------------------------------------------------

def _shingles(text: str) -> Counter[tuple[str, ...]]:
    toks = _TOKEN.findall(text or "")
    return Counter(tuple(toks[i:i + 4]) for i in range(max(1, len(toks) - 3)))


def aeb_score(preds: dict[str, str], truth: dict[str, str]) -> dict[str, float]:
    """Upstream's metric: per-page shingle tp/fp/fn normalised, precision and recall averaged, F1 of the means."""
    precisions, recalls = [], []
    for key, gold in truth.items():
        p, g = _shingles(preds.get(key, "")), _shingles(gold)
        tp = sum((p & g).values())
        fp = sum(p.values()) - tp
        fn = sum(g.values()) - tp
        if fp == fn == 0:
            precisions.append(1.0)
            recalls.append(1.0)
            continue
        if tp + fp > 0:
            precisions.append(tp / (tp + fp))
        if tp + fn > 0:
            recalls.append(tp / (tp + fn))
    pr = sum(precisions) / max(1, len(precisions))
    rc = sum(recalls) / max(1, len(recalls))
    return {"precision": pr, "recall": rc, "f1": 2 * pr * rc / max(1e-9, pr + rc)}


def aeb_pages(limit: int | None = None) -> tuple[dict[str, str], dict[str, str]]:
    """The benchmark's pages and ground truth (read-only from shared/)."""
    truth_all = json.loads((AEB / "ground-truth.json").read_text(encoding="utf-8"))
    ids = sorted(truth_all)[:limit] if limit else sorted(truth_all)
    pages = {i: gzip.decompress((AEB / "html" / f"{i}.html.gz").read_bytes()).decode("utf-8", "replace") for i in ids}
    return pages, {i: truth_all[i]["articleBody"] for i in ids}


def ours(html: str) -> str:
    """Our extractor as the benchmark sees it: the cleaned body text."""
    try:
        return clean(WireItem(format="html", source="aeb", body_html=html), settings=CleanSettings()).body
    except CleanError:
        return ""


def _run_interleaved(fns: dict[str, Callable[[str], str | None]],
                     pages: dict[str, str]) -> dict[str, tuple[dict[str, str], float]]:
    """Run every extractor on every page, page by page in rotating order, timing each call on its own.

    Interleaving keeps the comparison fair on a shared machine: a burst of load from
    elsewhere slows all extractors alike instead of whichever happened to run then.
    """
    names = list(fns)
    preds: dict[str, dict[str, str]] = {n: {} for n in names}
    spent = dict.fromkeys(names, 0.0)
    for k, (key, html) in enumerate(pages.items()):
        for j in range(len(names)):
            name = names[(k + j) % len(names)]
            t0 = time.perf_counter()
            preds[name][key] = fns[name](html) or ""
            spent[name] += time.perf_counter() - t0
    return {n: (preds[n], len(pages) / max(1e-9, spent[n])) for n in names}


def aeb_compare(quick: bool) -> dict[str, Any]:
    """F1 and pages/s for ours and trafilatura (default, fast) on the same pages, interleaved in one process."""
    if not AEB.exists():
        return {"skipped": f"{AEB} not found"}
    pages, truth = aeb_pages(60 if quick else None)
    results: dict[str, Any] = {"pages": len(pages)}
    fns: dict[str, Callable[[str], str | None]] = {"wirestream": ours}
    try:
        import trafilatura
    except ImportError:
        results["trafilatura"] = "not installed (pip install '.[bench]')"
    else:
        fns["trafilatura"] = lambda h: trafilatura.extract(h)
        fns["trafilatura_fast"] = lambda h: trafilatura.extract(h, fast=True)
    for name, (preds, rate) in _run_interleaved(fns, pages).items():
        results[name] = {**aeb_score(preds, truth), "pages_per_s": rate}
    return results


# --- speed and adversarial inputs -----------------------------------------------------------------------------

def plain_page(words: int = 800) -> str:
    """A synthetic plain-text page of about ``words`` story words with site chrome around it."""
    sentence = "The council said on Tuesday that the new plan would cost about 220 million euros over ten years."
    paras = []
    n = 0
    k = 0
    while n < words:
        p = f"{sentence} Officials, who spoke on condition {k}, said more talks were due."
        paras.append(p)
        n += len(p.split())
        k += 1
    paras[0] = "TALLINN (Reuters) - " + paras[0]
    return "\n\n".join(["Get 30% Off", "Unlock full list", "Harbour city votes on plan", "Published 03/14/2021, 09:05 AM",
                        "By Marta Ilves", *paras, "(Reporting by Marta Ilves; Editing by Peter Holm)",
                        "Latest comments", "\u00a9 2024 Example Media. All rights reserved."])


def per_page_us(quick: bool) -> float:
    """Median microseconds to clean one 800-word plain-text page."""
    item = WireItem(format="text", source="bench", body_text=plain_page())
    settings = CleanSettings()
    runs = 200 if quick else 2000
    times = []
    for _ in range(runs):
        t0 = time.perf_counter()
        clean(item, settings=settings)
        times.append(time.perf_counter() - t0)
    times.sort()
    return times[len(times) // 2] * 1e6


def adversarial_inputs(scale: int = 1) -> dict[str, WireItem]:
    """Inputs built to hit worst cases: huge lines, deep nesting, many repeated blocks, pathological text."""
    line = "word, " * (33_333 * scale)
    return {
        "200k_char_line_text": WireItem(format="text", source="adv", body_text="By " + "A" * 200_000 * scale),
        "200k_char_sentence_text": WireItem(format="text", source="adv", body_text=line),
        "200k_char_line_html": WireItem(format="html", source="adv", body_html=f"<p>{line}</p>"),
        "nested_divs_html": WireItem(format="html", source="adv",
                                     body_html="<div>" * 20_000 * scale + "<p>Deep text, here it is.</p>" + "</div>" * 20_000 * scale),
        "nested_spans_html": WireItem(format="html", source="adv",
                                      body_html="<p>" + "<span><a>" * 10_000 * scale + "x" + "</a></span>" * 10_000 * scale),
        "repeated_blocks_text": WireItem(format="text", source="adv", body_text="\n\n".join(
            ["Share on Facebook", "Officials said the plan, which is new, would cost more money than planned."] * 3_000 * scale)),
        "repeated_blocks_html": WireItem(format="html", source="adv", body_html="".join(
            ["<div class='x'><p>Officials said the plan, which is new, would cost more than planned.</p><a>Share</a></div>"]
            * 3_000 * scale)),
        "dates_everywhere_text": WireItem(format="text", source="adv",
                                          body_text="Published " + "09/13/2020, 07:11 PM " * 8_000 * scale),
        "caption_like_text": WireItem(format="text", source="adv",
                                      body_text="\u00a9 Reuters. " + "FILE PHOTO: " * 15_000 * scale + "x"),
        "unicode_controls_text": WireItem(format="text", source="adv",
                                          body_text=("\u202e\u200b\x00 abc " * 30_000 * scale)),
    }


def adversarial(quick: bool) -> dict[str, Any]:
    """Worst per-page time over the adversarial inputs, at 1x and 2x size (time ratio ~2 means linear)."""
    settings = CleanSettings()
    rows: dict[str, Any] = {}
    for scale in (1, 2):
        for name, item in adversarial_inputs(scale).items():
            t0 = time.perf_counter()
            try:
                clean(item, settings=settings)
            except CleanError:
                pass
            rows.setdefault(name, {})[f"x{scale}_ms"] = (time.perf_counter() - t0) * 1000
    for row in rows.values():
        row["ratio"] = row["x2_ms"] / max(1e-6, row["x1_ms"])
    worst = max(rows.items(), key=lambda kv: kv[1]["x1_ms"])
    return {"cases": rows, "worst_case": worst[0], "worst_ms": worst[1]["x1_ms"],
            "worst_ratio_2x": max(r["ratio"] for r in rows.values())}


def run(quick: bool = False) -> dict[str, Any]:
    """Run every figure, print a table, return the figures (JSON-able)."""
    out: dict[str, Any] = {}
    g = golden_scores()
    out["golden"] = g
    print(f"golden set: {g['pages']} pages / {g['sites']} sites   paragraph recall {g['paragraph_recall']:.4f} "
          f"(target >= 0.99)   chrome leakage {g['chrome_leakage']:.4f} (target <= 0.005)   "
          f"metadata accuracy {g['metadata_accuracy']:.4f}")
    for f in g["failures"][:15]:
        print("   ", f)
    gb = golden_scores(GOLDEN_B)
    out["golden_b"] = gb
    print(f"golden batch B (written before tuning): {gb['pages']} pages / {gb['sites']} sites   paragraph recall "
          f"{gb['paragraph_recall']:.4f}   chrome leakage {gb['chrome_leakage']:.4f}   metadata accuracy "
          f"{gb['metadata_accuracy']:.4f}")
    for f in gb["failures"][:15]:
        print("   ", f)
    out["plain_text_us_per_800_words"] = per_page_us(quick)
    print(f"plain text: {out['plain_text_us_per_800_words']:.0f} us per 800-word page (target <= 1000)")
    adv = adversarial(quick)
    out["adversarial"] = adv
    print(f"adversarial: worst {adv['worst_ms']:.1f} ms ({adv['worst_case']}); worst time ratio at 2x size "
          f"{adv['worst_ratio_2x']:.2f} (linear ~2)")
    for name, row in adv["cases"].items():
        print(f"    {name:<26} {row['x1_ms']:8.1f} ms   2x: {row['x2_ms']:8.1f} ms   ratio {row['ratio']:.2f}")
    aeb = aeb_compare(quick)
    out["article_extraction"] = aeb
    print(f"article-extraction benchmark ({aeb.get('pages', 0)} pages): ")
    print(f"    {'extractor':<18} {'precision':>9} {'recall':>7} {'F1':>6} {'pages/s':>8}")
    for name in ("wirestream", "trafilatura", "trafilatura_fast"):
        row = aeb.get(name)
        if isinstance(row, dict):
            print(f"    {name:<18} {row['precision']:9.3f} {row['recall']:7.3f} {row['f1']:6.3f} {row['pages_per_s']:8.1f}")
        elif row:
            print(f"    {name:<18} {row}")
    return out


if __name__ == "__main__":
    run(quick="--quick" in sys.argv)
