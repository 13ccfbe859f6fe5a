from __future__ import annotations

import re
from dataclasses import replace
from pathlib import Path

import pytest

from bot.config import (
    APP_TOKEN,
    BOT_TOKEN,
    DEFAULT_DATABASE_URL,
    DEFAULT_SLACK_API_BASE_URL,
    Settings,
    SettingsError,
)


def load(**environ: str) -> Settings:
    return Settings.from_env(environ, dotenv_path=None)


def test_defaults_need_no_environment() -> None:
    settings = load()
    assert settings.database_url == DEFAULT_DATABASE_URL
    assert settings.slack_api_base_url == DEFAULT_SLACK_API_BASE_URL
    assert settings.log_level == "INFO"
    assert settings.auto_migrate is False


def test_missing_token_names_the_variable_and_where_to_get_it() -> None:
    with pytest.raises(SettingsError) as raised:
        load(SLACK_BOT_TOKEN="xoxb-1").require(BOT_TOKEN, APP_TOKEN)
    assert raised.value.variable == "SLACK_APP_TOKEN"
    assert "xapp-" in str(raised.value)
    assert "Basic Information" in str(raised.value)


@pytest.mark.parametrize(
    ("variable", "value"),
    [
        ("SLACK_BOT_TOKEN", "xoxp-user-token"),
        ("SLACK_APP_TOKEN", "xoxb-wrong-kind"),
        ("SLACK_API_BASE_URL", "slack.com/api"),
        ("DATABASE_URL", "mysql://root@localhost/liaison"),
        ("LIAISON_DEFAULT_CHANNEL", "partnerships channel"),
        ("LOG_LEVEL", "LOUD"),
        ("LIAISON_AUTO_MIGRATE", "perhaps"),
    ],
)
def test_malformed_values_are_refused_with_their_name(variable: str, value: str) -> None:
    with pytest.raises(SettingsError) as raised:
        load(**{variable: value})
    assert raised.value.variable == variable
    assert str(raised.value).startswith(variable)


def test_values_are_normalised() -> None:
    settings = load(
        SLACK_API_BASE_URL="http://127.0.0.1:8080/api",
        DATABASE_URL="postgresql://liaison@db/liaison",
        LOG_LEVEL="debug",
        LIAISON_AUTO_MIGRATE="yes",
    )
    assert settings.slack_api_base_url == "http://127.0.0.1:8080/api/"
    assert settings.database_url == "postgresql+psycopg://liaison@db/liaison"
    assert settings.log_level == "DEBUG"
    assert settings.auto_migrate is True


def test_environment_wins_over_dotenv(tmp_path: Path) -> None:
    dotenv = tmp_path / ".env"
    dotenv.write_text("SLACK_BOT_TOKEN=xoxb-from-file\nLOG_LEVEL=WARNING\n")
    settings = Settings.from_env({"SLACK_BOT_TOKEN": "xoxb-from-env"}, dotenv_path=dotenv)
    assert settings.slack_bot_token == "xoxb-from-env"
    assert settings.log_level == "WARNING"


def test_empty_values_count_as_unset() -> None:
    settings = load(SLACK_BOT_TOKEN="  ", DATABASE_URL="")
    assert settings.slack_bot_token is None
    assert settings.database_url == DEFAULT_DATABASE_URL


def test_a_missing_secret_says_which_env_file_was_read_or_that_there_was_none(
    tmp_path: Path,
) -> None:
    """A cron job starts `liaison tick` in another folder than the operator's shell: told only
    "put the token there", they could not see that their .env was never read."""
    env_file = tmp_path / ".env"
    with pytest.raises(SettingsError) as raised:
        Settings.from_env({}, dotenv_path=env_file).require(BOT_TOKEN)
    assert str(raised.value).endswith(
        "OAuth & Permissions page there (in the environment, or in a .env file in the folder "
        f"Liaison starts in: there is none at {env_file})."
    )
    env_file.write_text("SLACK_BOT_TOKEN=\n")
    with pytest.raises(SettingsError) as raised:
        Settings.from_env({}, dotenv_path=env_file).require(BOT_TOKEN)
    assert str(raised.value).endswith(f"page there (in {env_file}, or in the environment).")


def test_a_malformed_value_says_whether_it_came_from_env_or_the_environment(
    tmp_path: Path,
) -> None:
    """QA: `LIAISON_DEFAULT_CHANNEL must be a channel name …` did not say where the value was
    set, so an operator who fixed .env while the shell still exported the old value, or who
    edited another folder's .env, could not see why the error stayed."""
    dotenv = tmp_path / ".env"
    dotenv.write_text("LIAISON_DEFAULT_CHANNEL=partnerships\n")
    with pytest.raises(SettingsError) as raised:
        Settings.from_env({}, dotenv_path=dotenv)
    assert raised.value.variable == "LIAISON_DEFAULT_CHANNEL"
    assert str(raised.value) == (
        "LIAISON_DEFAULT_CHANNEL must be a channel name like #partnerships or an id like "
        f"C0123ABCD, not 'partnerships' (set in {dotenv.resolve()})."
    )
    dotenv.write_text("LOG_LEVEL=INFO\n")
    with pytest.raises(SettingsError) as raised:
        Settings.from_env({"LOG_LEVEL": "loud"}, dotenv_path=dotenv)
    assert str(raised.value).endswith(
        f"(set in the environment, which wins over {dotenv.resolve()})."
    )
    with pytest.raises(SettingsError) as raised:
        Settings.from_env({"LOG_LEVEL": "loud"}, dotenv_path=None)
    assert str(raised.value).endswith("ERROR (set in the environment).")


def test_ignored_settings_go_unread_wherever_they_are_set(tmp_path: Path) -> None:
    """`simulate` leaves the Slack settings unread (its fake Slack brings its own): a malformed
    token in .env or the environment takes its default, and the rest is still checked."""
    dotenv = tmp_path / ".env"
    dotenv.write_text("SLACK_BOT_TOKEN=paste-it-here\nLOG_LEVEL=debug\n")
    ignore = (BOT_TOKEN, APP_TOKEN, "SLACK_API_BASE_URL")
    environ = {APP_TOKEN: "xoxb-the-wrong-one", "SLACK_API_BASE_URL": "slack.com"}
    settings = Settings.from_env(environ, dotenv_path=dotenv, ignore=ignore)
    assert settings.slack_bot_token is None and settings.slack_app_token is None
    assert settings.slack_api_base_url == DEFAULT_SLACK_API_BASE_URL
    assert settings.log_level == "DEBUG"
    with pytest.raises(SettingsError):
        Settings.from_env({**environ, "LOG_LEVEL": "loud"}, dotenv_path=dotenv, ignore=ignore)
    with pytest.raises(SettingsError):
        Settings.from_env(environ, dotenv_path=dotenv)


def test_nothing_but_settings_reads_the_environment() -> None:
    """bot/config.py promises that nothing else reads os.environ: every setting is checked,
    and said wrong, in one place."""
    root = Path(__file__).resolve().parents[2]
    readers = [
        f"{path.relative_to(root)}:{number}"
        for package in ("bot", "handlers", "storage")
        for path in sorted((root / package).rglob("*.py"))
        if path != root / "bot" / "config.py"
        for number, line in enumerate(path.read_text().splitlines(), start=1)
        if "os.environ" in line or "getenv(" in line
    ]
    assert readers == []


def test_env_example_documents_every_setting_and_loads_as_the_defaults() -> None:
    """.env.example is what a new team copies to .env: every variable Settings reads is in it,
    and copied unchanged it sets nothing but the example channel."""
    import bot.config as config

    root = Path(__file__).resolve().parents[2]
    source = Path(config.__file__).read_text()
    read = {
        getattr(config, name, name.strip('"'))
        for name in re.findall(r"\bget\((\"[A-Z_]+\"|[A-Z_]+)\)", source)
    }
    assert {BOT_TOKEN, APP_TOKEN, "DATABASE_URL", "LIAISON_AUTO_MIGRATE"} <= read
    example = root / ".env.example"
    written = set(re.findall(r"^([A-Z_]+)=", example.read_text(), flags=re.MULTILINE))
    assert read == written
    loaded = Settings.from_env({}, dotenv_path=example)
    assert loaded.default_channel == "#partnerships"
    assert replace(loaded, default_channel=None, env_file=None, env_file_found=False) == load()
