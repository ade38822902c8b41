"""What the facilitator's report shows about notifications: figures per program, and whether Graph is on."""

from __future__ import annotations

from core.delivery_ports import DeliveryRecords
from core.errors import PermissionDenied
from core.model.delivery import DeliveryHealth, DeliveryOutcome, GraphStatus
from core.ports import UnitOfWork
from core.services import _lookups


async def delivery_health(
    organization_id: str,
    program_id: str,
    actor_id: str,
    uow: UnitOfWork,
    records: DeliveryRecords,
    graph: GraphStatus,
) -> DeliveryHealth:
    async with uow:
        program = await _lookups.program(uow, organization_id, program_id)
    if not program.is_facilitator(actor_id):
        raise PermissionDenied("Only this program's facilitators can see its report.")
    counts = await records.counts_for_program(organization_id, program_id)
    return DeliveryHealth(
        delivered=counts.get(DeliveryOutcome.DELIVERED.value, 0),
        skipped=counts.get(DeliveryOutcome.SKIPPED.value, 0),
        failed=counts.get(DeliveryOutcome.FAILED.value, 0),
        failures_by_reason=await records.failure_reasons(organization_id, program_id),
        graph=graph,
    )
