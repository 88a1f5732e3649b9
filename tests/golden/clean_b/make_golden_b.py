
"""Regenerate the second, independent cleaning golden batch: 4 fictional sites x 4 stories = 16 pages.

Run ``python tests/golden/clean_b/make_golden_b.py``. Written BEFORE any tuning of
the cleaner against it, to measure how the rules generalise to chrome idioms the
first batch (``tests/golden/clean``) does not use: live-blog timestamps,
"Advertisement" interstitials, "Continue reading" teasers, author bio boxes,
photo galleries, "Topics:" tag lists, podcast promos, syndication notes ("This
article originally appeared on ..."), and corrections footers, which ARE story
text and must be kept. Stories and sites are invented for this project.

Layout matches the first batch: ``<site>/<site>_<n>.{txt,html}`` next to
``<site>_<n>.expected.json`` (story paragraphs, chrome lines, metadata).
"""

from __future__ import annotations

import html
import json
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

HERE = Path(__file__).parent
E = html.escape
MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
          "November", "December"]

STORIES = [
    {
        "headline": "Offshore wind farm wins approval despite fishing fleet objections",
        "byline": ["Iona Mackie"],
        "city": "ABERDEEN", "agency": "Reuters",
        "paragraphs": [
            "Regulators approved the fictional Skerrow Bank wind farm on Wednesday, clearing the way for 42 turbines off the north-east coast despite two years of objections from local fishing crews.",
            "The 420-megawatt project, backed by a consortium of three utilities, is expected to supply power to around 380,000 homes once it is finished in 2026.",
            "Fishing associations say the cable route crosses grounds that have supported prawn boats for generations, and they plan to appeal.",
            "\u201cThey have listened to us politely and then done exactly what they wanted,\u201d said skipper Callum Reid, whose family has fished the bank since the 1950s.",
            "The consortium said it would pay into a compensation fund and move the export cable 800 metres east of the original route.",
        ],
        "link_para": 2,
        "caption": "Survey vessels work near the planned turbine site",
        "contributors": "Reporting by Iona Mackie; Editing by Carl Berg",
        "correction": "Correction: An earlier version of this story misstated the capacity of the wind farm. It is 420 megawatts, not 240.",
    },
    {
        "headline": "Teachers walk out over pay in regional strike",
        "byline": ["Claire Bonnet", "Yanis Haddad"],
        "city": "LYON", "agency": "AFP",
        "paragraphs": [
            "Thousands of teachers in the fictional Rh\u00f4ne-Valmont region walked out on Thursday, closing more than 300 schools in the first strike over pay in a decade.",
            "Unions say salaries have fallen 11 percent behind inflation since 2019, while the regional council says its budget cannot stretch further.",
            "Parents queued outside town halls in the morning to find out which childcare centres would stay open.",
            "\u201cWe love this job, but we can no longer afford to do it,\u201d said Nadia Ferhat, a primary school teacher who joined the march through the city centre.",
            "Talks between the council and the three largest unions are scheduled to resume on Monday.",
            "A second strike day has already been called for the following week if no offer is made.",
        ],
        "link_para": 1,
        "caption": "Teachers march through the city centre",
        "contributors": "",
        "correction": "This story has been corrected to show that talks resume on Monday, not Tuesday.",
    },
    {
        "headline": "Museum returns carved doors to their village after 90 years",
        "byline": ["Wanjiru Kamau"],
        "city": "NAIROBI", "agency": "AP",
        "paragraphs": [
            "A pair of carved wooden doors taken from a coastal village in the 1930s came home on Saturday, handed back by a fictional European museum that had kept them in storage for most of the past century.",
            "Elders in the village of Mwambao greeted the crates with songs as they were unloaded from a truck outside the community hall.",
            "The doors, decorated with geometric patterns and verses, once guarded the entrance of a merchant's house that no longer stands.",
            "\u201cOur grandfathers told us about these doors, and now our grandchildren will see them,\u201d said 81-year-old Bakari Shee.",
            "The museum said its board had voted unanimously last year to return the doors after research showed they had been removed without the owners' consent.",
        ],
        "link_para": 4,
        "caption": "Elders inspect the carved doors after they were unloaded",
        "contributors": "",
        "correction": "",
    },
    {
        "headline": "Capital rations water as reservoirs fall to record low",
        "byline": ["Tom\u00e1s Rivera"],
        "city": "SANTIAGO", "agency": "Reuters",
        "paragraphs": [
            "Authorities in the fictional capital district of Nueva Sierra began rotating water cuts on Monday, with some neighbourhoods losing supply for up to 24 hours at a time.",
            "The main reservoirs are at 18 percent of capacity, the lowest level since records began, after a fourth consecutive year of below-average rain.",
            "Officials published a schedule dividing the city into four zones, each facing one cut a week.",
            "\u201cWe are asking everyone to store only what they need, and not to fill swimming pools,\u201d said water commissioner Elena Vidal.",
            "Farmers in the surrounding valleys have already cut irrigation by half, and some orchards have been abandoned.",
            "The government said it would fast-track a desalination plant on the coast, though it is not expected to open before 2027.",
        ],
        "link_para": 3,
        "caption": "A resident fills containers at a water truck",
        "contributors": "Reporting by Tom\u00e1s Rivera; Editing by Ana Lopes",
        "correction": "",
    },
]


def title_city(city: str) -> str:
    return " ".join(w.capitalize() for w in city.split())


def names_en(names: list[str]) -> str:
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]


def story_paras(s: dict, sep: str = "-") -> list[str]:
    return [f"{s['city']} ({s['agency']}) {sep} {s['paragraphs'][0]}", *s["paragraphs"][1:]]


def times(i: int, tz: str) -> tuple[datetime, datetime]:
    pub = datetime(2022, 3 + i // 20, 2 + i % 20, 6 + (i * 7) % 14, 3 + 2 * i, tzinfo=ZoneInfo(tz))
    return pub, pub + timedelta(minutes=41)


def expected(s: dict, paras: list[str], pub: datetime, upd: datetime, chrome: list[str], pics: list[dict]) -> dict:
    return {
        "paragraphs": paras,
        "chrome": [c for c in chrome if c.strip()],
        "headline": s["headline"],
        "byline": s["byline"],
        "dateline": {"city": title_city(s["city"]), "agency": s["agency"]},
        "firstcreated": pub.isoformat(),
        "versioncreated": upd.isoformat(),
        "pictures": pics,
        "contributors": [s["contributors"]] if s["contributors"] else [],
    }


# --- site 1: live blog scraped to plain text; entry timestamps, ADVERTISEMENT interstitials, Topics list -------
def site_eastwindlive(s: dict, i: int) -> tuple[str, str, dict, str]:
    tz = "Europe/London"
    pub, upd = times(i, tz)
    paras = story_paras(s)
    stamps = [f"{(pub + timedelta(minutes=9 * k)):%H:%M} GMT" for k in range(len(paras))][::-1]
    top = ["Skip to main content", "LIVE", "Key events", "Show key events only"]
    teaser = "Continue reading: Ministers to unveil new energy strategy next week"
    topics = "Topics: Energy, Scotland, Climate crisis, Fishing"
    foot = ["Share this live blog", "More on this story", "Storm warnings issued for the islands",
            "Ferry operator cancels weekend sailings", "Explore more on these topics",
            "\u00a9 2022 Eastwind Media Group Ltd."]
    chrome = [*top, *stamps, "ADVERTISEMENT", teaser, topics, *foot]
    lines = [*top, "", s["headline"], ""]
    if s["byline"]:
        lines.append("By " + names_en(s["byline"]))
    lines += [f"First published on {pub.day} {MONTHS[pub.month - 1]} {pub.year} {pub:%H.%M} GMT",
              f"Last modified on {upd.day} {MONTHS[upd.month - 1]} {upd.year} {upd:%H.%M} GMT", ""]
    for k, p in enumerate(paras):
        lines += [stamps[k], p, ""]
        if k == 1:
            lines += ["ADVERTISEMENT", ""]
        if k == 3:
            lines += [teaser, ""]
    if s["correction"]:
        paras = [*paras, s["correction"]]
        lines += [s["correction"], ""]
    if s["contributors"]:
        lines += [f"({s['contributors']})", ""]
    lines += [topics, "", *foot]
    return "\n".join(lines), "text", expected(s, paras, pub, upd, chrome, []), tz


# --- site 2: magazine-style HTML; author bio box, podcast promo, syndication note, links inside story ------------
def site_riverpost(s: dict, i: int) -> tuple[str, str, dict, str]:
    tz = "America/Chicago"
    pub, upd = times(i, tz)
    paras = story_paras(s)
    author = s["byline"][0]
    bio = (f"{author} is a senior correspondent for The River Post, covering energy, labour and the environment. "
           f"Before joining in 2016, {author.split()[0]} worked for regional newspapers for eight years.")
    podcast = ("Listen to The River Daily, our morning news podcast, on Apple Podcasts, Spotify or wherever you "
               "get your podcasts.")
    synd = "This article originally appeared on The Coastal Observer and is republished here with permission."
    topics = "Topics: World, Environment, Labour"
    more_by = f"More from {author}"
    chrome = [bio, podcast, synd, topics, more_by, "Subscribe", "Sign in", "Advertisement",
              "Climate desk: what the new rules mean", "Podcast"]
    body = []
    for k, p in enumerate(paras):
        if k == s["link_para"]:
            # Story paragraphs with several links are still story text.
            words = p.split()
            third = len(words) // 3
            linked = (f'{E(" ".join(words[:third]))} <a href="/topic/a">{E(" ".join(words[third:2 * third]))}</a> '
                      f'<a href="/topic/b">{E(" ".join(words[2 * third:]))}</a>')
            body.append(f"<p>{linked}</p>")
        else:
            body.append(f"<p>{E(p)}</p>")
        if k == 1:
            body.append(f'<div class="inline-unit"><h4>Podcast</h4><p>{E(podcast)}</p></div>')
        if k == 2:
            body.append('<div class="dfp"><p>Advertisement</p></div>')
    if s["correction"]:
        body.append(f'<p class="correction"><em>{E(s["correction"])}</em></p>')
        paras = [*paras, s["correction"]]
    if s["contributors"]:
        body.append(f"<p>({E(s['contributors'])})</p>")
    body.append(f"<p><em>{E(synd)}</em></p>")
    pics = []
    fig = ""
    if s["caption"]:
        fig = (f'<figure class="lead-image"><img src="/i/{i}.jpg"><figcaption>{E(s["caption"])} '
               f'<cite>Photograph: {E(s["agency"])}</cite></figcaption></figure>')
        pics = [{"caption": s["caption"], "credit": s["agency"], "file_photo": False}]
    byline_html = " and ".join(f'<a rel="author" href="/people/{k}">{E(n)}</a>' for k, n in enumerate(s["byline"]))
    page = f"""<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">
<title>{E(s['headline'])} | The River Post</title>
<meta property="article:published_time" content="{pub.isoformat()}">
<meta property="article:modified_time" content="{upd.isoformat()}">
</head><body>
<div class="masthead"><a href="/">The River Post</a><a href="/subscribe">Subscribe</a><a href="/signin">Sign in</a></div>
<div class="page"><div class="col-main">
<h1>{E(s['headline'])}</h1>
<div class="byline-block">By {byline_html}</div>
<div class="stamp">Published {pub:%B %d, %Y %I:%M %p} CT | Updated {upd:%B %d, %Y %I:%M %p} CT</div>
{fig}
<div class="rich-text">{''.join(body)}</div>
<div class="topic-list">{E(topics)}</div>
<div class="author-bio"><img src="/a.jpg"><p>{E(bio)}</p><a href="/people/0">{E(more_by)}</a></div>
</div>
<div class="col-side"><div class="box"><a href="/climate"><h3>Climate desk: what the new rules mean</h3></a></div></div>
</div></body></html>"""
    return page, "html", expected(s, paras, pub, upd, chrome, pics), tz


# --- site 3: scraped plain text, one line per block, gallery and "story continues" interstitials ------------
def site_valleytimes(s: dict, i: int) -> tuple[str, str, dict, str]:
    tz = "America/Los_Angeles"
    pub, upd = times(i, tz)
    paras = story_paras(s, "\u2014")
    gallery = ["Open gallery", "1 / 12", "Gallery: The day in pictures (12 photos)"]
    interst = "Story continues below advertisement"
    teaser = "Continue reading"
    see_also = "SEE ALSO: Five things to know before the weekend"
    topics = "Topics: Local news, Weather, Politics"
    foot = ["Editor's Picks", "Valley schools prepare for new term", "Why rents keep rising in the suburbs",
            "Get the Valley Times app", "Terms of Service | Privacy Policy | Contact Us",
            "Copyright \u00a9 2022 Valley Times Company"]
    chrome = [*gallery, interst, teaser, see_also, topics, *foot]

    def stamp(d: datetime) -> str:
        return f"{d.strftime('%I:%M %p').lstrip('0')} PT {MONTHS[d.month - 1]} {d.day}, {d.year}"

    lines = [s["headline"]]
    if s["byline"]:
        lines.append("By " + names_en(s["byline"]))
    lines += [f"Published {stamp(pub)}", f"Updated {stamp(upd)}", *gallery]
    pics = []
    if s["caption"]:
        lines.append(f"{s['caption']}. (Photo: {s['agency']})")
        pics = [{"caption": s["caption"], "credit": s["agency"], "file_photo": False}]
    for k, p in enumerate(paras):
        lines.append(p)
        if k == 1:
            lines.append(interst)
        if k == 2:
            lines.append(see_also)
    if s["correction"]:
        lines.append(s["correction"])
        paras = [*paras, s["correction"]]
    lines.append(teaser)
    if s["contributors"]:
        lines.append(f"({s['contributors']})")
    lines += [topics, *foot]
    return "\n".join(lines), "text", expected(s, paras, pub, upd, chrome, pics), tz


# --- site 4: div-soup HTML, photo gallery slides, unlabelled ad boxes, live updates, syndication footer ---------
def site_harborlight(s: dict, i: int) -> tuple[str, str, dict, str]:
    tz = "Australia/Sydney"
    pub, upd = times(i, tz)
    paras = story_paras(s, "\u2014")
    slides = [f"{k}/4 Scene {k} from the day, seen from the harbour" for k in range(1, 5)]
    synd = "This article originally appeared on Pacific Wire Service."
    bio = "About the author: a freelance journalist who has reported from three continents."
    podcast = "New episode: listen to Harbour Talk, the podcast about what matters in our city"
    live = f"Live updates: {upd:%H:%M} AEDT"
    chrome = [*slides, synd, bio, podcast, "ADVERTISEMENT", "Continue reading below", "Topics:", live,
              "Share via Email", "Most Viewed", "Harbour bridge closed for marathon", "Beaches reopen after storm"]
    body = []
    for k, p in enumerate(paras):
        body.append(f'<div class="txt">{E(p)}</div>')
        if k == 0:
            body.append('<div class="box-r"><span>ADVERTISEMENT</span></div>')
        if k == 2:
            body.append(f'<div class="box-p"><a href="/podcast">{E(podcast)}</a></div>')
        if k == 3:
            body.append('<div class="box-r"><span>Continue reading below</span></div>')
    if s["correction"]:
        body.append(f'<div class="txt">{E(s["correction"])}</div>')
        paras = [*paras, s["correction"]]
    if s["contributors"]:
        body.append(f'<div class="txt">({E(s["contributors"])})</div>')
    pics = []
    lead = ""
    if s["caption"]:
        lead = f'<div class="lead"><img src="l.jpg"><div class="cap">{E(s["caption"])}. Picture: {E(s["agency"])}</div></div>'
        pics = [{"caption": s["caption"], "credit": s["agency"], "file_photo": False}]
    gallery = "".join(f'<div class="slide"><img src="g{k}.jpg"><div class="slide-cap">{E(t)}</div></div>'
                      for k, t in enumerate(slides))
    authors = ", ".join(s["byline"])
    page = f"""<html><head><title>{E(s['headline'])}</title>
<script type="application/ld+json">{json.dumps({"@type": "NewsArticle", "headline": s["headline"], "datePublished": pub.isoformat(), "dateModified": upd.isoformat(), "author": {"@type": "Person", "name": authors}})}</script>
</head><body><div class="w">
<div class="hd"><div class="logo">Harbor Light</div><div class="liveline">{E(live)}</div></div>
<div class="c1">
<div class="hl">{E(s['headline'])}</div>
<div class="by">{E(authors)}</div>
<div class="sh"><a href="mailto:">Share via Email</a></div>
{lead}
{''.join(body)}
<div class="gal">{gallery}</div>
<div class="ft"><em>{E(synd)}</em></div>
<div class="bx">{E(bio)}</div>
<div class="tg">Topics:</div>
</div>
<div class="c2"><div class="t">Most Viewed</div><div><a href="#">Harbour bridge closed for marathon</a></div><div><a href="#">Beaches reopen after storm</a></div></div>
</div></body></html>"""
    exp = expected(s, paras, pub, upd, chrome, pics)
    # The page credits authors only in JSON-LD as one comma-joined name; a single author is the clean case.
    return page, "html", exp, tz


SITES = [site_eastwindlive, site_riverpost, site_valleytimes, site_harborlight]


def main() -> None:
    """Write every page and its expected JSON (deterministic)."""
    for old in HERE.glob("*/*"):
        old.unlink()
    for si, site in enumerate(SITES):
        name = site.__name__.removeprefix("site_")
        out = HERE / name
        out.mkdir(exist_ok=True)
        for j, story in enumerate(STORIES):
            page, fmt, exp, tz = site(story, si * 4 + j)
            exp["format"] = fmt
            exp["source"] = name
            exp["timezone"] = tz
            stem = f"{name}_{j}"
            (out / f"{stem}.{'html' if fmt == 'html' else 'txt'}").write_text(page + "\n", encoding="utf-8")
            (out / f"{stem}.expected.json").write_text(
                json.dumps(exp, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
