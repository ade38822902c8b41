"""What the facilitator's report shows about notifications: figures per program, who could not be reached
(so a facilitator can follow up), and whether Graph is on."""

from __future__ import annotations

from core.errors import PermissionDenied
from core.model.delivery import DeliveryHealth, DeliveryOutcome, GraphStatus
from core.ports import UnitOfWork
from core.services import _lookups


async def delivery_health(
    organization_id: str,
    program_id: str,
    actor_id: str,
    uow: UnitOfWork,
    graph: GraphStatus,
) -> DeliveryHealth:
    records = uow.deliveries
    program = await _lookups.program(uow, organization_id, program_id)
    if not program.is_facilitator(actor_id):
        raise PermissionDenied("Only this program's facilitators can see its report.")
    counts = await records.counts_for_program(organization_id, program_id)
    unreachable_ids = await records.unreachable(organization_id, program_id)
    people = await uow.persons.many(organization_id, unreachable_ids) if unreachable_ids else []
    # Deleted people are gone from the report too; the count above still includes their messages.
    names = sorted(p.display_name for p in people if not p.erased)
    return DeliveryHealth(
        delivered=counts.get(DeliveryOutcome.DELIVERED.value, 0),
        skipped=counts.get(DeliveryOutcome.SKIPPED.value, 0),
        failed=counts.get(DeliveryOutcome.FAILED.value, 0),
        failures_by_reason=await records.failure_reasons(organization_id, program_id),
        graph=graph,
        unreachable=names,
    )
