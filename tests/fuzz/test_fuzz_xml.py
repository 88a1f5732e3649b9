"""Runs the XML ingest fuzz target for a bounded time (CI); skipped only where atheris cannot be installed."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent
NAR = b"http://iptc.org/std/nar/2006-10-01/"
SEEDS = [
    b'<?xml version="1.0" encoding="UTF-8"?><newsItem xmlns="' + NAR + b'" guid="urn:x:1" version="2">'
    b'<itemMeta><itemClass qcode="ninat:text"/><versionCreated>2026-11-28T10:00:00Z</versionCreated>'
    b'<pubStatus qcode="stat:canceled"/><signal qcode="sig:correction"/><edNote>Kill</edNote></itemMeta>'
    b'<contentMeta><headline>H</headline><by>By A and B</by><subject qcode="medtop:04000000"><name>e</name>'
    b'</subject><language tag="en"/></contentMeta><contentSet><inlineXML><html xmlns="http://www.w3.org/1999/xhtml">'
    b"<body><p>PARIS - Text <b>bold</b>.</p></body></html></inlineXML></contentSet></newsItem>",
    b'<newsMessage xmlns="' + NAR + b'"><itemSet><packageItem guid="p"><groupSet><group><itemRef residref="b"/>'
    b'</group></groupSet></packageItem><newsItem guid="a"><contentSet><inlineData>One.</inlineData></contentSet>'
    b'</newsItem><newsItem guid="b"><contentSet><inlineData>Two.</inlineData></contentSet></newsItem></itemSet>'
    b"</newsMessage>",
    b'<nitf><head><tobject><tobject.subject tobject.subject.refnum="11000000"/></tobject><docdata '
    b'management-status="usable"><doc-id id-string="d"/><date.issue norm="20261128T100000Z"/></docdata></head>'
    b"<body><body.head><hedline><hl1>H</hl1></hedline><byline>By <person>P</person></byline></body.head>"
    b"<body.content><p>Text.</p></body.content></body></nitf>",
    b'<NewsML Version="1.2"><NewsItem><Identification><NewsIdentifier><ProviderId>p</ProviderId><NewsItemId>1'
    b"</NewsItemId><RevisionId>1</RevisionId></NewsIdentifier></Identification><NewsComponent><NewsLines>"
    b'<HeadLine>H</HeadLine></NewsLines><NewsComponent><Role FormalName="Body"/><ContentItem><DataContent>'
    b"Text.</DataContent></ContentItem></NewsComponent></NewsComponent></NewsItem></NewsML>",
    b'<?xml version="1.0"?><!DOCTYPE a [<!ENTITY b "c">]><a>&b;</a>',
]


def test_fuzz_xml_bounded(tmp_path: Path) -> None:
    """The XML fuzz target runs ~15 s (plus seeds) without a finding."""
    pytest.importorskip("atheris")
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    for n, seed in enumerate(SEEDS):
        (corpus / f"seed{n}").write_bytes(seed)
    done = subprocess.run([sys.executable, str(HERE / "fuzz_xml.py"), "-max_total_time=15", "-max_len=16384",
                           "-rss_limit_mb=1024", f"-artifact_prefix={tmp_path}/", str(corpus)],
                          capture_output=True, text=True, timeout=180, cwd=HERE.parents[1])
    tail = (done.stdout + done.stderr)[-4000:]
    assert done.returncode == 0, f"fuzzing found a failure (exit {done.returncode}):\n{tail}"
    assert "Done" in tail or "DONE" in tail, f"fuzzer did not finish its run:\n{tail}"
