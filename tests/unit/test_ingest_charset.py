"""Unit tests of payload decoding (agents/ingest_charset.py) and its use by ingest."""

from __future__ import annotations

import pytest

from agents.errors import InputError
from agents.ingest import IngestLimits, ingest
from agents.ingest_charset import decode_payload
from agents.model import RawRecord

DE = "Die Regierung senkt die Preise f\u00fcr Verbraucher \u2013 \u201egut\u201c, sagt der Minister."
RU = "Правительство снизит цены."
JA = "\u653f\u5e9c\u306f\u65b0\u3057\u3044\u6cd5\u6848\u3092\u767a\u8868\u3057\u305f\u3002"
FR = "L'\u00e9t\u00e9 sera chaud, a d\u00e9clar\u00e9 M\u00e9t\u00e9o-France."


def page(meta: str, body: str) -> str:
    return f"<html><head>{meta}<title>T</title></head><body><article><h1>T</h1><p>{body}</p></article></body></html>"


@pytest.mark.parametrize(("text", "codec", "label"), [
    (DE, "cp1252", "ISO-8859-1"), (DE, "cp1252", "windows-1252"), (FR, "latin-1", "latin1"),
    (RU, "cp1251", "windows-1251"), (RU, "koi8-r", "KOI8-R"), (JA, "shift_jis", "Shift_JIS"),
    (JA, "euc-jp", "EUC-JP"), (FR, "iso-8859-15", "iso-8859-15"),
])
def test_header_charset_decodes(text: str, codec: str, label: str) -> None:
    """A charset in the content-type header decodes text that is not UTF-8."""
    got = decode_payload(text.encode(codec), f"text/plain; charset={label}", "text")
    assert got == text, (label, got)


@pytest.mark.parametrize("meta", [
    "<meta charset='{}'>", '<meta charset="{}" />', "<META HTTP-EQUIV='Content-Type' CONTENT='text/html; charset={}'>",
    '<meta http-equiv="content-type" content="text/html;charset={}">',
])
@pytest.mark.parametrize(("text", "codec", "label"), [
    (DE, "cp1252", "iso-8859-1"), (RU, "cp1251", "windows-1251"), (JA, "cp932", "shift_jis"),
])
def test_meta_charset_decodes_html(meta: str, text: str, codec: str, label: str) -> None:
    """An HTML page's <meta> charset (both forms) is used when the header names none."""
    html = page(meta.format(label), text)
    assert decode_payload(html.encode(codec), "text/html", "html") == html


def test_header_wins_over_meta_and_utf8_wins_over_both() -> None:
    """The header charset beats a <meta> one; bytes valid as UTF-8 are read as UTF-8 whatever the label."""
    html = page("<meta charset='shift_jis'>", RU)
    assert decode_payload(html.encode("cp1251"), "text/html; charset=windows-1251", "html") == html
    mislabelled = page("<meta charset='iso-8859-1'>", DE)
    assert decode_payload(mislabelled.encode("utf-8"), "text/html; charset=iso-8859-1", "html") == mislabelled


@pytest.mark.parametrize("codec", ["utf-16", "utf-16-be", "utf-8-sig"])
def test_byte_order_mark_decides(codec: str) -> None:
    """A byte-order mark gives the encoding."""
    data = DE.encode(codec)
    if codec == "utf-16-be":
        data = b"\xfe\xff" + data
    assert decode_payload(data, "text/plain", "text") == DE


@pytest.mark.parametrize(("ctype", "kind", "needle"), [
    ("text/plain", "text", "declares no charset"),
    ("text/html", "html", "declares no charset"),
    ("text/plain; charset=x-made-up-9", "text", "unknown charset"),
    ("text/plain; charset=base64", "text", "unknown charset"),
    ("text/plain; charset=utf-7", "text", "refused"),
    ("text/plain; charset=utf-8", "text", "not valid utf-8"),
])
def test_undeclared_or_unusable_charset_is_not_utf8(ctype: str, kind: str, needle: str) -> None:
    """Legacy bytes without a usable declaration are dead-lettered not_utf8 with a message saying why."""
    with pytest.raises(InputError) as err:
        decode_payload(DE.encode("cp1252"), ctype, kind)
    assert err.value.code == "not_utf8" and needle in str(err.value), str(err.value)


def test_utf16_bom_without_content_type_is_not_utf8() -> None:
    """A headerless record opening with FF FE is not decoded as UTF-16 (its kind could not be sniffed)."""
    with pytest.raises(InputError):
        decode_payload(b"\xff\xfe bad", None, "text")


def test_meta_is_not_read_for_plain_text() -> None:
    """Text that merely mentions '<meta charset>' is not decoded by it (only HTML declares that way)."""
    with pytest.raises(InputError):
        decode_payload(("<meta charset=latin1> " + DE).encode("cp1252"), "text/plain", "text")


def test_bad_bytes_in_declared_multibyte_charset() -> None:
    """Bytes invalid in the declared charset are a not_utf8 naming that charset."""
    with pytest.raises(InputError) as err:
        decode_payload(b"\x82\xa0\xff\xff\xff", "text/plain; charset=euc-jp", "text")
    assert "euc-jp" in str(err.value), str(err.value)


@pytest.mark.parametrize(("value", "ctype"), [
    (page("<meta charset='windows-1251'>", RU).encode("cp1251"), "text/html"),
    (page("", DE).encode("cp1252"), "text/html; charset=ISO-8859-1"),
    ('{"id": 1, "title": "Gesetz", "body": "Preise f\u00fcr Verbraucher."}'.encode("latin-1"),
     "application/json; charset=iso-8859-1"),
])
def test_ingest_reads_declared_charsets(value: bytes, ctype: str) -> None:
    """ingest() accepts HTML, text and JSON in a declared legacy charset."""
    item = ingest(RawRecord(value=value, headers=(("content-type", ctype.encode()),)), IngestLimits())
    body = item.body_html or item.body_text or ""
    assert "\ufffd" not in body and ("f\u00fcr" in body or "\u041f\u0440\u0430\u0432" in body), body[:200]
