"""Learning notes through the bot: open the note form of a completed pairing, save it, share it (with my
name or anonymously), keep it private, delete it. Each answers with the person's own note card, 1:1."""

from __future__ import annotations

from collections.abc import Mapping

from adaptive_cards import notes as note_cards
from adaptive_cards import verbs
from adaptive_cards.elements import Card
from bot.actions.context import ActionContext, Reply
from bot.forms import MAX_FIELDS, StaleCard, card_id, plain
from core import commands
from core.errors import InvalidInput, NotFound
from core.model.notes import MAX_TAGS, MAX_TEXT
from core.views import notes as note_views
from core.views.notes import MyNote, NoteForm

# What a card may send: the text is checked again (cleaned) by the core, with a message naming the limit.
LIMITS = {"text": MAX_TEXT * 2, "skills": MAX_TAGS * 62, "sharing": 20}
FIELDS = {"skill": "skills"}  # the core's field name → the card's input


def _form_card(
    form: NoteForm, values: Mapping[str, str] | None = None, errors: Mapping[str, str] | None = None
) -> Card:
    note = form.note
    return note_cards.note_form(
        pairing_id=form.pairing.id,
        program_name=form.program.name,
        others=form.others,
        skills=[t.label for t in note.tags] if note else form.suggested_skills,
        note_text=note.text if note else "",
        sharing=form.sharing,
        values=values,
        errors=errors,
    )


def _typed(data: Mapping[str, object]) -> tuple[dict[str, str], dict[str, str]]:
    if len(data) > MAX_FIELDS:
        raise StaleCard("This card sent more fields than any of our cards has. Nothing was changed.")
    values: dict[str, str] = {}
    errors: dict[str, str] = {}
    for name, limit in LIMITS.items():
        text = plain(data.get(name, ""))
        if text is None:
            errors[name] = f"'{name}' must be text."
            continue
        if len(text) > limit:
            errors[name] = f"This is {len(text)} characters long; use at most {limit}."
        values[name] = text[:limit]
    return values, errors


async def _mine(ctx: ActionContext, note_id: str) -> MyNote:
    for note in await note_views.my_notes(ctx.uow, ctx.organization_id, ctx.person.id):
        if note.note_id == note_id:
            return note
    raise NotFound("That note does not exist any more; it may have been deleted.")


async def open_note(ctx: ActionContext) -> Reply:
    pairing_id = card_id(ctx.data, "pairing_id")
    form = await note_views.note_form(ctx.uow, ctx.organization_id, pairing_id, ctx.person.id)
    return Reply(_form_card(form), view=(verbs.NOTE_OPEN, {"pairing_id": pairing_id}))


async def save_note(ctx: ActionContext) -> Reply:
    pairing_id = card_id(ctx.data, "pairing_id")
    # The form is read first: it checks membership, so a non-member learns nothing from validation messages.
    form = await note_views.note_form(ctx.uow, ctx.organization_id, pairing_id, ctx.person.id)
    values, errors = _typed(ctx.data)
    if errors:
        return Reply(_form_card(form, values, errors))
    command = commands.WriteLearningNote(
        organization_id=ctx.organization_id,
        person_id=ctx.person.id,
        pairing_id=pairing_id,
        text=values["text"],
        skills=tuple(s for s in values["skills"].split(",") if s.strip()),
        sharing=values["sharing"] or "private",
    )
    try:
        note = await ctx.handle(command)
    except InvalidInput as error:
        return Reply(_form_card(form, values, {FIELDS.get(error.field, error.field): error.message}))
    return Reply(note_cards.note_saved(await _mine(ctx, note.id)))


async def share(ctx: ActionContext) -> Reply:
    note_id = card_id(ctx.data, "note_id")
    attributed = plain(ctx.data.get("attributed")) == "true"
    await ctx.handle(commands.ShareLearningNote(ctx.organization_id, ctx.person.id, note_id, attributed))
    return Reply(note_cards.note_saved(await _mine(ctx, note_id)))


async def unshare(ctx: ActionContext) -> Reply:
    note_id = card_id(ctx.data, "note_id")
    await ctx.handle(commands.UnshareLearningNote(ctx.organization_id, ctx.person.id, note_id))
    return Reply(note_cards.note_saved(await _mine(ctx, note_id)))


async def delete(ctx: ActionContext) -> Reply:
    note_id = card_id(ctx.data, "note_id")
    await ctx.handle(commands.DeleteLearningNote(ctx.organization_id, ctx.person.id, note_id))
    return Reply(note_cards.note_deleted())
