"""A round runs in a worker process; its refusal comes back to the request as the same error, whole."""

from __future__ import annotations

import pickle

from core.errors import ConcurrentChange, InvalidInput, PermissionDenied
from core.services.rounds import RoundJustRun, TooFewToMatch


def test_every_domain_error_survives_the_trip_between_processes_with_its_fields() -> None:
    for error in (
        TooFewToMatch("Guild", 1),
        RoundJustRun("Guild"),
        InvalidInput("hours_per_month", "Use 0 to 80."),
        PermissionDenied("Only the program's facilitators can run a round."),
        ConcurrentChange(),
    ):
        back = pickle.loads(pickle.dumps(error))
        assert type(back) is type(error)
        assert back.message == error.message and str(back) == str(error)
        assert vars(back) == vars(error)
    assert pickle.loads(pickle.dumps(TooFewToMatch("Guild", 1))).ready == 1
