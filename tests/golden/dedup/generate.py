"""Generate the labelled dedupe set: ``python tests/golden/dedup/generate.py`` -> labelled.jsonl.

Deterministic (no randomness): every variant is chosen by the story's index.
Each record carries the story it belongs to (``story``; pairs of records with
the same story are positives, all other pairs negatives) and the verdict kind
expected (``expect``), plus acceptable duplicate reasons / version kinds.

Variants of the 20 news stories: original; exact resend; syndicated copies with
site edits (dateline credit dropped, "percent" -> "%", weekday edits, line
re-wrapping, last paragraph trimmed, two paragraphs merged, "U.S." -> "US");
agency updates (flagged ``UPDATE 1-`` or not) adding paragraphs; syndicated
copies of the update; corrections; kills; ninjs uri+version series with a
resend and a stale earlier version; late copies of the first version (stale).
Hard negatives: 8 recurring report templates x 8 instances whose numbers,
dates or names differ (oil, jobless claims, earnings, dividends, inflation,
hog slaughter, appointments, crop weather), some with resends and copies.
"""

from __future__ import annotations

import json
import re
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from stories import STORIES, TEMPLATES

OUT = Path(__file__).with_name("labelled.jsonl")
BASE = datetime(2026, 3, 2, 5, 0, tzinfo=UTC)
SITES = ["marketwire-daily.example", "newsdesk24.example", "globalpost.example", "financeview.example"]
_WEEKDAY = re.compile(r" on (Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday)\b")


def syndicate(paras: list[str], k: int) -> list[str]:
    """A site's copy: the same facts with the site's edits (chosen by k)."""
    out = [p.replace(" (Reuters) - ", " - ") for p in paras]
    if k % 2 == 0:
        out = [p.replace(" percent", "%") for p in out]
    if k % 3 != 2:
        out = [_WEEKDAY.sub(r" \1", p) for p in out]
    if k % 4 == 1 and len(out) >= 4:
        out = out[:-1]
    if k % 5 == 0 and len(out) >= 3:
        out = [out[0], out[1] + " " + out[2], *out[3:]]
    if k % 3 == 0:
        out = [p.replace("U.S.", "US") for p in out]
    if k % 2 == 1:
        # Re-wrapped lines, as a site's CMS might store them.
        out = [re.sub(r"(\S+ \S+ \S+ \S+ \S+ \S+ \S+ \S+) ", r"\1\n", p) for p in out]
    return out


def updated(story: dict) -> list[str]:
    """The agency's update: first update paragraph after the lead pair, the rest at the end."""
    paras, upd = story["paras"], story["update"]
    return [*paras[:2], upd[0], *paras[2:], *upd[1:]]


def iso(t: datetime) -> str:
    """ISO 8601 with Z."""
    return t.strftime("%Y-%m-%dT%H:%M:%SZ")


def build() -> list[dict]:
    """All records, in arrival order."""
    events: list[tuple[datetime, int, dict]] = []
    seq = 0

    def add(t: datetime, **rec: object) -> None:
        nonlocal seq
        rec.setdefault("source", "reuters")
        rec.setdefault("format", "text")
        rec.setdefault("versioncreated", iso(t))
        rec["clock"] = iso(t)
        events.append((t, seq, rec))
        seq += 1

    for k, st in enumerate(STORIES):
        sid = f"news{k:02d}"
        t0 = BASE + timedelta(days=k % 9, hours=k % 7, minutes=3 * k)
        head, paras = st["headline"], st["paras"]
        upd = updated(st)
        if k % 4 == 0:
            uri = f"urn:newsml:wire.example:2026:{sid}"
            add(t0, story=sid, expect="new", note="ninjs v1", format="ninjs", uri=uri, version=1,
                headline=head, paragraphs=paras)
            t1 = t0 + timedelta(hours=2)
            add(t1, story=sid, expect="version", kinds=["update"], note="ninjs v2 update", format="ninjs", uri=uri,
                version=2, headline=f"UPDATE 1-{head}", paragraphs=upd)
            add(t1 + timedelta(minutes=5), story=sid, expect="duplicate", reasons=["resend"], note="ninjs v2 resend",
                format="ninjs", uri=uri, version=2, headline=f"UPDATE 1-{head}", paragraphs=upd,
                versioncreated=iso(t1))
            add(t1 + timedelta(minutes=20), story=sid, expect="duplicate", reasons=["stale"],
                note="ninjs v1 arriving late", format="ninjs", uri=uri, version=1, headline=head, paragraphs=paras,
                versioncreated=iso(t0))
            add(t1 + timedelta(minutes=50), story=sid, expect="duplicate", reasons=["syndicated", "near"],
                note="site copy of v2", source=SITES[k % 4], headline=head, paragraphs=syndicate(upd, k))
            if k % 8 == 0:
                add(t1 + timedelta(hours=3), story=sid, expect="version", kinds=["kill"], note="ninjs kill",
                    format="ninjs", uri=uri, version=3, pubstatus="canceled", headline=head,
                    paragraphs=["This story has been withdrawn by the provider."])
            continue
        add(t0, story=sid, expect="new", note="original", headline=head, paragraphs=paras)
        if k % 3 == 0:
            add(t0 + timedelta(minutes=5), story=sid, expect="duplicate", reasons=["exact"], note="exact resend",
                headline=head, paragraphs=paras)
        add(t0 + timedelta(minutes=40), story=sid, expect="duplicate", reasons=["syndicated"], note="site copy",
            source=SITES[k % 4], headline=head, paragraphs=syndicate(paras, k))
        t1 = t0 + timedelta(hours=2)
        flagged = k % 2 == 1
        add(t1, story=sid, expect="version", kinds=["update"], note="update" + (" flagged" if flagged else ""),
            headline=(f"UPDATE 1-{head}" if flagged else head), paragraphs=upd)
        add(t1 + timedelta(minutes=45), story=sid, expect="duplicate", reasons=["syndicated", "near"],
            note="site copy of update", source=SITES[(k + 1) % 4], headline=head,
            paragraphs=syndicate(upd, k + 1))
        if k % 4 == 3:
            add(t1 + timedelta(minutes=70), story=sid, expect="duplicate", reasons=["stale"],
                note="first version arriving after the update", source=SITES[(k + 2) % 4], headline=head,
                paragraphs=paras, versioncreated=iso(t0))
        wrong, right = st["fix"]
        if k % 3 == 1:
            fixed = [p.replace(wrong, right) for p in upd]
            lead = [f"(Corrects {wrong.split()[-1]} in paragraph 1 to {right})"] if k % 2 else []
            add(t1 + timedelta(hours=1), story=sid, expect="version", kinds=["correction"], note="correction",
                headline=f"CORRECTED-{head}", paragraphs=[*lead, *fixed])
        if k % 5 == 2:
            add(t1 + timedelta(hours=2), story=sid, expect="version", kinds=["kill"], note="kill notice",
                headline=f"KILL - {head}",
                paragraphs=[f'Editors: Please kill the story headlined "{head}". It was sent in error. '
                            "There will be no substitute story."])

    for name, fill in TEMPLATES.items():
        for i in range(8):
            head, paras = fill(i)
            sid = f"{name}{i}"
            t = BASE + timedelta(days=i, hours=9 + len(name) % 5, minutes=i)
            add(t, story=sid, expect="new", note=f"recurring {name} #{i}", headline=head, paragraphs=paras,
                source="reuters")
            if i % 3 == 0:
                add(t + timedelta(minutes=30), story=sid, expect="duplicate", reasons=["syndicated"],
                    note=f"site copy of {name} #{i}", source=SITES[i % 4], headline=head,
                    paragraphs=syndicate(paras, i + 1))
            if i % 4 == 1:
                add(t + timedelta(minutes=8), story=sid, expect="duplicate", reasons=["exact"],
                    note=f"resend of {name} #{i}", headline=head, paragraphs=paras)

    events.sort(key=lambda e: (e[0], e[1]))
    out = []
    for n, (_, _, rec) in enumerate(events):
        out.append({"rid": n, **rec})
    return out


def main() -> None:
    """Write labelled.jsonl next to this script."""
    records = build()
    with OUT.open("w", encoding="utf-8") as fh:
        for rec in records:
            fh.write(json.dumps(rec, ensure_ascii=False, sort_keys=True) + "\n")
    print(f"{len(records)} records -> {OUT}")


if __name__ == "__main__":
    main()
