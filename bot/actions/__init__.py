"""One small handler per `Action.Execute` verb (and per text command), found through `build_registry`."""

from __future__ import annotations

from adaptive_cards import verbs
from bot import text_commands
from bot.actions import checkin, facilitation, notes, pairing, participation, profile
from bot.actions.context import ActionContext, Handler, Reply, Services

__all__ = ["ActionContext", "Handler", "Reply", "Services", "build_registry"]


def build_registry() -> dict[str, Handler]:
    return {
        verbs.JOIN: participation.join,
        verbs.CHANNEL_VIEW: participation.channel_view,
        verbs.HELP: participation.help_,
        verbs.STATUS: participation.show_status,
        verbs.RESUME: participation.resume,
        text_commands.PAUSE: participation.pause,
        text_commands.LEAVE: participation.leave,
        text_commands.FIND: participation.find,
        text_commands.EXPORT: participation.export,
        verbs.EXPORT_FILE: participation.export,
        verbs.DELETE_ASK: participation.delete_ask,
        verbs.DELETE_CONFIRM: participation.delete_confirm,
        verbs.PROFILE_OPEN: profile.open_profile,
        verbs.PROFILE_SAVE: profile.save_profile,
        verbs.SETUP_OPEN: facilitation.open_setup,
        verbs.SETUP_SAVE: facilitation.save_setup,
        verbs.ROUND_RUN: facilitation.run_round,
        verbs.REPORT_OPEN: facilitation.open_report,
        text_commands.FACILITATOR_ADD: facilitation.add_facilitator,
        verbs.FACILITATOR_TAKE_OVER: facilitation.take_over,
        verbs.PAIRING_VIEW: pairing.view,
        verbs.PAIRING_ACCEPT: pairing.accept,
        verbs.PAIRING_DECLINE: pairing.decline,
        verbs.PAIRING_SOMEONE_ELSE: pairing.someone_else,
        verbs.CHECKIN_OPEN: checkin.open_check_in,
        verbs.CHECKIN_SUBMIT: checkin.submit,
        verbs.NOTE_OPEN: notes.open_note,
        verbs.NOTE_SAVE: notes.save_note,
        verbs.NOTE_SHARE: notes.share,
        verbs.NOTE_UNSHARE: notes.unshare,
        verbs.NOTE_DELETE: notes.delete,
    }
