"""The status page in a real headless browser (Debian's chromium) against a live worker fed with articles.

Checks the rendered DOM (after the page script ran and polled ``/status.json``):
the fed headlines, the verdicts, the charts' bars, and that a hostile headline
is shown as text and never becomes markup. Saves a screenshot in the test's tmp
dir and copies it to ``bench-results/status-page.png`` (gitignored) for people.
"""

from __future__ import annotations

import asyncio
import json
import shutil
import subprocess
import time
from collections.abc import Iterator
from html.parser import HTMLParser
from pathlib import Path

import pytest

from agents.clean_text import strip_markup
from streams.settings import Settings
from streams.status import RECENT_STORIES
from tests.integration.ops_feed import HOSTILE_HEADLINE, feed
from tests.integration.test_prometheus import ensure_debian_package
from tests.support import REPO, WorkerProcess, create_topics, produce

pytestmark = [pytest.mark.integration, pytest.mark.slow]

FEED = 24
CHROMIUM_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                  "--disable-background-networking", "--disable-component-update", "--disable-sync",
                  "--disable-dev-shm-usage", "--hide-scrollbars"]


def _chromium() -> str:
    return ensure_debian_package("chromium", "chromium", "chromium-browser")


class _Dom(HTMLParser):
    """Collects what the assertions need from chromium's serialised DOM."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str]]] = []
        self.headlines: list[str] = []
        self.verdicts: list[str] = []
        self.cards: dict[str, str] = {}
        self._capture: str | None = None
        self._card: str | None = None
        self._buf: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        self.tags.append((tag, a))
        classes = a.get("class", "").split()
        if tag == "span" and ("headline" in classes or "verdict" in classes):
            self._capture, self._buf = ("headline" if "headline" in classes else "verdict"), []
        if tag == "div" and "card" in classes:
            self._card = a.get("data-metric")
        if tag == "b" and self._card:
            self._capture, self._buf = "card", []

    def handle_endtag(self, tag: str) -> None:
        if self._capture and tag in {"span", "b"}:
            text = "".join(self._buf)
            if self._capture == "headline":
                self.headlines.append(text)
            elif self._capture == "verdict":
                self.verdicts.append(text)
            elif self._card:
                self.cards[self._card] = text
                self._card = None
            self._capture = None

    def handle_data(self, data: str) -> None:
        if self._capture:
            self._buf.append(data)

    def count(self, tag: str, **attrs: str) -> int:
        return sum(1 for t, a in self.tags if t == tag and all(
            v in a.get(k, "").split() if k == "class" else a.get(k) == v for k, v in attrs.items()))


@pytest.fixture
def fed_worker(settings: Settings, tmp_path: Path) -> Iterator[tuple[WorkerProcess, list[dict[str, object]]]]:
    """A live worker that has published the outputs of a small feed (ending with a hostile headline)."""
    create_topics(settings)
    worker = WorkerProcess(settings, tmp_path / "worker.log").start()
    try:
        worker.wait_ready()
        records, fresh = feed(FEED, seed=5, hostile=True)
        asyncio.run(produce(settings, settings.topics.raw, records))
        deadline = time.monotonic() + 90
        while json.loads(worker.get("/healthz")[1])["processed"] < len(records):
            assert time.monotonic() < deadline, f"worker did not publish the feed:\n{worker.log_tail()}"
            time.sleep(0.5)
        time.sleep(6)  # one lag refresh after the feed, so the lag chart has the final offsets
        yield worker, fresh
    finally:
        worker.stop()


def _run_chromium(chromium: str, profile: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([chromium, *CHROMIUM_FLAGS, f"--user-data-dir={profile}", *args], capture_output=True,
                          text=True, timeout=120)


def test_status_page_shows_fed_stories_and_charts(fed_worker: tuple[WorkerProcess, list[dict[str, object]]],
                                                  tmp_path: Path) -> None:
    """The page lists the fed headlines with verdicts, draws bars in its charts, polls, and escapes markup."""
    worker, fresh = fed_worker
    chromium = _chromium()
    url = worker.base_url + "/"
    dumped = _run_chromium(chromium, tmp_path / "profile-dom", "--virtual-time-budget=5000", "--dump-dom", url)
    assert dumped.returncode == 0 and "<html" in dumped.stdout, dumped.stderr[-2000:]
    dom = _Dom()
    dom.feed(dumped.stdout)

    # The page shows headlines as published: cleaning already strips markup that arrives as text, so the
    # hostile headline reaches the page as 'Harbour & "quotes" 1 < 2 > 0', which must still render as text.
    expected = [strip_markup(str(a["title"])) for a in fresh][-RECENT_STORIES:]
    missing = [h for h in expected if h not in dom.headlines]
    assert not missing, f"headlines not on the page: {missing[:5]} (page shows {dom.headlines[:5]}...)"
    assert strip_markup(HOSTILE_HEADLINE) in dom.headlines, "the hostile headline is shown, as text"
    assert "1 < 2 > 0" in strip_markup(HOSTILE_HEADLINE), "the page must be given text with < and > to escape"
    assert dom.count("img") == 0, "a headline's <img> became an element"
    assert dom.count("script") == 2, "a headline's <script> became an element"
    assert "new" in dom.verdicts, dom.verdicts

    assert int(dom.cards["processed"]) == FEED, dom.cards
    assert int(dom.cards["new"]) >= len(fresh), dom.cards
    assert dom.count("svg", id="throughput-chart") == 1
    bars = sum(dom.count("rect", **{"class": f"bar-{o}"}) for o in ("new", "version", "duplicate", "dead_letter"))
    assert bars >= 1, "the throughput chart has no bars"
    assert dom.count("svg", id="lag-chart") == 1 and dom.count("svg", id="lag-history") == 1
    assert dom.count("svg", id="latency-chart") == 1
    body = next(a for t, a in dom.tags if t == "body")
    assert int(body.get("data-polls", "0")) >= 1, "the page did not refresh itself from /status.json"

    shot = tmp_path / "status-page.png"
    taken = _run_chromium(chromium, tmp_path / "profile-shot", "--virtual-time-budget=3000",
                          "--window-size=1400,1700", f"--screenshot={shot}", url)
    assert taken.returncode == 0 and shot.is_file(), taken.stderr[-2000:]
    assert shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and shot.stat().st_size > 20_000, "an empty screenshot"
    out = REPO / "bench-results"
    out.mkdir(exist_ok=True)
    shutil.copyfile(shot, out / "status-page.png")
    print(f"\nscreenshot: {shot} (copied to {out / 'status-page.png'})")
