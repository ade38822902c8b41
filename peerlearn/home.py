"""`/`: a small page saying what this service is, for whoever opens its address in a browser.

It links the health check and the documentation (the guides under `docs/`, served read-only when the source
tree is there, as after `make run`). Like the LTI pages it is sent with a strict Content-Security-Policy: no
script at all, no inline style, and no framing."""

from __future__ import annotations

from html import escape
from pathlib import Path

from aiohttp import web

from peerlearn import __version__

DOCS_DIR = Path(__file__).resolve().parents[1] / "docs"
# Only these files are served, by name: never a path taken from the request.
DOCS = {
    "ADMIN.md": "Setting it up for an organization: Azure Bot, Microsoft Graph, the Teams app, LMS registration",
    "LTI.md": "The LTI 1.3 tool: registering it in Moodle, Canvas, Brightspace and others",
    "PRIVACY.md": "What is stored about people, who sees what, export and deletion",
    "SECURITY.md": "Security: authentication, secrets, reporting a vulnerability",
}
CSP = "default-src 'none'; img-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"

PAGE = """<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><title>peerlearn</title>
<meta name="viewport" content="width=device-width, initial-scale=1"></head>
<body>
<h1>peerlearn</h1>
<p>Peer-to-peer learning at work: colleagues are matched to learn from each other in Microsoft Teams, and
course admins form peer study groups in their LMS through LTI&nbsp;1.3. This address is the service itself;
people use it from Teams and from their LMS, not from here.</p>
<h2>Here</h2>
<ul>
<li><a href="/healthz">/healthz</a>: the version and the database's state</li>
<li><code>/api/messages</code>: the Teams bot's endpoint (for the Azure Bot registration)</li>
<li><a href="/lti/jwks">/lti/jwks</a>, <a href="/lti/canvas.json">/lti/canvas.json</a>, <code>/lti/register</code>:
the LTI tool's keys, Canvas configuration and Dynamic Registration</li>
</ul>
<h2>Documentation</h2>
{docs}
<p><small>peerlearn {version}</small></p>
</body>
</html>
"""


def _secure(response: web.Response) -> web.Response:
    response.headers["Content-Security-Policy"] = CSP
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Referrer-Policy"] = "no-referrer"
    return response


def _available() -> list[str]:
    return [name for name in DOCS if (DOCS_DIR / name).is_file()]


async def home(_: web.Request) -> web.Response:
    available = _available()
    if available:
        docs = "<ul>\n" + "".join(
            f'<li><a href="/docs/{escape(n)}">{escape(n)}</a>: {escape(DOCS[n])}</li>\n' for n in available
        )
        docs += "</ul>"
    else:
        docs = "<p>The guides are in the <code>docs/</code> folder of peerlearn's source.</p>"
    page = PAGE.replace("{docs}", docs).replace("{version}", escape(__version__))
    return _secure(web.Response(text=page, content_type="text/html"))


async def doc(request: web.Request) -> web.Response:
    name = request.match_info["name"]
    if name not in DOCS or not (DOCS_DIR / name).is_file():
        raise web.HTTPNotFound(text=f"No document named '{name}' here. The list is at /.")
    text = (DOCS_DIR / name).read_text(encoding="utf-8")
    return _secure(web.Response(text=text, content_type="text/plain", charset="utf-8"))


def setup_home(app: web.Application) -> None:
    app.router.add_get("/", home)
    app.router.add_get("/docs/{name}", doc)
