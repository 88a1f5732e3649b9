"""Regenerate the cleaning golden set: 8 fictional sites x 5 stories = 40 pages.

Run ``python tests/golden/clean/make_golden.py``. Every page is written next to a
``.expected.json`` holding the story paragraphs, the chrome lines the site added
(for the leakage figure) and the metadata the cleaner must extract. The sites are
invented and differently built (plain text, hard-wrapped wire copy, semantic HTML,
div soup, JSON-LD pages) with boilerplate phrased in English, German, French and
Spanish, so rules have to generalise rather than fit one layout.
"""

from __future__ import annotations

import html
import json
import sys
import textwrap
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

sys.path.insert(0, str(Path(__file__).parent))
from stories import STORIES

HERE = Path(__file__).parent
E = html.escape
MONTHS_EN = ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
             "November", "December"]
MONTHS_FR = ["janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août", "septembre", "octobre",
             "novembre", "décembre"]


def title_city(city: str) -> str:
    return " ".join(w.capitalize() for w in city.split())


def first_para(s: dict, sep: str = "-") -> str:
    return f"{s['city']} ({s['agency']}) {sep} {s['paragraphs'][0]}"


def story_paras(s: dict, sep: str = "-") -> list[str]:
    return [first_para(s, sep), *s["paragraphs"][1:]]


def times(i: int, tz: str) -> tuple[datetime, datetime]:
    pub = datetime(2021, 1 + i // 28, 1 + i % 28, 7 + (i * 5) % 13, 5 + i, tzinfo=ZoneInfo(tz))
    return pub, pub + timedelta(minutes=17)


def base_expected(s: dict, paras: list[str], pub: datetime, upd: datetime | None, chrome: list[str],
                  pictures: list[dict], contributors: bool = True) -> dict:
    return {
        "paragraphs": paras,
        "chrome": [c for c in chrome if c.strip()],
        "headline": s["headline"],
        "byline": s["byline"],
        "dateline": {"city": title_city(s["city"]), "agency": s["agency"]},
        "firstcreated": pub.isoformat(),
        "versioncreated": (upd or pub).isoformat(),
        "pictures": pictures,
        "contributors": [s["contributors"]] if (contributors and s["contributors"]) else [],
    }


def names_en(names: list[str]) -> str:
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]


# --- site 1: finance portal, plain text, US dates without zone (source default America/New_York) -------------
def site_marketpulse(s: dict, i: int) -> tuple[str, str, dict, str]:
    tz = "America/New_York"
    pub, upd = times(i, tz)
    top = ["Get 30% Off", "\u26a1 Dividend Alert! Which stocks are set to pay more?",
           "See the picks on our WarrenAI radar. These models gained 14.2% this year.", "Unlock full list"]
    foot = ["Latest comments",
            "Risk Disclosure: Trading in financial instruments involves high risks including the risk of losing some, "
            "or all, of your investment amount, and may not be suitable for all investors.",
            "Example Markets would like to remind you that the data contained in this website is not necessarily "
            "real-time nor accurate.",
            "Example Markets may be compensated by the advertisers that appear on the website.",
            "\u00a9 2007-2024 - Example Markets Limited. All Rights Reserved."]
    paras = story_paras(s)
    cap = s["caption"]
    capline = f"\u00a9 {s['agency']}. FILE PHOTO: FILE PHOTO: {cap}" if cap else ""
    lines = [*top, "", s["headline"], "",
             f"Published {pub:%m/%d/%Y, %I:%M %p}", f"Updated {upd:%m/%d/%Y, %I:%M %p}"]
    if capline:
        lines.append(capline)
    lines.append("")
    if s["byline"]:
        lines += [f"By {names_en(s['byline'])}", ""]
    mid = len(paras) // 2
    for k, p in enumerate(paras):
        lines += [p, ""]
        if k == mid and capline:
            lines += [capline, ""]
    if s["contributors"]:
        lines += [f"({s['contributors']})", ""]
    lines += [foot[0], "", *foot[1:]]
    pics = [{"caption": f"FILE PHOTO: {cap}", "credit": s["agency"], "file_photo": True}] if cap else []
    return "\n".join(lines), "text", base_expected(s, paras, pub, upd, top + foot, pics), tz


# --- site 2: semantic HTML news site, ISO datetimes with offset ------------------------------------------------
def site_dailyharbor(s: dict, i: int) -> tuple[str, str, dict, str]:
    tz = "Europe/London"
    pub, upd = times(i, tz)
    when = f"{MONTHS_EN[pub.month - 1][:3]} {pub.day}"
    paras = [f"{s['city']}, {when} ({s['agency']}) - {s['paragraphs'][0]}", *s["paragraphs"][1:]]
    nav = ["Home", "World", "Business", "Markets", "Sport", "Opinion"]
    cookie = "We use cookies to give you the best experience. By continuing you agree to our cookie policy."
    mostread = ["Most read", "Council row over bin collections deepens", "Five walks to try this spring",
                "Why your energy bill is going up again"]
    footer = ["Sign up to our morning newsletter", "Follow us on Facebook and Twitter",
              "\u00a9 2021 Daily Harbor Media Ltd. All rights reserved."]
    readmore = "Read more: Town hall unveils new parking plan"
    chrome = [*nav, cookie, "Accept", "Advertisement", readmore, *mostread, *footer]
    byl = " and ".join(f'<a href="/authors/{k}">{E(n)}</a>' for k, n in enumerate(s["byline"]))
    body = []
    for k, p in enumerate(paras):
        body.append(f"<p>{E(p)}</p>")
        if k == 1:
            body.append('<div class="ad-slot"><span>Advertisement</span></div>')
        if k == 2:
            body.append('<p class="readmore"><strong>Read more:</strong> '
                        '<a href="/news/parking">Town hall unveils new parking plan</a></p>')
    if s["contributors"]:
        body.append(f"<p><em>({E(s['contributors'])})</em></p>")
    fig = ""
    pics = []
    if s["caption"]:
        fig = (f'<figure><img src="/img/{i}.jpg" alt="{E(s["caption"])}"><figcaption>{E(s["caption"])}. '
               f'<span class="credit">Photo: {E(s["agency"])}</span></figcaption></figure>')
        pics = [{"caption": s["caption"], "credit": s["agency"], "file_photo": False}]
    page = f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>{E(s['headline'])} | Daily Harbor</title>
<script>window.dataLayer = [{{"page": "article"}}];</script><style>.ad-slot{{height:250px}}</style></head>
<body>
<div id="cookie-banner" class="cookie-consent"><p>{cookie}</p><button>Accept</button></div>
<header><nav><ul>{''.join(f'<li><a href="/{n.lower()}">{n}</a></li>' for n in nav)}</ul></nav></header>
<main><article>
<h1>{E(s['headline'])}</h1>
{f'<p class="byline">By {byl}</p>' if byl else ''}
<p class="dates"><time datetime="{pub.isoformat()}">{pub:%d %B %Y, %H:%M}</time> &middot; Updated
<time datetime="{upd.isoformat()}">{upd:%H:%M}</time></p>
{fig}
<div class="article-body">
{chr(10).join(body)}
</div>
</article>
<aside class="most-read"><h2>Most read</h2><ol>{''.join(f'<li><a href="/x{k}">{E(t)}</a></li>' for k, t in enumerate(mostread[1:]))}</ol></aside>
</main>
<footer><p><a href="/newsletter">Sign up to our morning newsletter</a></p><p>Follow us on <a href="#">Facebook</a> and <a href="#">Twitter</a></p>
<p>&copy; 2021 Daily Harbor Media Ltd. All rights reserved.</p></footer>
</body></html>"""
    return page, "html", base_expected(s, paras, pub, upd, chrome, pics), tz


# --- site 3: German regional portal, HTML divs, German date lines (source default Europe/Berlin) -------------
def site_nordblick(s: dict, i: int) -> tuple[str, str, dict, str]:
    tz = "Europe/Berlin"
    pub, upd = times(i, tz)
    paras = story_paras(s)
    crumbs = "Startseite \u203a Nachrichten \u203a Welt"
    share = "Artikel teilen: Facebook \u00b7 Twitter \u00b7 E-Mail"
    more = ["Mehr zum Thema", "Neue Radwege f\u00fcr die Innenstadt geplant",
            "Stadtwerke erh\u00f6hen die Preise"]
    comments = ["Kommentare (3)", "Klaus_M: Das wurde auch Zeit!",
                "Leserin42: Wer soll das bezahlen?", "Jetzt kommentieren"]
    footer = ["Impressum | Datenschutz | AGB | Kontakt",
              "\u00a9 2021 Nordblick Verlag GmbH. Alle Rechte vorbehalten."]
    chrome = [crumbs, share, "Anzeige", *more, *comments, *footer]
    body = []
    for k, p in enumerate(paras):
        body.append(f'<div class="text">{E(p)}</div>')
        if k == 2:
            body.append('<div class="anzeige">Anzeige</div>')
    if s["contributors"]:
        body.append(f'<div class="text">({E(s["contributors"])})</div>')
    pics = []
    fig = ""
    if s["caption"]:
        fig = f'<div class="bild"><img src="b.jpg"><div class="bildtext">{E(s["caption"])} (Foto: {E(s["agency"])})</div></div>'
        pics = [{"caption": s["caption"], "credit": s["agency"], "file_photo": False}]
    autor = f'<div class="autor">Von {E(names_en(s["byline"]).replace(" and ", " und "))}</div>' if s["byline"] else ""
    page = f"""<html><head><meta charset="utf-8"><title>{E(s['headline'])}</title></head><body>
<div class="kopf"><div class="crumbs">{crumbs}</div></div>
<div class="inhalt"><div class="artikel">
<h1 class="titel">{E(s['headline'])}</h1>
{autor}
<div class="datum">Ver\u00f6ffentlicht am {pub:%d.%m.%Y} um {pub:%H:%M} Uhr</div>
<div class="datum">Aktualisiert am {upd:%d.%m.%Y} um {upd:%H:%M} Uhr</div>
<div class="teilen">{share}</div>
{fig}
{chr(10).join(body)}
</div>
<div class="mehr"><h3>Mehr zum Thema</h3><ul>{''.join(f'<li><a href="#">{E(t)}</a></li>' for t in more[1:])}</ul></div>
<div class="kommentare"><h3>Kommentare (3)</h3>{''.join(f'<div class="c">{E(c)}</div>' for c in comments[1:3])}<a href="#">Jetzt kommentieren</a></div>
</div>
<div class="fuss"><a href="#">Impressum</a> | <a href="#">Datenschutz</a> | <a href="#">AGB</a> | <a href="#">Kontakt</a>
<p>\u00a9 2021 Nordblick Verlag GmbH. Alle Rechte vorbehalten.</p></div>
</body></html>"""
    exp = base_expected(s, paras, pub, upd, chrome, pics)
    return page, "html", exp, tz


# --- site 4: French daily, plain text, French dates (source default Europe/Paris) ----------------------------
def site_lequotidien(s: dict, i: int) -> tuple[str, str, dict, str]:
    tz = "Europe/Paris"
    pub, upd = times(i, tz)
    paras = story_paras(s)
    top = ["Accueil > International", "Abonnez-vous pour 1 \u20ac le premier mois"]
    share = ["Partager sur Facebook", "Partager sur Twitter", "Envoyer par e-mail"]
    lire = "Lire aussi : Les march\u00e9s attendent la banque centrale"
    foot = ["Newsletter : recevez chaque matin l'essentiel de l'actualit\u00e9",
            "Les plus lus", "1. Le prix du pain augmente encore", "2. Dix id\u00e9es de sorties ce week-end",
            "\u00a9 Le Quotidien Fictif 2021 - Tous droits r\u00e9serv\u00e9s"]
    chrome = [*top, *share, lire, *foot]
    fr = lambda d: f"{d.day} {MONTHS_FR[d.month - 1]} {d.year} \u00e0 {d:%H}h{d:%M}"  # noqa: E731
    lines = [*top, "", s["headline"], ""]
    if s["byline"]:
        lines.append("Par " + (s["byline"][0] if len(s["byline"]) == 1 else
                               ", ".join(s["byline"][:-1]) + " et " + s["byline"][-1]))
    lines += [f"Publi\u00e9 le {fr(pub)}, mis \u00e0 jour le {fr(upd)}", *share, ""]
    pics = []
    if s["caption"]:
        lines += [f"{s['caption']}. Photo : {s['agency']}", ""]
        pics = [{"caption": s["caption"], "credit": s["agency"], "file_photo": False}]
    for k, p in enumerate(paras):
        lines += [p, ""]
        if k == 1:
            lines += [lire, ""]
    if s["contributors"]:
        lines += [f"({s['contributors']})", ""]
    lines += [foot[0], "", *foot[1:4], "", foot[4]]
    return "\n".join(lines), "text", base_expected(s, paras, pub, upd, chrome, pics), tz


# --- site 5: blog-style HTML with div soup and <br> paragraphs (source default America/Los_Angeles) ----------
def site_techblog(s: dict, i: int) -> tuple[str, str, dict, str]:
    tz = "America/Los_Angeles"
    pub, upd = times(i, tz)
    paras = story_paras(s)
    share = ["Share on Facebook", "Tweet", "Pin it", "Email"]
    tail = ["Tags: news, world, wire", "Related posts", "Ten gadgets we loved this month",
            "Our favourite podcasts right now", "12 Comments", "Join the conversation",
            "Leave a reply", "You must be logged in to post a comment."]
    side = "Subscribe to our newsletter and never miss a story!"
    chrome = [*share, *tail, side, "Posted in World"]
    hm = lambda d: f"{MONTHS_EN[d.month - 1]} {d.day}, {d.year} at {d.strftime('%I:%M %p').lstrip('0').lower()}"  # noqa: E731
    text = "<br><br>\n".join(E(p) for p in paras)
    if s["contributors"]:
        text += f"<br><br>\n({E(s['contributors'])})"
    pics = []
    img = ""
    if s["caption"]:
        img = f'<div class="wp-caption"><img src="x.jpg"><p class="wp-caption-text">{E(s["caption"])} (Photo by {E(s["agency"])})</p></div>'
        pics = [{"caption": s["caption"], "credit": s["agency"], "file_photo": False}]
    author = f'<span class="author">Posted by {E(names_en(s["byline"]))}</span>' if s["byline"] else ""
    page = f"""<html><head><title>{E(s['headline'])} - The Gadget Shed</title>
<script type="text/javascript">var x = "<p>not text</p>"; function track(){{}}</script></head>
<body onload="track()"><div id="wrap"><div class="top"><a href="/">The Gadget Shed</a> <a href="/about">About</a> <a href="/contact">Contact</a></div>
<div class="post"><div class="post-title"><h2>{E(s['headline'])}</h2></div>
<div class="meta">{author} <span class="date">{hm(pub)}</span> &mdash; <span class="upd">Updated: {hm(upd)}</span> &mdash; Posted in <a href="/c/world">World</a></div>
<div class="share"><a href="#">Share on Facebook</a> <a href="#">Tweet</a> <a href="#">Pin it</a> <a href="#">Email</a></div>
{img}
<div class="entry">{text}</div>
<div class="tags">Tags: <a href="#">news</a>, <a href="#">world</a>, <a href="#">wire</a></div>
<div class="related"><h4>Related posts</h4><ul><li><a href="#">Ten gadgets we loved this month</a></li><li><a href="#">Our favourite podcasts right now</a></li></ul></div>
<div id="comments"><h3>12 Comments</h3><h4>Join the conversation</h4><h4>Leave a reply</h4><p>You must be logged in to post a comment.</p></div>
</div>
<div class="sidebar"><div class="widget">Subscribe to our newsletter and never miss a story!</div></div>
</div></body></html>"""
    return page, "html", base_expected(s, paras, pub, upd, chrome, pics), tz


# --- site 6: agency wire copy, plain text hard-wrapped at 70 columns, ET zone abbreviations -------------------
def site_wirecopy(s: dict, i: int) -> tuple[str, str, dict, str]:
    tz = "America/New_York"
    pub, upd = times(i, tz)
    paras = story_paras(s, "\u2014")
    fmt = lambda d: f"{d:%b} {d.day}, {d.year} {d.strftime('%I:%M%p').lstrip('0')} ET"  # noqa: E731
    foot = ["Copyright 2021 The Associated Press. All rights reserved. This material may not be published, "
            "broadcast, rewritten or redistributed without permission."]
    follow = "Follow the newsdesk on Twitter at https://twitter.com/example_wire"
    chrome = [*foot, follow, "___"]
    lines = [s["headline"].upper() if i % 2 else s["headline"]]
    if s["byline"]:
        lines.append("By " + names_en([n.upper() for n in s["byline"]]))
    lines += [fmt(pub), f"Updated: {fmt(upd)}", ""]
    for p in paras:
        lines += [*textwrap.wrap(p, 70), ""]
    lines += ["___", "", follow, "", *textwrap.wrap(foot[0], 70)]
    exp = base_expected(s, paras, pub, upd, chrome, [], contributors=False)
    exp["byline"] = [n.upper() for n in s["byline"]]
    if i % 2:
        exp["headline"] = s["headline"].upper()
    return "\n".join(lines), "text", exp, tz


# --- site 7: Spanish portal, HTML with cookie wall and sections (source default Europe/Madrid) ----------------
def site_elfaro(s: dict, i: int) -> tuple[str, str, dict, str]:
    tz = "Europe/Madrid"
    pub, upd = times(i, tz)
    paras = story_paras(s)
    cookie = ("Utilizamos cookies propias y de terceros para mejorar nuestros servicios. Si contin\u00faa navegando, "
              "consideramos que acepta su uso.")
    share = ["Compartir en Facebook", "Compartir en Twitter", "Compartir en WhatsApp"]
    rel = ["Noticias relacionadas", "El tiempo para este fin de semana", "La liga vuelve el domingo"]
    foot = ["Suscr\u00edbete a nuestro bolet\u00edn", "Te puede interesar", "Aviso legal \u00b7 Pol\u00edtica de privacidad \u00b7 Cookies",
            "\u00a9 2021 El Faro Digital S.L."]
    chrome = [cookie, "Aceptar", *share, *rel, *foot, "Publicidad"]
    body = []
    for k, p in enumerate(paras):
        body.append(f"<p>{E(p)}</p>")
        if k == 0:
            body.append('<div class="publi"><small>Publicidad</small><div id="gpt-1"></div></div>')
    if s["contributors"]:
        body.append(f"<p>({E(s['contributors'])})</p>")
    pics = []
    fig = ""
    if s["caption"]:
        fig = f'<figure class="foto"><img src="f.jpg"><figcaption>{E(s["caption"])}. {E(s["agency"])}</figcaption></figure>'
        pics = [{"caption": s["caption"], "credit": s["agency"], "file_photo": False}]
    por = ("Por " + " y ".join(s["byline"])) if s["byline"] else ""
    page = f"""<html lang="es"><head><meta charset="utf-8"><title>{E(s['headline'])}</title></head><body>
<div class="cookies"><p>{cookie}</p><a href="#">Aceptar</a></div>
<div class="cabecera"><ul class="menu"><li><a href="#">Portada</a></li><li><a href="#">Nacional</a></li><li><a href="#">Internacional</a></li></ul></div>
<div class="noticia">
<h1>{E(s['headline'])}</h1>
<div class="firma">{E(por)}</div>
<div class="fecha">Publicado: {pub:%d/%m/%Y %H:%M} | Actualizado: {upd:%d/%m/%Y %H:%M}</div>
<ul class="compartir"><li><a href="#">Compartir en Facebook</a></li><li><a href="#">Compartir en Twitter</a></li><li><a href="#">Compartir en WhatsApp</a></li></ul>
{fig}
<div class="cuerpo">{''.join(body)}</div>
<div class="relacionadas"><h3>Noticias relacionadas</h3><ul>{''.join(f'<li><a href="#">{E(t)}</a></li>' for t in rel[1:])}</ul></div>
</div>
<div class="pie"><p><a href="#">Suscr\u00edbete a nuestro bolet\u00edn</a></p><h4>Te puede interesar</h4>
<p><a href="#">Aviso legal</a> \u00b7 <a href="#">Pol\u00edtica de privacidad</a> \u00b7 <a href="#">Cookies</a></p><p>\u00a9 2021 El Faro Digital S.L.</p></div>
</body></html>"""
    return page, "html", base_expected(s, paras, pub, upd, chrome, pics), tz


# --- site 8: modern paywalled site, JSON-LD metadata, UTC timestamps, CTAs between paragraphs ------------------
def site_modernnews(s: dict, i: int) -> tuple[str, str, dict, str]:
    tz = "UTC"
    pub, upd = times(i, "UTC")
    paras = story_paras(s)
    ctas = ["Listen to this article", "5 min read", "Gift this article",
            "Sign up for The Briefing, our free daily newsletter.",
            "Download our app for breaking news alerts",
            "Recommended for you", "How to save on your weekly shop", "The best budget phones of the year",
            "Subscribe to continue reading. Already a subscriber? Log in"]
    ld = {"@context": "https://schema.org", "@type": "NewsArticle", "headline": s["headline"],
          "datePublished": pub.strftime("%Y-%m-%dT%H:%M:%SZ"), "dateModified": upd.strftime("%Y-%m-%dT%H:%M:%SZ"),
          "author": [{"@type": "Person", "name": n} for n in s["byline"]]}
    body = []
    for k, p in enumerate(paras):
        body.append(f'<p data-component="text">{E(p)}</p>')
        if k == 2:
            body.append('<aside class="inline-newsletter"><p>Sign up for The Briefing, our free daily newsletter.</p>'
                        '<button>Sign up</button></aside>')
        if k == 3:
            body.append('<div class="app-promo"><a href="/app">Download our app for breaking news alerts</a></div>')
    if s["contributors"]:
        body.append(f'<p data-component="text">({E(s["contributors"])})</p>')
    pics = []
    fig = ""
    if s["caption"]:
        fig = (f'<figure><picture><img src="p.webp"></picture><figcaption><span>{E(s["caption"])}</span>'
               f'<span class="credit">Image credit: {E(s["agency"])}</span></figcaption></figure>')
        pics = [{"caption": s["caption"], "credit": s["agency"], "file_photo": False}]
    page = f"""<!doctype html><html><head><title>{E(s['headline'])} - Modern News</title>
<meta property="og:title" content="{E(s['headline'])}">
<script type="application/ld+json">{json.dumps(ld)}</script></head>
<body><div id="app"><div class="toolbar"><button>Listen to this article</button><span>5 min read</span><button>Gift this article</button></div>
<h1 data-testid="headline">{E(s['headline'])}</h1>
{fig}
<section class="story">{''.join(body)}</section>
<div class="paywall"><p>Subscribe to continue reading. Already a subscriber? <a href="/login">Log in</a></p></div>
<section class="recs"><h2>Recommended for you</h2><a href="#"><h3>How to save on your weekly shop</h3></a><a href="#"><h3>The best budget phones of the year</h3></a></section>
</div></body></html>"""
    return page, "html", base_expected(s, paras, pub, upd, ctas, pics), tz


SITES = [site_marketpulse, site_dailyharbor, site_nordblick, site_lequotidien, site_techblog, site_wirecopy,
         site_elfaro, site_modernnews]


def main() -> None:
    for old in HERE.glob("*/*"):
        old.unlink()
    for si, site in enumerate(SITES):
        name = site.__name__.removeprefix("site_")
        out = HERE / name
        out.mkdir(exist_ok=True)
        for j in range(5):
            idx = (si * 3 + j) % len(STORIES)
            page, fmt, exp, tz = site(STORIES[idx], si * 5 + j)
            exp["format"] = fmt
            exp["source"] = name
            exp["timezone"] = tz
            stem = f"{name}_{j}"
            (out / f"{stem}.{'html' if fmt == 'html' else 'txt'}").write_text(page + "\n", encoding="utf-8")
            (out / f"{stem}.expected.json").write_text(
                json.dumps(exp, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
