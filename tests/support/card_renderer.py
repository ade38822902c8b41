"""Microsoft's Adaptive Cards SDK (npm `adaptivecards`) as the tests use it: validating cards at 1.5 through
Node, and a page in which Chromium renders a card as Teams would (for screenshots)."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
NODE_MODULES = ROOT / "tests" / "e2e" / "node" / "node_modules"
VALIDATOR = ROOT / "tests" / "integration" / "node" / "validate_cards.js"
RENDERER = NODE_MODULES / "adaptivecards" / "dist" / "adaptivecards.min.js"
RENDERER_STYLE = NODE_MODULES / "adaptivecards" / "dist" / "adaptivecards.css"

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
    result.outputHtml = list ? "<ul style='margin:0;padding-left:18px;white-space:normal'>" + lines.map((l) => "<li>" + l.slice(2) + "</li>").join("") + "</ul>" : lines.join("<br>");
    result.didProcess = true;
  };
  const card = new AdaptiveCards.AdaptiveCard();
  card.hostConfig = new AdaptiveCards.HostConfig({ fontFamily: "Liberation Sans, sans-serif" });
  card.parse(json);
  const el = card.render();
  document.getElementById("card").replaceChildren(el);
  return el.innerText;
}"""
"""A function for `page.evaluate(RENDER, card)`: renders the card into the page and returns the text shown."""


def page_html() -> str:
    """The page to render cards in (`page.set_content`), with the SDK and its stylesheet inline."""
    return PAGE.format(style=RENDERER_STYLE.read_text(), script=RENDERER.read_text())


def validate(cards: dict[str, object], work_dir: Path) -> dict[str, dict[str, list[str]]]:
    """Each card checked by the SDK at 1.5: `{name: {"errors": [...], "warnings": [...]}}`."""
    path = work_dir / "cards.json"
    path.write_text(json.dumps(cards))
    node = shutil.which("node")
    assert node is not None, "needs Node (apt-get install nodejs npm)"
    done = subprocess.run(
        [node, str(VALIDATOR), str(path), str(NODE_MODULES)],
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    )
    results: dict[str, dict[str, list[str]]] = json.loads(done.stdout)
    return results
