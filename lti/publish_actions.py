"""Publishing a course's groups, and getting them into the LMS's own groups.

Two ways, by what the platform allows (docs/LTI.md, "Groups back in the LMS"):

- the LMS's own group API, when the administrator configured one for this platform (`LTI_GROUP_APIS`:
  Moodle's web services or Canvas's REST API, `lti/lms_groups.py`): publishing creates or updates the groups;
- the LTI Course Groups service, when the launch offers it (`lti/course_groups.py`): it is read-only, so the
  tool reads the course's groups and says which study groups the LMS lists, which it does not, and what to do.

With both, the groups are created through the API and then looked up through the service. A failure is an
`LmsGroupsFailed`, shown on the course page as an alert that says what happened and what to do next; the
groups stay published in the tool either way.
"""

from __future__ import annotations

from collections.abc import Sequence

from core.bus import Work
from core.commands import PublishGroups
from core.views import course_pages
from lti import services
from lti.adapter.message_launch import AiohttpMessageLaunch
from lti.config import LtiConfig
from lti.course_groups import CourseGroupsUnreadable, read_course_groups
from lti.lms_groups import GroupApi, GroupSyncFailed, LmsGroup
from lti.session import PageSession

CHECK = "“Check the course's groups”"


class LmsGroupsFailed(Exception):
    """Groups that could not be created in (or found in) the LMS: the page shows the message as an alert."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


async def publish(config: LtiConfig, session: PageSession, form: object) -> str:
    reaches = _reaches_lms(config, session)
    async with config.bus.unit() as work:  # publish, and read what the LMS will be sent; then the LMS
        published = await work.handle(
            PublishGroups(session.organization_id, session.program_id, session.person_id)
        )
        to_send = await _for_lms(config, work, session) if reaches else None
    count = len(published.pairings)
    notice = (
        f"Published {count} group{'' if count == 1 else 's'}: each learner now sees their group on this page."
    )
    if published.notified:
        notice += (
            f" {published.notified} of them also get a message in Teams, where their course and Teams accounts "
            "are linked."
        )
    return notice + " " + await _to_lms(config, session, *to_send) if to_send is not None else notice


async def lms_groups(config: LtiConfig, session: PageSession, form: object) -> str:
    """“Send groups to …” (an LMS group API) or “Check the course's groups” (the Course Groups service)."""
    if not _reaches_lms(config, session):
        raise LmsGroupsFailed(
            "This course's LMS is not set up to receive groups from this tool: its launches do not offer the LTI "
            "Course Groups service and no group API is configured for it. Ask your LMS administrator "
            "(docs/ADMIN.md, LTI_GROUP_APIS); meanwhile, create the groups in the LMS from “Export CSV”."
        )
    async with config.bus.unit() as work:
        groups, launch = await _for_lms(config, work, session)
    return await _to_lms(config, session, groups, launch)


def _reaches_lms(config: LtiConfig, session: PageSession) -> bool:
    return bool(session.context_id and config.group_api(session.issuer)) or session.groups_service


async def _for_lms(
    config: LtiConfig, work: Work, session: PageSession
) -> tuple[list[LmsGroup], AiohttpMessageLaunch | None]:
    """The published groups, and (when the launch offers the Course Groups service) the kept launch to read
    the course's groups with: read in the request's unit of work, before the LMS is called (no unit of work is
    open while it answers)."""
    groups = await course_pages.published_groups(
        work.uow, session.organization_id, session.program_id, session.issuer
    )
    launch = await services.kept_launch(config.tool, work, session) if session.groups_service else None
    return [LmsGroup(g.number, f"Study group {g.number}", g.lms_user_ids) for g in groups], launch


async def _to_lms(
    config: LtiConfig, session: PageSession, groups: list[LmsGroup], launch: AiohttpMessageLaunch | None
) -> str:
    api = config.group_api(session.issuer) if session.context_id else None
    if api is not None:
        said = await _sync(session, api, groups)
        if launch is not None:
            said += " " + await _listed_after_sync(config, launch, groups)
        return said
    return await _check(config, launch, groups)


async def _sync(session: PageSession, api: GroupApi, groups: Sequence[LmsGroup]) -> str:
    try:
        result = await api.sync(session.context_id, session.program_id, groups)
    except GroupSyncFailed as exc:
        raise LmsGroupsFailed(
            f"The groups are published here, but {api.lms_name} did not take them: {exc.message} "
            f"Then use “Send groups to {api.lms_name}” on this page."
        ) from exc
    return (
        f"In {api.lms_name}, the course now has these groups as “Study group 1” to “Study group {len(groups)}” "
        f"({result.created} created, {result.updated} updated, {result.removed} removed)."
    )


def _names(names: Sequence[str]) -> str:
    quoted = [f"“{n}”" for n in names]
    return quoted[0] if len(quoted) == 1 else ", ".join(quoted[:-1]) + " and " + quoted[-1]


async def _listed_after_sync(
    config: LtiConfig, launch: AiohttpMessageLaunch, groups: Sequence[LmsGroup]
) -> str:
    """What the Course Groups service lists after the API created the groups (a confirmation, never a failure:
    the groups were accepted, and an LMS may take a moment to list them)."""
    try:
        course = await read_course_groups(config.tool, launch)
    except CourseGroupsUnreadable as exc:
        return f"(Its course groups service could not confirm it: {exc.message}.)"
    missing = course.missing([g.name for g in groups])
    if not missing:
        return "Your LMS lists them all in the course."
    return f"Your LMS does not list {_names(missing)} yet; use {CHECK} in a minute."


async def _check(config: LtiConfig, launch: AiohttpMessageLaunch | None, groups: Sequence[LmsGroup]) -> str:
    """The study groups the course lists, through the read-only Course Groups service; raises `LmsGroupsFailed`
    with what to do when some are not there, or when the service cannot be read."""
    try:
        if launch is None:
            raise CourseGroupsUnreadable("this launch does not offer the course groups service")
        course = await read_course_groups(config.tool, launch)
    except CourseGroupsUnreadable as exc:
        raise LmsGroupsFailed(
            f"The groups are published here, but the course's groups could not be read from your LMS: {exc.message}. "
            f"Try {CHECK} again later; if it keeps failing, ask your LMS administrator whether this tool may use "
            "the LTI Course Groups service."
        ) from exc
    names = [g.name for g in groups]
    missing = course.missing(names)
    if not missing:
        return (
            f"Your LMS lists all {len(names)} study groups in the course, by the same names as here."
            if names
            else "There are no published groups to look for in your LMS yet."
        )
    found = len(names) - len(missing)
    raise LmsGroupsFailed(
        "The groups are published here. Your LMS lets this tool read the course's groups (LTI Course Groups "
        f"service) but not create them, and it does not list {_names(missing)} yet ({found} of {len(names)} are "
        "there). To have them in the course, create them in your LMS with these names and the members shown on "
        "this page (“Export CSV” gives each member's LMS user id and email), or ask your LMS administrator to "
        f"give this tool a Canvas or Moodle token (LTI_GROUP_APIS in docs/ADMIN.md) so publishing creates them. "
        f"Then use {CHECK}."
    )
