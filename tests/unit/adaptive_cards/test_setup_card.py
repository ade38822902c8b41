"""The set-up card says what happens next as it will happen: rounds run on their own only from a start date."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import date

from adaptive_cards.setup import setup_card
from core.model import Cadence
from tests.support.card_gallery import PROGRAM


def test_saved_without_a_start_date_says_no_round_runs_on_its_own() -> None:
    text = json.dumps(setup_card(replace(PROGRAM, starts_on=None), saved=True), ensure_ascii=False)
    assert "Rounds run on their own once you pick a start date" in text
    assert "let the schedule do it" not in text


def test_saved_with_a_start_date_says_when_and_how_often() -> None:
    program = replace(PROGRAM, starts_on=date(2026, 12, 7), cadence=Cadence.BIWEEKLY)
    text = json.dumps(setup_card(program, saved=True), ensure_ascii=False)
    assert "Rounds run every two weeks from Monday 7 December, or now with Match now." in text


def test_the_setup_card_shows_the_level_gap_and_what_it_means() -> None:
    card = setup_card(PROGRAM)
    (field,) = [e for e in card["body"] if e.get("id") == "max_level_gap"]
    assert field["value"] == 3 and (field["min"], field["max"]) == (1, 4)
    assert "an expert at 5 may teach someone at 2, not at 1" in field["label"]
