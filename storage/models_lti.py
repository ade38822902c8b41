"""Tables of the LTI door: platform registrations and deployments, the tool's own key pairs, and short-lived
launch data (OIDC nonces, state parameters, validated launches).

Registrations, deployments and launch data belong to an organization. Tool keys are the tool's own identity,
shared by every registration (one `/lti/jwks`), so they carry no organization.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKeyConstraint, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from storage.models import ID, Base, OrgScoped


class LtiRegistrationRow(OrgScoped, Base):
    __tablename__ = "lti_registrations"
    __table_args__ = (
        UniqueConstraint("organization_id", "id"),
        UniqueConstraint("issuer", "client_id"),
    )
    id: Mapped[str] = mapped_column(ID, primary_key=True)
    issuer: Mapped[str] = mapped_column(String(255))
    client_id: Mapped[str] = mapped_column(String(255))
    auth_login_url: Mapped[str] = mapped_column(String(1000))
    auth_token_url: Mapped[str] = mapped_column(String(1000))
    auth_audience: Mapped[str | None] = mapped_column(String(1000))
    key_set_url: Mapped[str] = mapped_column(String(1000))
    key_set: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    key_set_fetched_at: Mapped[datetime | None]
    created_at: Mapped[datetime]


class LtiDeploymentRow(OrgScoped, Base):
    __tablename__ = "lti_deployments"
    __table_args__ = (
        UniqueConstraint("registration_id", "deployment_id"),
        ForeignKeyConstraint(
            ["organization_id", "registration_id"],
            ["lti_registrations.organization_id", "lti_registrations.id"],
            ondelete="CASCADE",
        ),
    )
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    registration_id: Mapped[str] = mapped_column(ID)
    deployment_id: Mapped[str] = mapped_column(String(255))


class LtiToolKeyRow(Base):
    __tablename__ = "lti_tool_keys"
    kid: Mapped[str] = mapped_column(String(100), primary_key=True)
    status: Mapped[str] = mapped_column(String(10))  # current, previous or retired
    private_pem: Mapped[str] = mapped_column(Text)
    public_pem: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime]


class LtiLaunchDataRow(OrgScoped, Base):
    __tablename__ = "lti_launch_data"
    __table_args__ = (Index("ix_lti_launch_data_expires", "expires_at"),)
    key: Mapped[str] = mapped_column(String(255), primary_key=True)
    value: Mapped[dict[str, Any]] = mapped_column(JSON)
    expires_at: Mapped[datetime]
