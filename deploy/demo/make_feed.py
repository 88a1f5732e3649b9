"""Regenerate ``deploy/demo/sample-feed.jsonl``, the demo's bundled feed (archive format).

Run from the repository root: ``python deploy/demo/make_feed.py``. The stories below
(other than the seed) are written for this project; they are fictional.
The seed article is read from ``../shared/seeds/`` (the page the project started from).
"""

from __future__ import annotations

import base64
import json
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SEED = ROOT.parent / "shared" / "seeds" / "000_7199b5f1edf378b1.txt"
OUT = ROOT / "deploy" / "demo" / "sample-feed.jsonl"
T0 = 1_772_000_000_000  # epoch ms: 2026-02-25, the feed's first record

PORT_V1 = [
    "ROTTERDAM (Wirestream Demo) - Dock workers at Europe's largest port walked out on Monday in a dispute "
    "over automation, halting container traffic at three terminals, the FNV union said.",
    "The strike began at 6 a.m. local time and is planned to last 48 hours, union spokeswoman Marieke de Vries "
    "told reporters outside the Maasvlakte terminal.",
    "\"We are not against new cranes, we are against losing our jobs to them without a plan,\" de Vries said.",
    "The Port of Rotterdam Authority said about 40 ships were waiting at anchor in the North Sea.",
]
PORT_V2_EXTRA = [
    "Dutch Economy Minister Pieter Jansen urged both sides to return to talks, saying the stoppage was costing "
    "the economy an estimated 50 million euros a day.",
    "Shipping group Maersk said it was diverting two vessels to Antwerp in Belgium.",
]

ECB = [
    "FRANKFURT (Wirestream Demo) - The European Central Bank left its deposit rate unchanged at 2.0% on Thursday, "
    "as expected, and signalled it was in no hurry to cut again while wage growth stays firm.",
    "ECB President Christine Lagarde told a news conference in Frankfurt that inflation in the euro zone was "
    "\"broadly on track\" to return to the bank's 2% target next year.",
    "Markets trimmed bets on a cut in June after the decision, and the euro rose 0.3% against the dollar.",
    "Economists polled by the bank's own survey expect growth of 1.1% this year, held back by weak industry in "
    "Germany and Italy.",
]

TOKYO_DAY1 = [
    "TOKYO (Wirestream Demo) - Japan's Nikkei share average rose 1.2% to 38,410.55 on Tuesday, led by exporters "
    "as the yen weakened past 151 per dollar.",
    "The broader Topix gained 0.9% to 2,701.33. Toyota Motor rose 2.1% and Sony Group added 1.7%.",
    "Trading volume on the main board was 1.8 billion shares, below the 20-day average.",
]
TOKYO_DAY2 = [
    "TOKYO (Wirestream Demo) - Japan's Nikkei share average fell 0.8% to 38,103.20 on Wednesday, as "
    "chipmakers slipped after a weak outlook from a U.S. peer.",
    "The broader Topix lost 0.5% to 2,687.90. Tokyo Electron dropped 3.4% and Advantest fell 2.9%.",
    "Trading volume on the main board was 2.1 billion shares, above the 20-day average.",
]

STORM_HTML = """<!doctype html>
<html lang="en"><head><title>Typhoon forces thousands from homes in northern Philippines | Island Herald</title>
<meta property="og:title" content="Typhoon forces thousands from homes in northern Philippines">
<script>window.dataLayer=[];function track(e){dataLayer.push(e)}</script>
<style>.promo{color:red}</style></head>
<body>
<div class="cookie-banner">We use cookies to improve your experience. <a href="#">Accept all cookies</a></div>
<nav><a href="/">Home</a> | <a href="/news">News</a> | <a href="/sport">Sport</a> | <a href="/weather">Weather</a></nav>
<div class="promo"><a href="/subscribe">Subscribe now: first month free!</a></div>
<article>
<h1>Typhoon forces thousands from homes in northern Philippines</h1>
<p class="byline">By Ana Reyes and Miguel Santos</p>
<time datetime="2026-02-26T08:30:00+08:00">Feb 26, 2026 8:30 AM</time>
<p>MANILA (Wirestream Demo) - More than 30,000 people fled their homes in the northern Philippines on Thursday as
Typhoon Amihan brought winds of up to 150 km per hour to the island of Luzon, disaster officials said.</p>
<p>The storm made landfall in Cagayan province before dawn, cutting power to several towns and toppling trees
onto roads, according to the National Disaster Risk Reduction and Management Council.</p>
<p>"Our priority is to get families out of the low-lying areas before the rivers rise," provincial governor
Manuel Mamba said in a radio interview.</p>
<p>The weather bureau PAGASA said the typhoon would weaken as it crossed the mountains and move towards
Taiwan by Saturday.</p>
<figure><img src="storm.jpg" onerror="alert(1)"><figcaption>Residents wade through floodwater in Tuguegarao.
REUTERS/File Photo</figcaption></figure>
</article>
<aside class="related"><h3>Related stories</h3><ul><li><a href="/a">Five things to know about typhoon season</a></li>
<li><a href="/b">Photos: the week in pictures</a></li></ul></aside>
<div class="newsletter">Sign up for our morning newsletter <a href="/nl">Sign up</a></div>
<footer>&copy; 2026 Island Herald Media. All rights reserved. <a href="/privacy">Privacy</a> <a href="/terms">Terms</a></footer>
<a href="javascript:void(0)" onclick="track('share')">Share on social</a>
</body></html>
"""


def seed_on_other_site(seed_text: str) -> str:
    """The seed story as a second site republishes it: its own chrome around the same paragraphs."""
    lines = seed_text.splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith("MOSCOW (Reuters)"))
    end = next(i for i, line in enumerate(lines) if line.startswith("Latest comments"))
    story = [line for line in lines[start:end] if line.strip() and not line.startswith("\u00a9 Reuters")]
    paragraphs = "\n".join(f"<p>{p}</p>" for p in story)
    return f"""<!doctype html><html><head><title>Belarus leader looks to Putin to help him cling on to power - World Wire Mirror</title></head>
<body><header><nav><a href="/">World Wire Mirror</a> <a href="/world">World</a> <a href="/markets">Markets</a></nav></header>
<div class="ad">Advertisement</div>
<main><article><h1>Belarus leader looks to Putin to help him cling on to power</h1>
<div class="meta">Reuters | Sep 13, 2020 7:15PM ET</div>
{paragraphs}
</article></main>
<section class="comments"><h2>Join the conversation</h2><p>Log in to comment.</p></section>
<footer>Copyright 2026 World Wire Mirror. Data is provided for information only.</footer></body></html>
"""


def ninjs(uri: str, version: int, headline: str, paragraphs: list[str], *, when: str, pubstatus: str = "usable",
          ednote: str | None = None) -> dict[str, object]:
    """A ninjs 2.x text item."""
    item: dict[str, object] = {
        "uri": uri, "version": str(version), "type": "text", "pubstatus": pubstatus,
        "firstcreated": "2026-02-25T07:10:00Z", "versioncreated": when, "language": "en",
        "headlines": [{"role": "main", "value": headline}],
        "bodies": [{"role": "main", "contenttype": "text/plain", "value": "\n\n".join(paragraphs)}],
        "by": "Jan Bakker", "located": "Rotterdam",
        "infosources": [{"name": "Wirestream Demo", "role": "originator"}],
    }
    if ednote:
        item["ednote"] = ednote
    return item


def main() -> None:
    """Write the feed."""
    seed = SEED.read_text(encoding="utf-8")
    port_uri = "urn:newsml:demo.wirestream.example:20260225:rotterdam-port-strike"
    records: list[dict[str, object]] = []

    def add(value: object, key: str | None, headers: dict[str, str] | None = None, *, b64: bool = False) -> None:
        rec: dict[str, object] = {"timestamp": T0 + 60_000 * len(records), "key": key}
        if headers:
            rec["headers"] = headers
        if b64:
            rec["value_b64"] = value
        else:
            rec["value"] = value
        records.append(rec)

    page = {"content-type": "text/plain", "source": "markets-daily.example", "url": "https://markets-daily.example/news/belarus-putin"}
    add(seed, "markets-daily-0913", page)
    add(ninjs(port_uri, 1, "Dock workers strike at Rotterdam port over automation", PORT_V1,
              when="2026-02-25T07:10:00Z"), port_uri)
    add({"id": "ef-20260226-ecb", "url": "https://eurofinance.example/ecb-holds", "source": "eurofinance.example",
         "title": "ECB holds rates, signals no hurry to cut", "body": "\n\n".join(ECB),
         "published": "2026-02-26T13:45:00+01:00", "author": "Klara Weiss", "language": "en"}, "ef-20260226-ecb")
    add(seed_on_other_site(seed), "mirror-belarus", {"content-type": "text/html", "source": "worldwire-mirror.example"})
    add(ninjs(port_uri, 2, "UPDATE 1-Dock workers strike at Rotterdam port, minister urges talks",
              PORT_V1 + PORT_V2_EXTRA, when="2026-02-25T11:30:00Z"), port_uri)
    add(ninjs(port_uri, 2, "UPDATE 1-Dock workers strike at Rotterdam port, minister urges talks",
              PORT_V1 + PORT_V2_EXTRA, when="2026-02-25T11:30:00Z"), port_uri)  # exact resend
    add(ninjs(port_uri, 1, "Dock workers strike at Rotterdam port over automation", PORT_V1,
              when="2026-02-25T07:10:00Z"), port_uri)  # stale: v1 arriving after v2
    add({"id": "mkt-tokyo-0224", "source": "asia-markets.example", "title": "Tokyo stocks close higher as yen weakens",
         "body": "\n\n".join(TOKYO_DAY1), "published": "2026-02-24T15:30:00+09:00"}, "mkt-tokyo-0224")
    add({"id": "mkt-tokyo-0225", "source": "asia-markets.example", "title": "Tokyo stocks close lower as chipmakers slip",
         "body": "\n\n".join(TOKYO_DAY2), "published": "2026-02-25T15:30:00+09:00"}, "mkt-tokyo-0225")
    add(STORM_HTML, "island-herald-typhoon", {"content-type": "text/html", "source": "island-herald.example"})
    add({"id": "ef-20260226-ecb-copy", "url": "https://markets-daily.example/ecb", "source": "markets-daily.example",
         "title": "ECB holds rates, signals no hurry to cut",
         "body": "\n\n".join(ECB) + "\n\nRead more: our central bank tracker.",
         "published": "2026-02-26T14:02:00+01:00"}, "md-ecb")  # syndicated copy with site chrome
    add(ninjs(port_uri, 3, "KILL - Dock workers strike at Rotterdam port", ["This story has been withdrawn. "
              "It was published in error. There will be no substitute."], when="2026-02-25T12:00:00Z",
              pubstatus="canceled", ednote="KILL: story withdrawn"), port_uri)
    add('{"uri": "urn:broken", "headlines": [', "bad-json", {"content-type": "application/json"})
    add({"hello": "world", "numbers": [1, 2, 3]}, "unknown-shape")
    add("", "empty")
    add(base64.b64encode(b"\xff\xfe\x00binary\x9c junk").decode(), "binary", b64=True)
    add({"uri": "urn:no-body", "headlines": [{"value": "A headline without a body"}]}, "no-body")
    with OUT.open("w", encoding="utf-8") as fh:
        for rec in records:
            fh.write(json.dumps(rec, ensure_ascii=False) + "\n")
    print(f"wrote {len(records)} records to {OUT.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
