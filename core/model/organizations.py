from __future__ import annotations

import enum
from dataclasses import dataclass


class OrganizationKind(enum.StrEnum):
    TEAMS_TENANT = "teams_tenant"
    LMS_PLATFORM = "lms_platform"


@dataclass
class Organization:
    """The owner of every other row: a Teams tenant, or what an LMS registration belongs to.

    `external_id` is the Entra tenant id for a tenant and the platform issuer for an LMS. An LMS
    registration may also be attached to a tenant's organization, so that people known to both
    doors can be linked (identity linking never crosses organizations).
    """

    id: str
    kind: OrganizationKind
    external_id: str
    name: str
    active: bool = True
