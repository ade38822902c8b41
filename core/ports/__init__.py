"""The ports `core` needs from the outside world, one module per door; `storage/` implements them and tests
use fakes that keep the same contracts.

- `domain`: the unit of work and the domain's repositories (every door uses these);
- `teams`: what the Teams door needs besides them (conversations, replay claims, team rosters);
- `lti`: platform registrations, the tool's keys and pylti1p3's short-lived launch data;
- `delivery`: leases, the outbox as a queue, conversation lookups in batches, the program directory.

The domain ports are re-exported here, so `from core.ports import UnitOfWork` reads as the one port it is.
"""

from core.ports.domain import (
    CheckInRepository,
    Clock,
    ConcernRepository,
    EnrollmentRepository,
    OrganizationRepository,
    OutboxRepository,
    PairingRepository,
    PersonalTraceRepository,
    PersonRepository,
    ProfileRepository,
    ProgramFigures,
    ProgramRepository,
    RoundRepository,
    RoundRunner,
    TeamRosterRepository,
    UnitOfWork,
    UnitOfWorkFactory,
)

__all__ = [
    "CheckInRepository",
    "Clock",
    "ConcernRepository",
    "EnrollmentRepository",
    "OrganizationRepository",
    "OutboxRepository",
    "PairingRepository",
    "PersonRepository",
    "PersonalTraceRepository",
    "ProfileRepository",
    "ProgramFigures",
    "ProgramRepository",
    "RoundRepository",
    "RoundRunner",
    "TeamRosterRepository",
    "UnitOfWork",
    "UnitOfWorkFactory",
]
