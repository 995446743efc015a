"""The dashboard in a real browser (Debian's chromium through Playwright), against `make run`'s demo.

Two operators sign in from their own browser contexts: one switches a street to wartime II from
the operator panel and sees its grids take the colour; one proposes level I and the other
confirms it. No console errors along the way; screenshots go to test-artifacts/.
"""

from __future__ import annotations

import re
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.e2e.helpers import PINGZHAN

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
ORANGE, RED = "rgb(245, 124, 0)", "rgb(211, 47, 47)"


@pytest.fixture
def demo(env: dict[str, str], tmp_path: Path) -> Iterator[dict[str, str]]:
    """`pingzhan demo` serving (as `make run` does); its sign-in links by account name."""
    out = open(tmp_path / "demo.out", "w+")
    process = subprocess.Popen([PINGZHAN, "demo"], env=env, stdout=out, stderr=subprocess.STDOUT, text=True)
    links: dict[str, str] = {}
    deadline = time.monotonic() + 90
    try:
        while len(links) < 3 and time.monotonic() < deadline and process.poll() is None:
            time.sleep(0.2)
            text = (tmp_path / "demo.out").read_text()
            links = dict(re.findall(r"^\s+\w+\s+(\S+)\s+(http://\S+#token=\S+)$", text, re.M))
        assert len(links) == 3, f"the demo printed no sign-in links:\n{(tmp_path / 'demo.out').read_text()}"
        yield links
    finally:
        process.terminate()
        process.wait(timeout=30)


def street_tiles(page: Any, street: str) -> Any:
    return page.locator(f'section.street[data-street="{street}"] button.tile[data-grid]')


def wait_street(page: Any, street: str, mode: str, level: str, within_s: float) -> float:
    """Seconds until every grid tile of ``street`` shows ``mode`` and ``level`` (fails after ``within_s``)."""
    started = time.monotonic()
    page.wait_for_function(
        """([street, mode, level]) => {
            const tiles = document.querySelectorAll(`section.street[data-street="${street}"] button.tile[data-grid]`);
            return tiles.length > 0 && [...tiles].every(t => t.dataset.mode === mode && t.dataset.level === level);
        }""",
        arg=[street, mode, level],
        timeout=within_s * 1000,
    )
    return time.monotonic() - started


def open_signed_in(browser: Any, link: str, errors: list[str]) -> Any:
    context = browser.new_context(viewport={"width": 1400, "height": 900}, locale="zh-CN")
    page = context.new_page()
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto(link)
    page.wait_for_function(
        "document.querySelectorAll('button.tile[data-mode]:not([data-mode=\"\"])').length === 358"
    )
    return page


def propose(page: Any, scope: str, mode: str, level: str, reason: str, trigger: str = "") -> None:
    page.select_option("#scope", scope)
    page.select_option("#mode", mode)
    page.select_option("#level", level)
    page.fill("#reason", reason)
    page.fill("#trigger", trigger)
    page.click("#submit")


def test_operators_switch_streets_from_the_dashboard_and_a_second_one_confirms_level_one(
    demo: dict[str, str], chromium_path: str
) -> None:
    from playwright.sync_api import sync_playwright

    ARTIFACTS.mkdir(exist_ok=True)
    errors: list[str] = []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium_path, headless=True)
        li = open_signed_in(browser, demo["duty-li"], errors)
        wang = open_signed_in(browser, demo["duty-wang"], errors)
        li.screenshot(path=str(ARTIFACTS / "dashboard-signed-in.png"))

        propose(li, "street:BT-QG", "wartime", "II", "暴雨：二十里铺积水", "暴雨橙色预警")
        took = wait_street(li, "BT-QG", "wartime", "II", within_s=2)
        colour = street_tiles(li, "BT-QG").first.evaluate("t => getComputedStyle(t).backgroundColor")
        seen_by_other = wait_street(wang, "BT-QG", "wartime", "II", within_s=2)
        li.screenshot(path=str(ARTIFACTS / "dashboard-qg-wartime-II.png"))

        propose(li, "street:BT-NS", "wartime", "I", "山体滑坡风险")
        li.wait_for_selector('#outcome[data-status="pending"]', timeout=5000)
        li.wait_for_selector('#pending li[data-scope="street:BT-NS"] .waiting', timeout=5000)
        waiting_text = li.inner_text("#pending")
        still_peacetime = {t.get_attribute("data-mode") for t in street_tiles(li, "BT-NS").all()}
        wang.click('#pending li[data-scope="street:BT-NS"] button.confirm', timeout=5000)
        wait_street(wang, "BT-NS", "wartime", "I", within_s=2)
        wait_street(li, "BT-NS", "wartime", "I", within_s=2)
        red = street_tiles(li, "BT-NS").first.evaluate("t => getComputedStyle(t).backgroundColor")
        wang.screenshot(path=str(ARTIFACTS / "dashboard-ns-level-I-confirmed.png"))
        li.click("#lang-toggle")
        li.screenshot(path=str(ARTIFACTS / "dashboard-english.png"))
        browser.close()

    assert took < 2 and seen_by_other < 2
    assert colour == ORANGE and red == RED
    assert "等待第二名值班员确认" in waiting_text and still_peacetime == {"peacetime"}
    assert errors == []
