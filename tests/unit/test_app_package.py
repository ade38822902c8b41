from __future__ import annotations

import argparse
import json
import re
import zipfile
from pathlib import Path
from typing import Any

import pytest
from PIL import Image

from peerlearn import app_package
from peerlearn.app_icons import icon_problems
from peerlearn.app_package import (
    IconError,
    ManifestSchemaError,
    admin_consent_url,
    build_package,
    consent_target,
    env_name,
    load_schema,
    schema_problems,
)
from peerlearn.manifest_placeholders import AppPackageError, PlaceholderError

APP_DIR = Path(__file__).resolve().parents[2] / "appPackage"

VALID = {
    "TEAMSFX_ENV": "dev",
    "TEAMS_APP_ID": "5d1f8a36-2c4b-4f7e-9a0d-3e6b7c8f9a12",
    "APP_VERSION": "1.2.3",
    "BOT_ID": "11111111-2222-3333-4444-555555555555",
    "BOT_DOMAIN": "peerlearn.example.com",
    "DEVELOPER_NAME": "Contoso IT",
    "DEVELOPER_WEBSITE_URL": "https://intranet.example.com/peerlearn",
    "DEVELOPER_PRIVACY_URL": "https://intranet.example.com/privacy",
    "DEVELOPER_TERMS_URL": "https://intranet.example.com/terms",
    "APP_NAME_SUFFIX": "-dev",
}
REQUIRED = [name for name in VALID if name not in ("TEAMSFX_ENV", "APP_NAME_SUFFIX")]


def write_env(directory: Path, values: dict[str, str], name: str = ".env.dev") -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / name
    path.write_text(
        "".join(f"{key}={json.dumps(value)}\n" for key, value in values.items()), encoding="utf-8"
    )
    return path


def build(tmp_path: Path, values: dict[str, str], environ: dict[str, str] | None = None) -> Path:
    env_file = write_env(tmp_path / "env", values)
    return build_package(APP_DIR, env_file, tmp_path / "build", environ={} if environ is None else environ)


def built_manifest(zip_path: Path) -> dict[str, Any]:
    with zipfile.ZipFile(zip_path) as archive:
        manifest: dict[str, Any] = json.loads(archive.read("manifest.json"))
    return manifest


def placeholder_problems(tmp_path: Path, values: dict[str, str]) -> list[str]:
    with pytest.raises(PlaceholderError) as raised:
        build(tmp_path, values)
    return raised.value.problems


def test_package_is_a_zip_named_after_the_env_with_manifest_and_icons_at_its_root(tmp_path: Path) -> None:
    zip_path = build(tmp_path, VALID)

    assert zip_path == tmp_path / "build" / "appPackage.dev.zip"
    with zipfile.ZipFile(zip_path) as archive:
        assert sorted(archive.namelist()) == ["color.png", "manifest.json", "outline.png"]
        assert archive.read("color.png") == (APP_DIR / "color.png").read_bytes()
        assert archive.read("outline.png") == (APP_DIR / "outline.png").read_bytes()


def test_every_placeholder_is_filled_from_the_env_file(tmp_path: Path) -> None:
    manifest = built_manifest(build(tmp_path, VALID))

    assert "${{" not in json.dumps(manifest)
    assert manifest["id"] == VALID["TEAMS_APP_ID"]
    assert manifest["version"] == "1.2.3"
    assert manifest["name"]["short"] == "peerlearn-dev"
    assert manifest["bots"][0]["botId"] == VALID["BOT_ID"]
    assert manifest["validDomains"] == ["peerlearn.example.com"]
    assert manifest["webApplicationInfo"] == {
        "id": VALID["BOT_ID"],
        "resource": f"api://peerlearn.example.com/{VALID['BOT_ID']}",
    }
    assert manifest["developer"] == {
        "name": "Contoso IT",
        "websiteUrl": VALID["DEVELOPER_WEBSITE_URL"],
        "privacyUrl": VALID["DEVELOPER_PRIVACY_URL"],
        "termsOfUseUrl": VALID["DEVELOPER_TERMS_URL"],
    }


def test_manifest_uses_the_newest_schema_bundled_and_not_1_18() -> None:
    manifest = json.loads((APP_DIR / "manifest.json").read_text(encoding="utf-8"))

    assert manifest["manifestVersion"] == "1.30"
    assert manifest["$schema"].endswith("/teams/v1.30/MicrosoftTeams.schema.json")
    assert app_package.bundled_versions() == ["1.30"]


def test_environment_wins_over_the_env_file(tmp_path: Path) -> None:
    manifest = built_manifest(build(tmp_path, VALID, environ={"BOT_DOMAIN": "bot.contoso.com"}))

    assert manifest["validDomains"] == ["bot.contoso.com"]


def test_an_empty_environment_variable_does_not_blank_the_env_file(tmp_path: Path) -> None:
    manifest = built_manifest(build(tmp_path, VALID, environ={"BOT_DOMAIN": ""}))

    assert manifest["validDomains"] == ["peerlearn.example.com"]


def test_the_ignored_user_file_is_read_after_the_env_file(tmp_path: Path) -> None:
    write_env(tmp_path / "env", {"BOT_DOMAIN": "from-user-file.example.com"}, name=".env.dev.user")

    manifest = built_manifest(build(tmp_path, VALID))

    assert manifest["validDomains"] == ["from-user-file.example.com"]


@pytest.mark.parametrize("name", REQUIRED)
def test_each_missing_placeholder_gets_its_own_message(tmp_path: Path, name: str) -> None:
    values = {key: value for key, value in VALID.items() if key != name}

    problems = placeholder_problems(tmp_path, values)

    assert len(problems) == 1
    assert problems[0].startswith(f"{name} is missing")
    assert "env.dev" in problems[0]


@pytest.mark.parametrize("name", REQUIRED)
def test_an_empty_placeholder_counts_as_missing(tmp_path: Path, name: str) -> None:
    problems = placeholder_problems(tmp_path, VALID | {name: ""})

    assert problems == [problem for problem in problems if problem.startswith(f"{name} is missing")]
    assert len(problems) == 1


@pytest.mark.parametrize(
    ("name", "value", "explanation"),
    [
        ("TEAMS_APP_ID", "peerlearn-app", "Not a GUID"),
        ("TEAMS_APP_ID", "5d1f8a36-2c4b-4f7e-9a0d-3e6b7c8f9a1", "Not a GUID"),
        ("BOT_ID", "{11111111-2222-3333-4444-555555555555}", "Not a GUID"),
        ("BOT_DOMAIN", "https://peerlearn.example.com", "drop the scheme"),
        ("BOT_DOMAIN", "peerlearn.example.com/api/messages", "no path, port"),
        ("BOT_DOMAIN", "peerlearn.example.com:443", "no path, port"),
        ("BOT_DOMAIN", "-bad-.example.com", "dot-separated labels"),
        ("APP_VERSION", "1.0", "MAJOR.MINOR.PATCH"),
        ("APP_VERSION", "v1.0.0", "MAJOR.MINOR.PATCH"),
        ("DEVELOPER_NAME", "A" * 33, "1 to 32 printable characters"),
        ("DEVELOPER_WEBSITE_URL", "http://intranet.example.com", "Not an https URL"),
        ("DEVELOPER_PRIVACY_URL", "intranet.example.com/privacy", "Not an https URL"),
        ("DEVELOPER_TERMS_URL", "https://", "Not an https URL"),
        ("APP_NAME_SUFFIX", "-a-suffix-much-too-long-for-teams", "Not a name suffix"),
    ],
)
def test_each_malformed_placeholder_gets_its_own_message_quoting_the_value(
    tmp_path: Path, name: str, value: str, explanation: str
) -> None:
    problems = placeholder_problems(tmp_path, VALID | {name: value})

    assert problems == [f"{name} has value '{value}'. {problems[0].split('. ', 1)[1]}"]
    assert explanation in problems[0]


def test_every_problem_is_reported_at_once(tmp_path: Path) -> None:
    values = {key: value for key, value in VALID.items() if key != "BOT_ID"} | {
        "BOT_DOMAIN": "https://x.example"
    }

    problems = placeholder_problems(tmp_path, values)

    assert [problem.split(" ", 1)[0] for problem in problems] == ["BOT_ID", "BOT_DOMAIN"]


def test_app_name_suffix_may_be_left_out(tmp_path: Path) -> None:
    values = {key: value for key, value in VALID.items() if key != "APP_NAME_SUFFIX"}

    manifest = built_manifest(build(tmp_path, values))

    assert manifest["name"]["short"] == "peerlearn"


def test_a_value_with_quotes_and_backslashes_keeps_the_manifest_valid_json(tmp_path: Path) -> None:
    manifest = built_manifest(build(tmp_path, VALID | {"DEVELOPER_NAME": 'O"Neil \\ Sons'}))

    assert manifest["developer"]["name"] == 'O"Neil \\ Sons'


def test_the_same_inputs_give_the_same_zip_byte_for_byte(tmp_path: Path) -> None:
    first = build(tmp_path / "a", VALID).read_bytes()

    assert build(tmp_path / "b", VALID).read_bytes() == first


def test_a_missing_env_file_is_named(tmp_path: Path) -> None:
    with pytest.raises(AppPackageError, match=r"Env file '.*nowhere/\.env\.dev' does not exist"):
        build_package(APP_DIR, tmp_path / "nowhere" / ".env.dev", tmp_path / "build", environ={})


def test_env_name_comes_from_the_file_name_or_teamsfx_env() -> None:
    assert env_name(Path("env/.env.staging"), {}) == "staging"
    assert env_name(Path("settings.env"), {"TEAMSFX_ENV": "prod"}) == "prod"
    with pytest.raises(AppPackageError, match=r"its \.user companion is read with it"):
        env_name(Path("env/.env.dev.user"), {})
    with pytest.raises(AppPackageError, match="Cannot tell the environment's name"):
        env_name(Path("settings.env"), {"TEAMSFX_ENV": "../prod"})


def filled_manifest() -> dict[str, Any]:
    text = (APP_DIR / "manifest.json").read_text(encoding="utf-8")
    text = re.sub(r"\$\{\{(\w+)\}\}", lambda match: VALID[match.group(1)], text)
    manifest: dict[str, Any] = json.loads(text)
    return manifest


def test_the_filled_manifest_passes_microsofts_schema_in_python() -> None:
    assert schema_problems(filled_manifest()) == []


def test_schema_problems_name_where_the_manifest_is_wrong() -> None:
    manifest = filled_manifest()
    manifest["bots"][0]["scopes"] = ["personal", "everywhere"]
    manifest["accentColor"] = "blue"

    problems = schema_problems(manifest)

    assert any(problem.startswith("manifest.json at accentColor: 'blue'") for problem in problems)
    assert any(problem.startswith("manifest.json at bots/0/scopes/1: 'everywhere'") for problem in problems)


def test_more_than_ten_commands_in_a_list_is_refused() -> None:
    manifest = filled_manifest()
    manifest["bots"][0]["commandLists"][0]["commands"] = [{"title": f"c{i}"} for i in range(11)]

    assert schema_problems(manifest) == [
        "manifest.json at bots/0/commandLists/0: 11 commands, Teams shows at most 10 per list."
    ]


def test_a_manifest_version_without_a_bundled_schema_is_refused() -> None:
    with pytest.raises(
        ManifestSchemaError, match=r"manifestVersion '1\.18' has no bundled schema: bundled are \['1\.30'\]"
    ):
        schema_problems({"manifestVersion": "1.18"})


def test_every_pattern_in_the_bundled_schema_compiles_in_python() -> None:
    patterns: list[str] = []

    def collect(node: object) -> None:
        if isinstance(node, dict):
            patterns.extend(
                value for key, value in node.items() if key == "pattern" and isinstance(value, str)
            )
            for value in node.values():
                collect(value)
        elif isinstance(node, list):
            for value in node:
                collect(value)

    collect(load_schema("1.30"))

    assert patterns
    for pattern in patterns:
        re.compile(pattern)


def test_command_lists_match_the_bots_text_commands_by_scope() -> None:
    bot = json.loads((APP_DIR / "manifest.json").read_text(encoding="utf-8"))["bots"][0]
    by_scope = {
        scope: [command["title"] for command in command_list["commands"]]
        for command_list in bot["commandLists"]
        for scope in command_list["scopes"]
    }

    assert sorted(bot["scopes"]) == ["groupChat", "personal", "team"]
    assert by_scope["personal"] == [
        "help", "join", "profile", "status", "pause", "resume", "leave", "find", "my data", "delete my data",
    ]  # fmt: skip
    assert {"setup", "match now", "report"} <= set(by_scope["team"])
    assert {"setup", "match now", "report"}.isdisjoint(by_scope["personal"] + by_scope["groupChat"])
    assert all(len(titles) <= 10 for titles in by_scope.values())


def test_the_bot_supports_files_so_my_data_can_be_offered_as_a_file() -> None:
    """Without `supportsFiles` Teams shows no file consent card, and the full export could not be sent."""
    bot = json.loads((APP_DIR / "manifest.json").read_text(encoding="utf-8"))["bots"][0]
    assert bot["supportsFiles"] is True


def test_committed_icons_pass_the_package_checks() -> None:
    assert icon_problems(APP_DIR) == []


def test_color_icon_is_192_square_and_opaque() -> None:
    with Image.open(APP_DIR / "color.png") as icon:
        assert icon.format == "PNG"
        assert icon.size == (192, 192)
        rgba = icon.convert("RGBA")
    assert rgba.getchannel("A").getextrema() == (255, 255)
    assert len(set(rgba.tobytes()[i : i + 3] for i in range(0, 192 * 192 * 4, 4))) > 2  # full colour


def test_outline_icon_is_32_square_white_on_transparent() -> None:
    with Image.open(APP_DIR / "outline.png") as icon:
        assert icon.format == "PNG"
        assert icon.size == (32, 32)
        assert icon.mode == "RGBA"
        data = icon.tobytes()
    pixels = [tuple(data[i : i + 4]) for i in range(0, len(data), 4)]
    assert all(pixel[:3] == (255, 255, 255) for pixel in pixels if pixel[3])
    assert any(pixel[3] == 0 for pixel in pixels)
    assert sum(pixel[3] == 255 for pixel in pixels) > 64  # a symbol you can see


def test_icon_checks_catch_wrong_sizes_colours_and_transparency(tmp_path: Path) -> None:
    Image.new("RGBA", (192, 192), (10, 20, 30, 0)).save(tmp_path / "color.png")
    outline = Image.new("RGBA", (48, 48), (255, 255, 255, 0))
    outline.putpixel((3, 4), (255, 0, 0, 255))
    outline.save(tmp_path / "outline.png")

    problems = icon_problems(tmp_path)

    assert problems == [
        f"{tmp_path / 'color.png'} has transparent pixels; the colour icon must be opaque (full colour).",
        f"{tmp_path / 'outline.png'} is 48×48; Teams wants 32×32.",
        f"{tmp_path / 'outline.png'} has 1 visible pixels that are not white, e.g. at x=3, y=4.",
    ]


def test_an_opaque_or_missing_outline_is_refused(tmp_path: Path) -> None:
    Image.new("RGB", (32, 32), (255, 255, 255)).save(tmp_path / "outline.png")

    assert icon_problems(tmp_path) == [
        f"{tmp_path / 'color.png'} is missing.",
        f"{tmp_path / 'outline.png'} has no alpha channel; the outline icon must be white on transparent.",
    ]


def test_the_package_is_not_built_when_an_icon_is_wrong(tmp_path: Path) -> None:
    app_dir = tmp_path / "appPackage"
    app_dir.mkdir()
    (app_dir / "manifest.json").write_bytes((APP_DIR / "manifest.json").read_bytes())
    (app_dir / "outline.png").write_bytes((APP_DIR / "outline.png").read_bytes())
    Image.new("RGB", (100, 100), (1, 2, 3)).save(app_dir / "color.png")
    env_file = write_env(tmp_path / "env", VALID)

    with pytest.raises(IconError, match="is 100×100; Teams wants 192×192"):
        build_package(app_dir, env_file, tmp_path / "build", environ={})
    assert not (tmp_path / "build").exists() or not any((tmp_path / "build").iterdir())


def test_admin_consent_url_names_the_app_and_its_tenant() -> None:
    client_id, tenant = consent_target(
        {"MicrosoftAppId": VALID["BOT_ID"], "MicrosoftAppTenantId": "contoso.onmicrosoft.com"}
    )

    assert admin_consent_url(client_id, tenant) == (
        f"https://login.microsoftonline.com/contoso.onmicrosoft.com/adminconsent?client_id={VALID['BOT_ID']}"
    )


def test_admin_consent_url_prefers_the_graph_app_and_defaults_to_organizations() -> None:
    graph_app = "99999999-8888-7777-6666-555555555555"

    assert consent_target({"MicrosoftAppId": VALID["BOT_ID"], "GRAPH_CLIENT_ID": graph_app}) == (
        graph_app,
        "organizations",
    )


def test_admin_consent_url_explains_what_is_missing_or_malformed() -> None:
    with pytest.raises(AppPackageError) as raised:
        consent_target({"MicrosoftAppType": "SingleTenant"})
    assert raised.value.problems == [
        "MicrosoftAppId is missing: set it (or GRAPH_CLIENT_ID) in the env file or the environment.",
        "MicrosoftAppTenantId is missing, and MicrosoftAppType is 'SingleTenant', which needs it.",
    ]
    with pytest.raises(AppPackageError, match=r"The app id has value 'bot'\. Not a GUID"):
        consent_target({"MicrosoftAppId": "bot"})
    with pytest.raises(AppPackageError, match=r"MicrosoftAppTenantId has value 'not a tenant'"):
        consent_target({"MicrosoftAppId": VALID["BOT_ID"], "MicrosoftAppTenantId": "not a tenant"})


def parse(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="peerlearn")
    app_package.add_commands(parser.add_subparsers(dest="command", required=True))
    return parser.parse_args(argv)


@pytest.fixture
def clean_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in [*VALID, "MicrosoftAppId", "MicrosoftAppTenantId", "MicrosoftAppType", "GRAPH_CLIENT_ID"]:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.delenv("GRAPH_TENANT_ID", raising=False)


@pytest.mark.usefixtures("clean_environment")
def test_package_command_prints_the_zip_path(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    env_file = write_env(tmp_path / "env", VALID)
    args = parse(
        ["package", "--env", str(env_file), "--app-package-dir", str(APP_DIR), "--output-dir", str(tmp_path)]
    )

    assert args.handler(args) == 0
    assert capsys.readouterr().out == f"{tmp_path / 'appPackage.dev.zip'}\n"


@pytest.mark.usefixtures("clean_environment")
def test_package_command_lists_problems_on_stderr_without_a_traceback(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    env_file = write_env(tmp_path / "env", VALID | {"BOT_ID": "", "TEAMS_APP_ID": "x"})
    args = parse(
        ["package", "--env", str(env_file), "--app-package-dir", str(APP_DIR), "--output-dir", str(tmp_path)]
    )

    assert args.handler(args) == 1
    out, err = capsys.readouterr()
    assert out == ""
    assert err.splitlines() == [
        "Cannot build the Teams app package:",
        f"  - TEAMS_APP_ID has value 'x'. {placeholder_problems(tmp_path, VALID | {'TEAMS_APP_ID': 'x'})[0].split('. ', 1)[1]}",
        f"  - BOT_ID is missing (the Azure Bot's Microsoft App ID, i.e. MicrosoftAppId): set it in {env_file} or in the environment.",
    ]
    assert "Traceback" not in err


@pytest.mark.usefixtures("clean_environment")
def test_admin_consent_url_command_reads_the_env_file_and_the_environment_wins(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    env_file = write_env(
        tmp_path, {"MicrosoftAppId": VALID["BOT_ID"], "MicrosoftAppTenantId": "fabrikam.com"}, ".env"
    )
    monkeypatch.setenv("MicrosoftAppTenantId", "contoso.com")

    args = parse(["admin-consent-url", "--env-file", str(env_file)])

    assert args.handler(args) == 0
    assert capsys.readouterr().out == (
        f"https://login.microsoftonline.com/contoso.com/adminconsent?client_id={VALID['BOT_ID']}\n"
    )


@pytest.mark.usefixtures("clean_environment")
def test_admin_consent_url_command_fails_cleanly_without_an_app_id(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    args = parse(["admin-consent-url", "--env-file", str(tmp_path / "absent.env")])

    assert args.handler(args) == 1
    assert capsys.readouterr().err.startswith(
        "Cannot make the admin-consent URL:\n  - MicrosoftAppId is missing"
    )


def test_the_tabs_and_the_message_extension_live_at_peerlearns_own_address(tmp_path: Path) -> None:
    manifest = built_manifest(build(tmp_path, VALID))

    my_learning = manifest["staticTabs"][0]
    assert my_learning["contentUrl"] == "https://peerlearn.example.com/tabs/my-learning"
    assert my_learning["scopes"] == ["personal"]
    dashboard = manifest["configurableTabs"][0]
    assert dashboard["configurationUrl"] == "https://peerlearn.example.com/tabs/dashboard/configure"
    assert dashboard["scopes"] == ["team", "groupChat"]
    extension = manifest["composeExtensions"][0]
    assert extension["botId"] == VALID["BOT_ID"]
    assert [c["id"] for c in extension["commands"]] == ["findHelp"]
    assert extension["commands"][0]["parameters"][0]["name"] == "skill"
