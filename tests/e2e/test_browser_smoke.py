"""The browser tests' plumbing: Debian's chromium, driven headless by Playwright for Python, shows
a local page's Chinese text and leaves a screenshot under test-artifacts/."""

from __future__ import annotations

import functools
import threading
from collections.abc import Iterator
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
PAGE = """<!doctype html>
<html lang="zh-CN"><head><meta charset="utf-8"><title>平战</title></head>
<body><h1 id="mode">战时 Ⅱ级</h1><p>宝塔区 · 卡口 · 险情 · 网格员</p></body></html>
"""


class QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        pass


@pytest.fixture
def local_page(tmp_path: Path) -> Iterator[str]:
    """The URL of a page served by a throwaway http.server on a free loopback port."""
    (tmp_path / "index.html").write_text(PAGE, encoding="utf-8")
    server = ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(QuietHandler, directory=str(tmp_path)))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/index.html"
    server.shutdown()
    server.server_close()


def test_headless_chromium_shows_a_local_pages_chinese_text_and_saves_a_screenshot(
    chromium_path: str, local_page: str
) -> None:
    from playwright.sync_api import sync_playwright

    shot = ARTIFACTS / "browser-smoke.png"
    shot.unlink(missing_ok=True)
    ARTIFACTS.mkdir(exist_ok=True)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium_path, headless=True)
        try:
            page = browser.new_page()
            page.goto(local_page)
            text = page.inner_text("#mode")
            box = page.locator("#mode").bounding_box()
            page.screenshot(path=str(shot))
        finally:
            browser.close()

    assert text == "战时 Ⅱ级"
    assert box is not None and box["width"] > 0 and box["height"] > 0
    assert shot.stat().st_size > 0
