"""Small builders for Adaptive Card elements; every card in this package is made from these."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

Card = dict[str, Any]
Element = dict[str, Any]
Errors = Mapping[str, str]

SCHEMA = "http://adaptivecards.io/schemas/adaptive-card.json"
VERSION = "1.5"


def card(body: Sequence[Element], actions: Sequence[Element] = (), *, refresh: Element | None = None) -> Card:
    built: Card = {
        "type": "AdaptiveCard",
        "$schema": SCHEMA,
        "version": VERSION,
        "body": list(body),
        "msteams": {"width": "Full"},
    }
    if actions:
        built["actions"] = list(actions)
    if refresh is not None:
        built["refresh"] = refresh
    return built


def with_refresh(built: Card, verb: str, data: Mapping[str, str], user_ids: Sequence[str]) -> Card:
    """Make a card user-specific in a shared chat: each listed user's client fetches their own view."""
    if not user_ids:
        return built
    return built | {"refresh": {"action": execute("Refresh", verb, data), "userIds": list(user_ids)[:60]}}


def heading(text: str) -> Element:
    return {"type": "TextBlock", "text": text, "size": "Large", "weight": "Bolder", "wrap": True}


def subheading(text: str) -> Element:
    return {"type": "TextBlock", "text": text, "weight": "Bolder", "wrap": True, "spacing": "Medium"}


def text(value: str, *, subtle: bool = False, color: str | None = None) -> Element:
    block: Element = {"type": "TextBlock", "text": value, "wrap": True}
    if subtle:
        block["isSubtle"] = True
    if color is not None:
        block["color"] = color
    return block


def facts(pairs: Iterable[tuple[str, str]]) -> Element:
    return {"type": "FactSet", "facts": [{"title": t, "value": v} for t, v in pairs]}


def bullets(items: Iterable[str]) -> Element:
    return text("\n".join(f"- {item}" for item in items))


def execute(
    title: str,
    verb: str,
    data: Mapping[str, str] | None = None,
    *,
    primary: bool = False,
    inputs: bool = True,
) -> Element:
    action: Element = {"type": "Action.Execute", "title": title, "verb": verb, "data": dict(data or {})}
    if primary:
        action["style"] = "positive"
    if not inputs:
        action["associatedInputs"] = "none"
    return action


def open_url(title: str, url: str) -> Element:
    return {"type": "Action.OpenUrl", "title": title, "url": url}


def action_set(actions: Sequence[Element]) -> Element:
    return {"type": "ActionSet", "actions": list(actions)}


def error_banner(errors: Errors) -> list[Element]:
    if not errors:
        return []
    return [
        text("Nothing was saved yet. Please fix what is marked below.", color="Attention"),
    ]


def field_error(errors: Errors, name: str) -> list[Element]:
    message = errors.get(name)
    return [] if message is None else [text(message, color="Attention")]


def input_text(
    id_: str,
    label: str,
    value: str = "",
    *,
    max_length: int,
    multiline: bool = False,
    placeholder: str = "",
    errors: Errors | None = None,
) -> list[Element]:
    element: Element = {"type": "Input.Text", "id": id_, "label": label, "maxLength": max_length}
    if value:
        element["value"] = value
    if multiline:
        element["isMultiline"] = True
    if placeholder:
        element["placeholder"] = placeholder
    return [element, *field_error(errors or {}, id_)]


def choice_set(
    id_: str,
    label: str,
    choices: Sequence[tuple[str, str]],
    value: str = "",
    *,
    expanded: bool = False,
    errors: Errors | None = None,
    placeholder: str = "",
) -> list[Element]:
    element: Element = {
        "type": "Input.ChoiceSet",
        "id": id_,
        "label": label,
        "choices": [{"title": title, "value": val} for val, title in choices],
        "style": "expanded" if expanded else "compact",
    }
    if value:
        element["value"] = value
    if placeholder:
        element["placeholder"] = placeholder
    return [element, *field_error(errors or {}, id_)]


def toggle(
    id_: str, title: str, value: bool, *, label: str = "", errors: Errors | None = None
) -> list[Element]:
    element: Element = {
        "type": "Input.Toggle",
        "id": id_,
        "title": title,
        "value": "true" if value else "false",
        "valueOn": "true",
        "valueOff": "false",
    }
    if label:
        element["label"] = label
    return [element, *field_error(errors or {}, id_)]


def input_number(
    id_: str, label: str, value: str, *, low: int, high: int, errors: Errors | None = None
) -> list[Element]:
    element: Element = {"type": "Input.Number", "id": id_, "label": label, "min": low, "max": high}
    if value.strip().isdigit():
        element["value"] = int(value.strip())
    return [element, *field_error(errors or {}, id_)]


def input_date(id_: str, label: str, value: str, *, errors: Errors | None = None) -> list[Element]:
    element: Element = {"type": "Input.Date", "id": id_, "label": label}
    if value:
        element["value"] = value
    return [element, *field_error(errors or {}, id_)]


def columns(*cols: tuple[Sequence[Element], str]) -> Element:
    return {
        "type": "ColumnSet",
        "columns": [{"type": "Column", "width": width, "items": list(items)} for items, width in cols],
    }
