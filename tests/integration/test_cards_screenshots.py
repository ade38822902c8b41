"""Each card rendered by Microsoft's renderer in Debian's Chromium, saved under build/screenshots/cards/.

A card can pass validation and still look broken: these PNGs are for looking at. The test checks that
every card renders visible content and that the renderer reports no unknown elements."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from tests.support.card_gallery import gallery
from tests.support.card_renderer import RENDER, RENDERER, ROOT, page_html

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
OUT = ROOT / "build" / "screenshots" / "cards"
FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]

pytestmark = pytest.mark.skipif(
    not Path(CHROMIUM).exists() or not RENDERER.exists(),
    reason="needs Debian's Chromium (apt-get install chromium fonts-liberation) and `npm ci` in tests/e2e/node",
)


def test_every_card_renders_in_chromium_and_is_saved_as_a_screenshot() -> None:
    from playwright.sync_api import sync_playwright

    OUT.mkdir(parents=True, exist_ok=True)
    html = page_html()
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        try:
            page = browser.new_page(viewport={"width": 560, "height": 400})
            page.set_content(html)
            for name, card in gallery().items():
                shown = str(page.evaluate(RENDER, json.loads(json.dumps(card))))
                assert len(shown) > 20, f"the card '{name}' rendered almost nothing"
                page.locator("#card").screenshot(path=str(OUT / f"{name}.png"))
        finally:
            browser.close()
    assert len(list(OUT.glob("*.png"))) >= len(gallery())
