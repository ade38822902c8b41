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
