"""One call wires the LTI door into the app: `setup_lti(app, LtiConfig(...))`."""

from __future__ import annotations

from aiohttp import web

from core.views import platforms
from lti import course_actions as actions
from lti import publish_actions
from lti import views_protocol as protocol
from lti.config import LTI, LtiConfig
from lti.course_pages import show_course
from lti.pages import security_headers, setup_templates, static
from lti.registration import confirm_registration, register
from lti.security import ANCESTORS, FrameAncestors


def setup_lti(app: web.Application, config: LtiConfig) -> None:
    app[LTI] = config
    app[ANCESTORS] = FrameAncestors(
        lambda: config.bus.read(platforms.platform_urls), extra=config.frame_ancestors
    )
    setup_templates(app)
    app.middlewares.append(security_headers)
    r = app.router
    r.add_route("GET", "/lti/login", protocol.login)
    r.add_route("POST", "/lti/login", protocol.login)
    r.add_post("/lti/launch", protocol.launch)
    r.add_get("/lti/jwks", protocol.jwks)
    r.add_get("/lti/canvas.json", protocol.canvas_json)
    r.add_get("/lti/register", register)
    r.add_post("/lti/register", confirm_registration)
    r.add_get("/lti/static/{name}", static)
    r.add_get("/lti/course", show_course, name="lti_course")
    r.add_get("/lti/course/export.csv", actions.export_csv)
    r.add_post("/lti/course/settings", actions.action(actions.save_settings, instructor=True))
    r.add_post("/lti/course/form", actions.action(actions.form_groups, instructor=True))
    r.add_post("/lti/course/move", actions.action(actions.move, instructor=True))
    r.add_post("/lti/course/publish", actions.action(publish_actions.publish, instructor=True))
    r.add_post("/lti/course/lms-groups", actions.action(publish_actions.lms_groups, instructor=True))
    r.add_get("/lti/course/scores", actions.review_scores)
    r.add_post("/lti/course/scores", actions.action(actions.send_scores, instructor=True))
    r.add_post("/lti/course/questionnaire", actions.questionnaire)
    r.add_post("/lti/course/checkin", actions.check_in)
    r.add_post("/lti/course/note", actions.action(actions.note, instructor=False))
    r.add_get("/lti/course/notes", actions.notes)
    r.add_post("/lti/deep-link", actions.deep_link)
