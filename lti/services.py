"""The platform's services, called through pylti1p3 from a kept launch: the roster (every page of Names
and Role Provisioning), scores (Assignment and Grade Services) and the deep-linking response.

The launch is read in the request's unit of work (`kept_launch`); the services are called with it afterwards,
when no unit of work is open: no transaction waits for a platform."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from pylti1p3.deep_link_resource import DeepLinkResource
from pylti1p3.grade import Grade
from pylti1p3.lineitem import LineItem

from core.bus import Work
from core.views.courses import RosterMember
from lti.adapter.message_launch import AiohttpMessageLaunch
from lti.roles import principal_names
from lti.session import PageSession
from lti.tool import Tool

DL_SETTINGS = "https://purl.imsglobal.org/spec/lti-dl/claim/deep_linking_settings"
LINE_ITEM_TAG = "peerlearn-participation"


async def kept_launch(tool: Tool, work: Work, session: PageSession) -> AiohttpMessageLaunch:
    """The launch the page session came from (an instructor's, kept for the platform's services)."""
    return await tool.restore(
        work, session.organization_id, session.issuer, session.client_id, session.launch_id
    )


async def roster(tool: Tool, launch: AiohttpMessageLaunch) -> list[RosterMember] | None:
    """The course's members from the platform, or None when the launch offered no roster service."""

    def fetch() -> list[RosterMember] | None:
        if not launch.has_nrps():
            return None
        members = launch.get_nrps().get_members()  # follows every `next` page
        return [
            RosterMember(
                str(m.get("user_id", "")), str(m.get("name") or ""), principal_names(m.get("roles") or ())
            )
            for m in members
            if m.get("status", "Active") == "Active"
        ]

    return await tool.call(fetch)


async def send_scores(
    tool: Tool, launch: AiohttpMessageLaunch, scores: Mapping[str, float], at: datetime
) -> int:
    """Send each learner's participation (0–1, as 0–100) to a "Participation" line item; returns how many."""

    def send() -> int:
        if not launch.has_ags():
            return 0
        ags = launch.get_ags()
        item = LineItem().set_tag(LINE_ITEM_TAG).set_score_maximum(100).set_label("Study group participation")
        item = ags.find_or_create_lineitem(item, find_by="tag")
        sent = 0
        for subject, score in scores.items():
            grade = (
                Grade()
                .set_score_given(round(score * 100, 1))
                .set_score_maximum(100)
                .set_timestamp(at.isoformat())
                .set_activity_progress("Completed")
                .set_grading_progress("FullyGraded")
                .set_user_id(subject)
            )
            ags.put_grade(grade, item)
            sent += 1
        return sent

    return await tool.call(send)


async def deep_link_response(
    tool: Tool, launch: AiohttpMessageLaunch, title: str, custom: Mapping[str, str]
) -> tuple[str, str]:
    """The signed deep-linking response JWT and the platform URL it is posted to."""

    def sign() -> tuple[str, str]:
        body: Any = launch.get_launch_data()
        return_url = str(body.get(DL_SETTINGS, {}).get("deep_link_return_url", ""))
        resource = (
            DeepLinkResource().set_url(tool.launch_url).set_title(title).set_custom_params(dict(custom))
        )
        return launch.get_deep_link().get_response_jwt([resource]), return_url

    return await tool.call(sign)
