"""What must hold in the database whatever a client sends: each check is one SQL query that returns the
offending rows, so a failure shows them. Used after the attack and fuzz runs, on both lanes."""

from __future__ import annotations

from sqlalchemy import inspect, text
from sqlalchemy.ext.asyncio import AsyncEngine

# References between an organization's rows: (table, column, referenced table). Some have composite foreign
# keys (the database refuses them anyway), some are plain columns only the code keeps in the organization.
REFERENCES = (
    ("program_facilitators", "program_id", "programs"),
    ("program_facilitators", "person_id", "persons"),
    ("enrollments", "program_id", "programs"),
    ("enrollments", "person_id", "persons"),
    ("rounds", "program_id", "programs"),
    ("pairings", "program_id", "programs"),
    ("pairings", "round_id", "rounds"),
    ("pairing_members", "pairing_id", "pairings"),
    ("pairing_members", "person_id", "persons"),
    ("pairing_events", "pairing_id", "pairings"),
    ("pairing_events", "by_person_id", "persons"),
    ("check_ins", "pairing_id", "pairings"),
    ("check_ins", "person_id", "persons"),
    ("concerns", "program_id", "programs"),
    ("concerns", "reporter_id", "persons"),
    ("concerns", "pairing_id", "pairings"),
    ("outbox", "recipient_id", "persons"),
    ("team_members", "person_id", "persons"),
    ("lti_identities", "person_id", "persons"),
    ("lti_deployments", "registration_id", "lti_registrations"),
)

CHECKS: dict[str, str] = {
    "a pairing without members": """
        SELECT p.id FROM pairings p
        WHERE NOT EXISTS (SELECT 1 FROM pairing_members m
                          WHERE m.pairing_id = p.id AND m.organization_id = p.organization_id)""",
    "an accepted, active or completed pairing with a member who did not accept": """
        SELECT p.id, p.status, m.person_id, m.response FROM pairings p
        JOIN pairing_members m ON m.pairing_id = p.id AND m.organization_id = p.organization_id
        WHERE p.status IN ('accepted', 'active', 'completed') AND m.response <> 'accepted'""",
    "a proposed pairing that a member declined": """
        SELECT p.id, m.person_id, m.response FROM pairings p
        JOIN pairing_members m ON m.pairing_id = p.id AND m.organization_id = p.organization_id
        WHERE p.status = 'proposed' AND m.response IN ('declined', 'asked_for_someone_else')""",
    "a declined pairing that no member declined": """
        SELECT p.id FROM pairings p
        WHERE p.status = 'declined' AND NOT EXISTS (
            SELECT 1 FROM pairing_members m
            WHERE m.pairing_id = p.id AND m.organization_id = p.organization_id
              AND m.response IN ('declined', 'asked_for_someone_else'))""",
    "a pairing whose latest recorded transition is not its status": """
        SELECT p.id, p.status, e.status FROM pairings p
        JOIN pairing_events e ON e.pairing_id = p.id AND e.organization_id = p.organization_id
        WHERE e.id = (SELECT MAX(e2.id) FROM pairing_events e2 WHERE e2.pairing_id = p.id)
          AND e.status <> p.status""",
    "a check-in by someone who is not a member of its pairing": """
        SELECT c.id FROM check_ins c
        WHERE NOT EXISTS (SELECT 1 FROM pairing_members m
                          WHERE m.pairing_id = c.pairing_id AND m.person_id = c.person_id)""",
    "a pairing member not enrolled in the pairing's program": """
        SELECT p.id, m.person_id FROM pairings p
        JOIN pairing_members m ON m.pairing_id = p.id AND m.organization_id = p.organization_id
        WHERE NOT EXISTS (SELECT 1 FROM enrollments e
                          WHERE e.program_id = p.program_id AND e.person_id = m.person_id)""",
}


def _cross_organization(table: str, column: str, target: str) -> str:
    return (
        f"SELECT t.{column} FROM {table} t JOIN {target} r ON r.id = t.{column} "
        "WHERE r.organization_id <> t.organization_id"
    )


async def violations(engine: AsyncEngine) -> dict[str, list[tuple[object, ...]]]:
    """Every broken invariant with the rows that break it; empty when the database is sound."""
    found: dict[str, list[tuple[object, ...]]] = {}
    async with engine.connect() as connection:
        tables = set(await connection.run_sync(lambda sync: inspect(sync).get_table_names()))
        queries = dict(CHECKS)
        for table, column, target in REFERENCES:
            if table in tables and target in tables:
                queries[f"{table}.{column} points into another organization"] = _cross_organization(
                    table, column, target
                )
        for name, query in queries.items():
            rows = [tuple(row) for row in (await connection.execute(text(query))).all()]
            if rows:
                found[name] = rows
    return found


async def row_counts(engine: AsyncEngine) -> dict[str, int]:
    """Rows per table (a request that changes nothing leaves these as they were)."""
    async with engine.connect() as connection:
        tables = await connection.run_sync(lambda sync: inspect(sync).get_table_names())
        return {
            table: int((await connection.execute(text(f'SELECT COUNT(*) FROM "{table}"'))).scalar_one())
            for table in sorted(tables)
            if table != "alembic_version"
        }
