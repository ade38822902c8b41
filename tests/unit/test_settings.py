from __future__ import annotations

from datetime import timedelta

import pytest

from peerlearn.settings import AppType, SettingsError, load_settings
from peerlearn.worker import retry_policy

GUID = "8e3d2f0a-1b2c-4d5e-8f90-a1b2c3d4e5f6"


@pytest.fixture(autouse=True)
def _clean_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in (
        "DATABASE_URL",
        "PORT",
        "MicrosoftAppId",
        "MicrosoftAppPassword",
        "MicrosoftAppType",
        "MicrosoftAppTenantId",
        "LOG_LEVEL",
        "PUBLIC_URL",
        "GRAPH_CLIENT_ID",
    ):
        monkeypatch.delenv(name, raising=False)


def test_defaults_serve_sqlite_on_port_3978_without_authentication() -> None:
    settings = load_settings(None)
    assert settings.port == 3978
    assert settings.database_url == "sqlite+aiosqlite:///var/peerlearn.db"
    assert settings.authenticated is False


def test_bot_framework_names_are_read_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MicrosoftAppId", GUID)
    monkeypatch.setenv("MicrosoftAppPassword", "s3cret-value")
    monkeypatch.setenv("MicrosoftAppType", "SingleTenant")
    monkeypatch.setenv("MicrosoftAppTenantId", GUID)
    settings = load_settings(None)
    assert (settings.app_id, settings.app_type, settings.app_tenant_id) == (GUID, AppType.SINGLE_TENANT, GUID)
    assert settings.app_password.get_secret_value() == "s3cret-value"
    assert "s3cret-value" not in repr(settings)


@pytest.mark.parametrize(
    ("name", "value", "expected"),
    [
        ("PORT", "abc", "Setting 'PORT' has value 'abc'"),
        ("PORT", "70000", "Setting 'PORT' has value '70000'"),
        ("MicrosoftAppId", "not-a-guid", "Setting 'MicrosoftAppId' has value 'not-a-guid'"),
        ("MicrosoftAppType", "Tenantless", "Setting 'MicrosoftAppType' has value 'Tenantless'"),
        ("DATABASE_URL", "mysql://db/x", "driver 'mysql'"),
        ("LOG_LEVEL", "LOUD", "Setting 'LOG_LEVEL' has value 'LOUD'"),
        ("PUBLIC_URL", "peerlearn.example.com", "Setting 'PUBLIC_URL' has value 'peerlearn.example.com'"),
    ],
)
def test_an_invalid_value_stops_start_up_naming_the_setting_and_the_value(
    monkeypatch: pytest.MonkeyPatch, name: str, value: str, expected: str
) -> None:
    monkeypatch.setenv(name, value)
    with pytest.raises(SettingsError, match=expected):
        load_settings(None)


def test_a_secret_is_never_quoted_back_in_an_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MicrosoftAppId", GUID)
    monkeypatch.setenv("MicrosoftAppType", "SingleTenant")
    monkeypatch.setenv("MicrosoftAppPassword", "hunter2-hunter2")
    with pytest.raises(SettingsError) as error:
        load_settings(None)
    assert "MicrosoftAppTenantId" in str(error.value)
    assert "hunter2" not in str(error.value)


def test_an_app_id_without_a_password_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MicrosoftAppId", GUID)
    with pytest.raises(SettingsError, match="MicrosoftAppPassword is empty"):
        load_settings(None)


def test_settings_are_read_from_an_env_file(tmp_path: pytest.TempPathFactory) -> None:
    env = tmp_path / ".env"  # type: ignore[operator]
    env.write_text("PORT=4000\nDATABASE_URL=postgresql://u:p@127.0.0.1/peerlearn\n")
    settings = load_settings(env)
    assert settings.port == 4000
    assert settings.database_url == "postgresql+asyncpg://u:p@127.0.0.1/peerlearn"


def test_public_url_follows_port_unless_it_is_set() -> None:
    settings = load_settings(None, port=4010)
    assert settings.public_url == "http://localhost:4010" and settings.public_url_is_loopback
    settings.listen_on(4020)  # `peerlearn serve --port 4020`
    assert (settings.port, settings.public_url) == (4020, "http://localhost:4020")
    fixed = load_settings(None, port=4010, public_url="https://peerlearn.example.com/")
    fixed.listen_on(4020)
    assert fixed.public_url == "https://peerlearn.example.com" and not fixed.public_url_is_loopback


def test_public_url_follows_the_port_in_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PORT", "8080")
    assert load_settings(None).public_url == "http://localhost:8080"


@pytest.mark.parametrize(
    ("url", "loopback"),
    [
        ("http://127.0.0.1:3978", True),
        ("http://[::1]:3978", True),
        ("http://app.localhost", True),
        ("https://10.0.0.5", False),
        ("https://peerlearn.contoso.com", False),
    ],
)
def test_a_loopback_public_url_is_recognised(url: str, loopback: bool) -> None:
    assert load_settings(None, public_url=url).public_url_is_loopback is loopback


def test_delivery_retries_follow_the_horizon_and_delay_the_administrator_sets(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    assert retry_policy(load_settings(None)).horizon == timedelta(hours=48)
    monkeypatch.setenv("DELIVERY_RETRY_HORIZON_HOURS", "6")
    monkeypatch.setenv("DELIVERY_RETRY_MAX_DELAY_SECONDS", "30")
    policy = retry_policy(load_settings(None))
    assert (policy.horizon, policy.max_delay) == (timedelta(hours=6), 30.0)


def test_a_retry_horizon_of_zero_is_refused_with_its_name(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DELIVERY_RETRY_HORIZON_HOURS", "0")
    with pytest.raises(SettingsError, match="DELIVERY_RETRY_HORIZON_HOURS"):
        load_settings(None)


APP = "11111111-2222-3333-4444-555555555555"
TENANT = "72f988bf-86f1-41af-91ab-2d7cd011db47"


def test_the_tabs_sign_in_defaults_follow_the_bot_and_the_public_url() -> None:
    settings = load_settings(
        None,
        MicrosoftAppId=APP,
        MicrosoftAppPassword="secret",
        MicrosoftAppTenantId=TENANT.upper(),
        PUBLIC_URL="https://peerlearn.example.com",
    )

    assert settings.tabs_audience == f"api://peerlearn.example.com/{APP}"
    assert settings.tabs_tenants == (TENANT,)
    assert settings.tabs_openid_metadata_url.startswith("https://login.microsoftonline.com/common/v2.0/")
    assert settings.tabs_off_reason == ""
    assert "MicrosoftAppId is not set" in load_settings(None).tabs_off_reason


def test_the_tabs_settings_are_read_and_checked(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TABS_ALLOWED_TENANTS", f"{TENANT}, 0d2f2b6c-1f0e-4c5e-9d1a-3b9e8f7a6c54")
    monkeypatch.setenv("TABS_HOST_ORIGINS", "http://localhost:8123, https://host.example.com/")
    settings = load_settings(None)
    assert settings.tabs_tenants == (TENANT, "0d2f2b6c-1f0e-4c5e-9d1a-3b9e8f7a6c54")
    assert settings.tab_host_origins == ("http://localhost:8123", "https://host.example.com")

    monkeypatch.setenv("TABS_ALLOWED_TENANTS", "contoso.onmicrosoft.com")
    with pytest.raises(
        SettingsError, match=r"TABS_ALLOWED_TENANTS.*'contoso.onmicrosoft.com' is not a tenant id"
    ):
        load_settings(None)
    monkeypatch.delenv("TABS_ALLOWED_TENANTS")
    monkeypatch.setenv("TABS_HOST_ORIGINS", "https://host.example.com/page; script-src *")
    with pytest.raises(SettingsError, match=r"TABS_HOST_ORIGINS.*is not an origin"):
        load_settings(None)
    monkeypatch.delenv("TABS_HOST_ORIGINS")
    monkeypatch.setenv("TABS_SSO_AUDIENCE", "peerlearn.example.com")
    with pytest.raises(SettingsError, match=r"TABS_SSO_AUDIENCE.*identifier URI"):
        load_settings(None)
