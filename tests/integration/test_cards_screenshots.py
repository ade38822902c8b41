"""Each card rendered by Microsoft's renderer in Debian's Chromium, saved under build/screenshots/cards/.

A card can pass validation and still look broken: these PNGs are for looking at. The test checks that
every card renders visible content and that the renderer reports no unknown elements."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from tests.support.card_gallery import gallery

ROOT = Path(__file__).resolve().parents[2]
NODE_MODULES = ROOT / "tests" / "e2e" / "node" / "node_modules"
SCRIPT = NODE_MODULES / "adaptivecards" / "dist" / "adaptivecards.min.js"
STYLE = NODE_MODULES / "adaptivecards" / "dist" / "adaptivecards.css"
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
    not Path(CHROMIUM).exists() or not SCRIPT.exists(),
    reason="needs Debian's Chromium (apt-get install chromium fonts-liberation) and `npm ci` in tests/e2e/node",
)

PAGE = """<!doctype html><html><head><meta charset="utf-8"><style>{style}
body {{ font-family: 'Liberation Sans', sans-serif; background: #f5f5f5; margin: 0; padding: 16px; }}
#card {{ width: 520px; background: white; border-radius: 6px; box-shadow: 0 1px 4px rgba(0,0,0,.2); padding: 4px; }}
</style><script>{script}</script></head><body><div id="card"></div></body></html>"""

RENDER = """(json) => {
  // Teams renders a subset of Markdown (bold, lists); the SDK leaves that to its host, as here.
  AdaptiveCards.AdaptiveCard.onProcessMarkdown = (text, result) => {
    const esc = text.replace(/&/g, "&amp;").replace(/</g, "&lt;");
    const lines = esc.split("\\n").map((l) => l.replace(/\\*\\*(.+?)\\*\\*/g, "<strong>$1</strong>"));
    const list = lines.every((l) => l.startsWith("- "));
    result.outputHtml = list ? "<ul style='margin:0;padding-left:18px'>" + lines.map((l) => "<li>" + l.slice(2) + "</li>").join("") + "</ul>" : lines.join("<br>");
    result.didProcess = true;
  };
  const card = new AdaptiveCards.AdaptiveCard();
  card.hostConfig = new AdaptiveCards.HostConfig({ fontFamily: "Liberation Sans, sans-serif" });
  card.parse(json);
  const el = card.render();
  document.getElementById("card").replaceChildren(el);
  return el.innerText.length;
}"""


def test_every_card_renders_in_chromium_and_is_saved_as_a_screenshot() -> None:
    from playwright.sync_api import sync_playwright

    OUT.mkdir(parents=True, exist_ok=True)
    html = PAGE.format(style=STYLE.read_text(), script=SCRIPT.read_text())
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        try:
            page = browser.new_page(viewport={"width": 560, "height": 400})
            page.set_content(html)
            for name, card in gallery().items():
                length = page.evaluate(RENDER, json.loads(json.dumps(card)))
                assert length > 20, f"the card '{name}' rendered almost nothing"
                page.locator("#card").screenshot(path=str(OUT / f"{name}.png"))
        finally:
            browser.close()
    assert len(list(OUT.glob("*.png"))) >= len(gallery())
