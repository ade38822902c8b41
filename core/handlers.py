"""Which handler runs each command: the bus's registry, the one place a command meets its use case."""

from __future__ import annotations

from core import commands
from core.bus import Handler
from core.services import (
    checkins,
    courses,
    enrollment,
    identity,
    pairings,
    platforms,
    privacy,
    profiles,
    programs,
    schedule,
    stewardship,
    teams,
)
from core.services import notes as learning_notes

HANDLERS: dict[type, Handler] = {
    commands.ResolveTeamsPerson: identity.resolve_teams_person,
    commands.ResolveLtiPerson: identity.resolve_lti_person,
    commands.Enroll: enrollment.enroll,
    commands.UpdateProfile: profiles.update_profile,
    commands.Pause: enrollment.pause,
    commands.Resume: enrollment.resume,
    commands.Leave: enrollment.leave,
    commands.ExportMyData: privacy.export_my_data,
    commands.DeleteMyData: privacy.delete_my_data,
    commands.RespondToPairing: pairings.respond,
    commands.SubmitCheckIn: checkins.submit_check_in,
    commands.RaiseConcern: checkins.raise_concern,
    commands.ProgramSetup: programs.setup_program,
    commands.ClaimActivity: teams.claim_activity,
    commands.KeepConversation: teams.keep_conversation,
    commands.AddTeamMembers: teams.add_team_members,
    commands.QueueCheckIns: schedule.queue_program_check_ins,
    commands.EnsureTeamProgram: programs.ensure_team_program,
    commands.EnsureOrganizationProgram: programs.ensure_organization_program,
    commands.DeactivateTeamProgram: programs.deactivate_team_program,
    commands.RemoveTeamMember: programs.remove_team_member,
    commands.AddFacilitator: programs.add_facilitator,
    commands.TakeOver: stewardship.take_over,
    commands.EnsureCourseProgram: courses.ensure_course_program,
    commands.UpdateCourseSettings: courses.update_course_settings,
    commands.SaveQuestionnaire: courses.save_questionnaire,
    commands.MoveMember: courses.move_member,
    commands.PublishGroups: courses.publish_groups,
}

# Learning notes (issue 17: knowledge kept)
HANDLERS.update(
    {
        commands.WriteLearningNote: learning_notes.write_note,
        commands.ShareLearningNote: learning_notes.share_note,
        commands.UnshareLearningNote: learning_notes.unshare_note,
        commands.DeleteLearningNote: learning_notes.delete_note,
    }
)

# The LTI door's protocol state (registrations, the tool's keys, launch data), in the request's unit of work.
HANDLERS.update(
    {
        commands.RegisterPlatform: platforms.register_platform,
        commands.SavePlatformKeySet: platforms.save_key_set,
        commands.RotateToolKey: platforms.rotate_tool_key,
        commands.KeepLaunchData: platforms.keep_launch_data,
        commands.TakeLaunchData: platforms.take_launch_data,
    }
)
