"""Ingest of XML wire formats: NewsML-G2 items and messages, NITF, safe parsing and sniffing."""

from __future__ import annotations

import pytest

from agents.dedupe_notices import Notice, read_notice
from agents.errors import InputError
from agents.ingest import IngestLimits, ingest, ingest_all
from agents.ingest_xml import MAX_STORIES
from agents.model import CleanedArticle, FeedSubject, RawRecord, WireItem

LIMITS = IngestLimits(max_payload_bytes=200_000, max_field_chars=50_000)
NAR = "http://iptc.org/std/nar/2006-10-01/"


def g2_item(guid: str = "urn:newsml:example.com:20261128:bridge", version: int = 1, *,
            pubstatus: str = "stat:usable", signals: tuple[str, ...] = (), ednote: str | None = None,
            embargoed: str | None = None, headline: str = "Bridge reopens after repairs",
            item_class: str = "ninat:text", body: str | None = None, root: bool = True) -> str:
    """A NewsML-G2 text newsItem as an agency would send it (``root`` adds the namespace declaration)."""
    xmlns = f' xmlns="{NAR}"' if root else ""
    sig = "".join(f'<signal qcode="{s}"/>' for s in signals)
    note = f"<edNote>{ednote}</edNote>" if ednote else ""
    embargo = f"<embargoed>{embargoed}</embargoed>" if embargoed else ""
    body = body if body is not None else (
        '<inlineXML contenttype="application/xhtml+xml"><html xmlns="http://www.w3.org/1999/xhtml"><head><title/>'
        "</head><body><p>PARIS (Example) - The Pont Neuf reopened on Tuesday after <b>two years</b> of repairs, "
        "the city said.</p><p>Traffic will resume on Wednesday morning.</p></body></html></inlineXML>")
    return (
        f'<newsItem{xmlns} guid="{guid}" version="{version}" standard="NewsML-G2" standardversion="2.33" '
        f'conformance="power" xml:lang="en-GB">'
        '<catalogRef href="http://www.iptc.org/std/catalog/catalog.IPTC-G2-Standards_38.xml"/>'
        '<catalog><scheme alias="exsubj" uri="http://example.com/subjects/"/></catalog>'
        '<rightsInfo><copyrightHolder literal="Example Press"/></rightsInfo>'
        f'<itemMeta><itemClass qcode="{item_class}"/><provider qcode="nprov:EXAMPLE"/>'
        "<versionCreated>2026-11-28T10:15:00Z</versionCreated><firstCreated>2026-11-28T09:00:00+01:00</firstCreated>"
        f'{embargo}<pubStatus qcode="{pubstatus}"/>{sig}{note}</itemMeta>'
        '<contentMeta><urgency>4</urgency><located qcode="geo:2988507"><name>Paris</name></located>'
        '<infoSource qcode="nprov:EXP" role="cinfosrole:originator"><name>Example Press</name></infoSource>'
        '<creator qcode="staff:1"><name>Jeanne Dupont</name></creator>'
        '<subject type="cpnat:abstract" qcode="medtop:20000071"><name xml:lang="en">bridges</name></subject>'
        '<subject qcode="exsubj:transport"><name>Transport</name></subject>'
        f"<headline>{headline}</headline><slugline>FRANCE-BRIDGE</slugline>"
        "<by>By Jeanne Dupont and Marc Leroy</by><creditline>Example Press</creditline>"
        '<dateline>PARIS, Nov 28</dateline><language tag="en-GB"/></contentMeta>'
        f"<contentSet>{body}</contentSet></newsItem>"
    )


def g2_message(*items: str, extra: str = "") -> str:
    """A newsMessage whose itemSet carries the given items."""
    return (f'<newsMessage xmlns="{NAR}"><header><sent>2026-11-28T10:16:00Z</sent></header>'
            f"<itemSet>{extra}{''.join(items)}</itemSet></newsMessage>")


def rec(value: str | bytes, **headers: str) -> RawRecord:
    data = value.encode() if isinstance(value, str) else value
    return RawRecord(value=data, headers=tuple((k.replace("_", "-"), v.encode()) for k, v in headers.items()),
                     timestamp_ms=1_764_324_000_000)


def rejected(value: str | bytes, limits: IngestLimits = LIMITS, **headers: str) -> InputError:
    with pytest.raises(InputError) as err:
        ingest_all(rec(value, **headers), limits)
    return err.value


def notice_of(item: WireItem) -> Notice:
    """The notice the dedupe stage reads off an item (its body as paragraphs, as cleaning would)."""
    article = CleanedArticle(item=item, headline=item.headline or "", paragraphs=("The story text.",))
    return read_notice(article)


# ---------------------------------------------------------------- NewsML-G2 news items

def test_g2_text_item_maps_item_meta_content_meta_and_body() -> None:
    """A NewsML-G2 text item: guid, version, dates, status, headline, by, located, subjects, credit, body."""
    item = ingest(rec('<?xml version="1.0" encoding="UTF-8"?>\n' + g2_item(version=3)), LIMITS)
    assert (item.format, item.uri, item.version, item.pubstatus) == \
        ("newsml-g2", "urn:newsml:example.com:20261128:bridge", 3, "usable")
    assert item.versioncreated == "2026-11-28T10:15:00+00:00", item.versioncreated
    assert item.firstcreated == "2026-11-28T09:00:00+01:00", item.firstcreated
    assert item.embargoed is None
    assert item.headline == "Bridge reopens after repairs"
    assert item.byline == ("Jeanne Dupont", "Marc Leroy"), item.byline
    assert (item.located, item.language, item.credit) == ("Paris", "en", "Example Press")
    assert (item.agency, item.source) == ("Example Press", "example-press")
    assert item.subjects == (
        FeedSubject(name="bridges", uri="http://cv.iptc.org/newscodes/mediatopic/20000071", code="medtop:20000071"),
        FeedSubject(name="Transport", uri="http://example.com/subjects/transport", code="exsubj:transport"),
    ), item.subjects
    assert item.body_text is None and item.body_html is not None
    assert item.body_html.startswith("<p>PARIS (Example) - The Pont Neuf reopened"), item.body_html[:80]
    assert "xmlns" not in item.body_html and "<b>two years</b>" in item.body_html, item.body_html
    assert item.part is None and item.received_ms == 1_764_324_000_000
    assert item.signals == ("FRANCE-BRIDGE",), item.signals
    assert notice_of(item).kind is None


def test_g2_inline_data_is_body_text() -> None:
    """An inlineData body (plain text) becomes body_text, verbatim."""
    item = ingest(rec(g2_item(body='<inlineData contenttype="text/plain">Line one.\n\nLine two.</inlineData>')),
                  LIMITS)
    assert (item.body_text, item.body_html) == ("Line one.\n\nLine two.", None)


@pytest.mark.parametrize(("signals", "ednote", "pubstatus", "kind", "status"), [
    (("sig:update",), "Adds comment from the mayor", "stat:usable", "update", "usable"),
    (("sig:correction",), "Corrects the date of the reopening in paragraph 2", "stat:usable", "correction",
     "usable"),
    ((), "KILL: this story was sent in error and must not be used", "stat:canceled", "kill", "canceled"),
    ((), "Withheld pending legal advice", "stat:withheld", "kill", "withheld"),
])
def test_g2_signals_and_status_reach_the_notice_reader(signals: tuple[str, ...], ednote: str, pubstatus: str,
                                                       kind: str, status: str) -> None:
    """sig:update / sig:correction qcodes, edNote and pubStatus are what dedupe's notice reader sees."""
    item = ingest(rec(g2_item(version=2, signals=signals, ednote=ednote, pubstatus=pubstatus)), LIMITS)
    assert item.ednote == ednote and item.pubstatus == status
    assert set(signals) <= set(item.signals) and ednote in item.signals, item.signals
    notice = notice_of(item)
    assert (notice.kind, notice.pubstatus) == (kind, status), notice


@pytest.mark.parametrize("inline", [
    "<p>One.</p><p>Two <i>words</i>.</p>",
    '<nitf xmlns="http://iptc.org/std/NITF/2006-10-18/"><body><body.head><hedline><hl1>H</hl1></hedline>'
    "</body.head><body.content><p>One.</p><p>Two <i>words</i>.</p></body.content></body></nitf>",
], ids=["bare-paragraphs", "embedded-nitf"])
def test_g2_inline_xml_forms(inline: str) -> None:
    """inlineXML holding bare XHTML paragraphs, or a whole NITF document, gives the story paragraphs only."""
    item = ingest(rec(g2_item(body=f'<inlineXML contenttype="application/xhtml+xml">{inline}</inlineXML>')),
                  LIMITS)
    assert item.body_html == "<p>One.</p><p>Two <i>words</i>.</p>", item.body_html


def test_g2_embargoed_item() -> None:
    """itemMeta/embargoed is read as an instant with its offset."""
    item = ingest(rec(g2_item(embargoed="2026-11-29T06:00:00+01:00")), LIMITS)
    assert item.embargoed == "2026-11-29T06:00:00+01:00"


def test_g2_root_without_namespace_is_still_g2() -> None:
    """A newsItem whose feed dropped the namespace declaration is read as NewsML-G2."""
    item = ingest(rec(g2_item(root=False)), LIMITS)
    assert (item.format, item.headline) == ("newsml-g2", "Bridge reopens after repairs")


def test_g2_news_item_without_meta_still_parses() -> None:
    """A bare newsItem (no itemMeta/contentMeta) gives its guid and body; the rest is empty."""
    item = ingest(rec(f'<newsItem xmlns="{NAR}" guid="urn:x:1"><contentSet><inlineData>Text.</inlineData>'
                      "</contentSet></newsItem>"), LIMITS)
    assert (item.uri, item.body_text, item.headline, item.pubstatus, item.source) == \
        ("urn:x:1", "Text.", None, "usable", "unknown")


def test_g2_picture_item_has_no_body() -> None:
    """A picture newsItem alone is no story: no_body, naming its class."""
    err = rejected(g2_item(item_class="ninat:picture", body='<remoteContent href="http://x/y.jpg"/>'))
    assert err.code == "no_body" and "ninat:picture" in err.message, err.message


# ---------------------------------------------------------------- multi-story records

def test_news_message_yields_one_item_per_text_item() -> None:
    """A newsMessage with two text items and a picture gives two items, part 1 and 2; ingest() the first."""
    picture = g2_item("urn:x:pic", item_class="ninat:picture", body='<remoteContent href="http://x/y.jpg"/>',
                      root=False)
    first = g2_item("urn:x:a", headline="First story", root=False)
    second = g2_item("urn:x:b", headline="Second story", root=False,
                     body="<inlineData>Second body.</inlineData>")
    record = rec(g2_message(first, picture, second))
    items = ingest_all(record, LIMITS)
    assert [(i.uri, i.part, i.headline) for i in items] == \
        [("urn:x:a", 1, "First story"), ("urn:x:b", 2, "Second story")], items
    assert items[1].body_text == "Second body."
    assert ingest(record, LIMITS) == items[0]


def test_package_in_message_orders_its_text_items() -> None:
    """With a packageItem in the message, items come in the package's itemRef order."""
    package = ('<packageItem guid="urn:x:pkg"><groupSet root="G1"><group id="G1">'
               '<itemRef residref="urn:x:b"/><itemRef residref="urn:x:a"/></group></groupSet></packageItem>')
    items = ingest_all(rec(g2_message(g2_item("urn:x:a", root=False), g2_item("urn:x:b", root=False),
                                      extra=package)), LIMITS)
    assert [(i.uri, i.part) for i in items] == [("urn:x:b", 1), ("urn:x:a", 2)]


def test_single_text_item_message_has_no_part() -> None:
    """A newsMessage with one text item is a single-story record: part None."""
    (item,) = ingest_all(rec(g2_message(g2_item(root=False))), LIMITS)
    assert item.part is None


def test_too_many_stories_in_one_record() -> None:
    """More than MAX_STORIES text items is rejected with too_many_items, before any is mapped."""
    tiny = '<newsItem guid="urn:x"><contentSet><inlineData>x</inlineData></contentSet></newsItem>'
    assert ingest_all(rec(g2_message(*[tiny] * MAX_STORIES)), LIMITS)[-1].part == MAX_STORIES
    err = rejected(g2_message(*[tiny] * (MAX_STORIES + 1)))
    assert err.code == "too_many_items" and str(MAX_STORIES + 1) in err.message, err.message


@pytest.mark.parametrize(("xml", "code"), [
    (f'<packageItem xmlns="{NAR}" guid="urn:p"><groupSet/></packageItem>', "no_body"),
    (f'<newsMessage xmlns="{NAR}"><itemSet/></newsMessage>', "no_body"),
    ('<newsItem xmlns="http://example.com/not-g2" guid="u"/>', "unknown_shape"),
    ('<?xml version="1.0"?><rss version="2.0"><channel/></rss>', "unknown_shape"),
])
def test_xml_without_a_story(xml: str, code: str) -> None:
    """A package alone, an empty message, a foreign namespace or an unknown root: stable codes."""
    err = rejected(xml)
    assert err.code == code, f"{err.code}: {err.message}"


# ---------------------------------------------------------------- NITF

NITF = """<?xml version="1.0" encoding="UTF-8"?>
<nitf version="-//IPTC//DTD NITF 3.6//EN" xml:lang="en-US">
 <head>
  <title>Council approves budget</title>
  <tobject tobject.type="news">
   <tobject.subject tobject.subject.refnum="11000000" tobject.subject.type="Politics"/>
   <tobject.subject tobject.subject.refnum="04000000" tobject.subject.type="Economy, Business and Finance"
       tobject.subject.matter="budget"/>
  </tobject>
  <docdata management-status="usable">
   <doc-id regsrc="EXP" id-string="EXP-2026-11-28-budget"/>
   <urgency ed-urg="4"/>
   <date.issue norm="20261128T101500Z"/>
   <date.release norm="20261128T120000+0100"/>
   <du-key version="2" key="budget"/>
   <doc.copyright year="2026" holder="Example Press"/>
   <ed-msg info="Updates with vote count"/>
  </docdata>
 </head>
 <body>
  <body.head>
   <hedline><hl1>Council approves &amp; signs budget</hl1><hl2>Vote 7-2</hl2></hedline>
   <byline>By <person>Anna Muster</person>, <byttl>Example Press Writer</byttl></byline>
   <distributor>Example Press</distributor>
   <dateline><location><city>LYON</city></location>, <story.date norm="20261128T101500Z">Nov 28</story.date></dateline>
  </body.head>
  <body.content>
   <p>LYON (Example) - The city council approved the 2027 budget on Friday.</p>
   <p>The vote was 7-2.</p>
  </body.content>
 </body>
</nitf>"""


def test_nitf_document_maps_docdata_subjects_and_body() -> None:
    """NITF 3.x: doc-id, du-key version, dates, status, ed-msg, copyright, tobject subjects, hedline, byline."""
    item = ingest(rec(NITF), LIMITS)
    assert (item.format, item.uri, item.version, item.pubstatus) == ("nitf", "EXP-2026-11-28-budget", 2, "usable")
    assert (item.firstcreated, item.versioncreated) == ("2026-11-28T10:15:00+00:00",) * 2
    assert item.embargoed == "2026-11-28T12:00:00+01:00"
    assert (item.headline, item.byline, item.located) == ("Council approves & signs budget", ("Anna Muster",),
                                                          "LYON")
    assert (item.language, item.agency, item.source) == ("en", "Example Press", "example-press")
    assert item.credit == "Copyright 2026 Example Press"
    assert item.ednote == "Updates with vote count" and notice_of(item).kind == "update"
    assert item.subjects == (
        FeedSubject(name="Politics", uri="http://cv.iptc.org/newscodes/subjectcode/11000000", code="subj:11000000"),
        FeedSubject(name="budget", uri="http://cv.iptc.org/newscodes/subjectcode/04000000", code="subj:04000000"),
    ), item.subjects
    assert item.body_html is not None and item.body_html.startswith("<p>LYON (Example) - The city council")
    assert item.body_html.endswith("<p>The vote was 7-2.</p>"), item.body_html


def test_nitf_without_body_content() -> None:
    """NITF with no body.content is no_body."""
    assert rejected("<nitf><head><title>x</title></head><body><body.head/></body></nitf>").code == "no_body"


# ---------------------------------------------------------------- hostile XML

BILLION_LAUGHS = """<?xml version="1.0"?>
<!DOCTYPE lolz [
 <!ENTITY lol "lol">
 <!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
 <!ENTITY lol9 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
]>
<newsItem xmlns="http://iptc.org/std/nar/2006-10-01/" guid="u"><contentSet><inlineData>&lol9;</inlineData>
</contentSet></newsItem>"""
XXE = """<?xml version="1.0"?>
<!-- a comment first -->
<!DOCTYPE nitf [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>
<nitf><body><body.content><p>&xxe;</p></body.content></body></nitf>"""


@pytest.mark.parametrize(("value", "code", "says"), [
    (BILLION_LAUGHS, "xml_forbidden", "line 2"),
    (XXE, "xml_forbidden", "line 3"),
    ('<!DOCTYPE NewsML SYSTEM "http://example.com/newsml.dtd"><NewsML/>', "xml_forbidden", "document type"),
    ("<nitf>" * 10_000 + "</nitf>" * 10_000, "too_deep", "256"),
    (g2_item()[:-40], "invalid_xml", "line 1, column"),
    (f'<newsItem xmlns="{NAR}" guid="u"><contentSet><inlineData>&undefined;</inlineData></contentSet></newsItem>',
     "invalid_xml", "undefined"),
    ("<?xml version='1.0'?>\n<nitf>\n<body></nitf>", "invalid_xml", "line 3"),
])
def test_hostile_xml_is_rejected_with_its_code(value: str, code: str, says: str) -> None:
    """Entity bombs, external entities, any DOCTYPE, 10,000-deep nesting, truncated or malformed XML."""
    err = rejected(value)
    assert err.code == code, f"expected {code}, got {err.code}: {err.message}"
    assert says in err.message, err.message
    assert err.stage == "ingest"


def test_fifty_megabyte_xml_is_refused_before_parsing() -> None:
    """A 50 MB XML payload is payload_too_large under the default limit (never parsed)."""
    value = b"<nitf>" + b" " * (50 * 1024 * 1024) + b"</nitf>"
    with pytest.raises(InputError) as err:
        ingest_all(RawRecord(value=value, headers=(("content-type", b"application/xml"),)), IngestLimits())
    assert err.value.code == "payload_too_large", err.value.message


def test_doctype_text_inside_cdata_is_not_a_declaration() -> None:
    """'<!DOCTYPE' inside a CDATA body is text: only the prolog is checked for declarations."""
    body = '<inlineData contenttype="text/plain"><![CDATA[Quote: <!DOCTYPE html> is markup.]]></inlineData>'
    assert ingest(rec(g2_item(body=body)), LIMITS).body_text == "Quote: <!DOCTYPE html> is markup."


def test_oversized_xml_body_is_field_too_long() -> None:
    """An XML text body over the field limit is field_too_long, like a JSON body."""
    small = IngestLimits(max_payload_bytes=200_000, max_field_chars=1_000)
    err = rejected(g2_item(body=f"<inlineData>{'word ' * 400}</inlineData>"), small)
    assert err.code == "field_too_long", err.message


# ---------------------------------------------------------------- dispatch and encodings

@pytest.mark.parametrize(("value", "headers", "fmt"), [
    (NITF, {}, "nitf"),
    (g2_item(), {}, "newsml-g2"),
    ("\ufeff" + g2_message(g2_item(root=False)), {}, "newsml-g2"),
    ("\n  " + NITF.split("\n", 1)[1], {"content_type": "application/nitf+xml"}, "nitf"),
    ('<?xml version="1.0"?><!DOCTYPE html><html><body><p>Page</p></body></html>', {}, "html"),
    ('<?xml version="1.0"?>\n<html xmlns="http://www.w3.org/1999/xhtml"><body><p>x</p></body></html>', {}, "html"),
    ("<nitf>ish</nitf>", {"content_type": "application/xhtml+xml"}, "html"),
    ("<nitf> looks like XML but is declared text</nitf>", {"content_type": "text/plain"}, "text"),
])
def test_xml_is_chosen_by_content_type_or_first_bytes(value: str, headers: dict[str, str], fmt: str) -> None:
    """XML by content-type (containing xml, not xhtml) or sniffed roots; XHTML pages stay pages."""
    assert ingest(rec(value, **headers), LIMITS).format == fmt


def test_declared_latin1_encoding_is_honoured() -> None:
    """XML is parsed from bytes, so a declared ISO-8859-1 encoding reads correctly."""
    xml = ('<?xml version="1.0" encoding="ISO-8859-1"?>' + g2_item(headline="Caf\u00e9 reopens")).encode("latin-1")
    assert ingest(RawRecord(value=xml), LIMITS).headline == "Caf\u00e9 reopens"


# ---------------------------------------------------------------- NewsML 1.x

def newsml1_item(item_id: str, revision: int, body: str, *, status: str = "Usable", instruction: str = "",
                 role: str = "Body") -> str:
    """A NewsML 1.2 NewsItem with its identification, management, lines and one body component."""
    instr = f'<Instruction FormalName="{instruction}"/>' if instruction else ""
    return (
        f"<NewsItem><Identification><NewsIdentifier><ProviderId>example.com</ProviderId><DateId>20261128</DateId>"
        f'<NewsItemId>{item_id}</NewsItemId><RevisionId PreviousRevision="{revision - 1}" Update="U">{revision}'
        f"</RevisionId><PublicIdentifier>urn:newsml:example.com:20261128:{item_id}:{revision}U</PublicIdentifier>"
        f"</NewsIdentifier></Identification><NewsManagement><NewsItemType FormalName=\"News\"/>"
        f"<FirstCreated>20261128T090000+0100</FirstCreated><ThisRevisionCreated>20261128T101500+0000"
        f'</ThisRevisionCreated><Status FormalName="{status}"/>{instr}</NewsManagement>'
        f"<NewsComponent><NewsLines><HeadLine>Story {item_id}</HeadLine><ByLine>By Ann Lee</ByLine>"
        f"<DateLine>LYON</DateLine><CreditLine>Example Press</CreditLine></NewsLines>"
        f'<DescriptiveMetadata><Language FormalName="fr"/><SubjectCode><Subject FormalName="04000000"/>'
        f"</SubjectCode></DescriptiveMetadata>"
        f'<NewsComponent><Role FormalName="{role}"/><ContentItem><MimeType FormalName="text/plain"/>'
        f"<DataContent>{body}</DataContent></ContentItem></NewsComponent></NewsComponent></NewsItem>"
    )


def test_newsml1_items_map_identification_management_and_lines() -> None:
    """NewsML 1.x: uri without revision, RevisionId, dates, Status, Instruction, lines, subject codes, text body."""
    doc = ('<NewsML Version="1.2"><NewsEnvelope><SentFrom><Party FormalName="Example Press"/></SentFrom>'
           "</NewsEnvelope>" + newsml1_item("a1", 3, "Line one.", status="Canceled", instruction="Kill")
           + newsml1_item("b2", 1, "Other story.", role="Main") + "</NewsML>")
    first, second = ingest_all(rec(doc), LIMITS)
    assert (first.format, first.uri, first.version, first.part) == ("newsml", "urn:newsml:example.com:20261128:a1",
                                                                     3, 1)
    assert (first.firstcreated, first.versioncreated) == ("2026-11-28T09:00:00+01:00", "2026-11-28T10:15:00+00:00")
    assert (first.pubstatus, first.signals, notice_of(first).kind) == ("canceled", ("Kill",), "kill")
    assert (first.headline, first.byline, first.located, first.credit) == ("Story a1", ("Ann Lee",), "LYON",
                                                                           "Example Press")
    assert (first.language, first.agency, first.body_text) == ("fr", "Example Press", "Line one.")
    assert first.subjects == (FeedSubject(uri="http://cv.iptc.org/newscodes/subjectcode/04000000",
                                          code="subj:04000000"),)
    assert (second.uri, second.part, second.body_text) == ("urn:newsml:example.com:20261128:b2", 2, "Other story.")


def test_newsml1_without_body_component() -> None:
    """A NewsML 1.x document whose only content is a logo has no body."""
    doc = '<NewsML Version="1.2">' + newsml1_item("c3", 1, "logo.png", role="Logo") + "</NewsML>"
    assert rejected(doc).code == "no_body"
