"""Settings: one typed object read from the environment and `.env`, validated at start-up.

Nothing else in Liaison reads `os.environ`. A missing or malformed value raises `SettingsError`,
which names the variable and says what to put there; the CLI turns it into one line and exit code 2.
"""

from __future__ import annotations

import logging
import os
import re
from collections.abc import Collection, Mapping
from dataclasses import dataclass
from pathlib import Path

from dotenv import dotenv_values
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError

DEFAULT_SLACK_API_BASE_URL = "https://slack.com/api/"
DEFAULT_DATABASE_URL = "sqlite:///./liaison.db"

BOT_TOKEN = "SLACK_BOT_TOKEN"
SIGNING_SECRET = "SLACK_SIGNING_SECRET"
APP_TOKEN = "SLACK_APP_TOKEN"

_WHERE = {
    BOT_TOKEN: "the Bot User OAuth Token (xoxb-…) from your Slack app's OAuth & Permissions page",
    SIGNING_SECRET: "the Signing Secret from your Slack app's Basic Information page",
    APP_TOKEN: (
        "an app-level token (xapp-…) with the connections:write scope, "
        "from your Slack app's Basic Information page → App-Level Tokens"
    ),
}
_PREFIX = {BOT_TOKEN: "xoxb-", APP_TOKEN: "xapp-"}
_CHANNEL = re.compile(r"^(#[a-z0-9][a-z0-9._-]{0,79}|[CG][A-Z0-9]{2,})$")
_DATABASE_SCHEMES = ("sqlite://", "postgresql://", "postgresql+psycopg://")
_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


class SettingsError(Exception):
    """A setting is missing or malformed; the message names the variable and the fix."""

    def __init__(self, variable: str, problem: str) -> None:
        super().__init__(f"{variable} {problem}")
        self.variable = variable
        self.problem = problem

    def set_in(self, source: str) -> SettingsError:
        """The same error, saying where the malformed value was set."""
        return SettingsError(self.variable, f"{self.problem.removesuffix('.')} (set {source}).")


@dataclass(frozen=True, kw_only=True)
class Settings:
    """Everything Liaison can be configured with. See `.env.example` for each variable."""

    slack_bot_token: str | None = None
    slack_signing_secret: str | None = None
    slack_app_token: str | None = None
    slack_api_base_url: str = DEFAULT_SLACK_API_BASE_URL
    database_url: str = DEFAULT_DATABASE_URL
    default_channel: str | None = None
    log_level: str = "INFO"
    auto_migrate: bool = False
    # The `.env` file read, or where one was looked for and not found (to say so when a
    # secret is missing: cron starts commands in another folder than the operator's shell).
    env_file: Path | None = None
    env_file_found: bool = False

    @classmethod
    def from_env(
        cls,
        environ: Mapping[str, str] | None = None,
        *,
        dotenv_path: Path | None = Path(".env"),
        ignore: Collection[str] = (),
    ) -> Settings:
        """Read settings from `environ` (default: the process environment) over `.env`.

        Variables already in the environment win over `.env`, as python-dotenv does by default.
        Those in `ignore` go unread, wherever set, and take their defaults: `simulate`'s fake
        Slack brings its own tokens, so a malformed one meant for the real app is no reason
        to refuse it.
        """
        values: dict[str, str] = {}
        found = dotenv_path is not None and dotenv_path.is_file()
        if dotenv_path is not None and found:
            values.update({k: v for k, v in dotenv_values(dotenv_path).items() if v is not None})
        in_file = set(values)
        environment = os.environ if environ is None else environ
        values.update(environment)
        for name in ignore:
            values.pop(name, None)

        def get(name: str) -> str | None:
            value = values.get(name, "").strip()
            return value or None

        def source(name: str) -> str:
            # A value the operator fixed in .env may still come from the shell, which wins.
            if name not in environment:
                return f"in {dotenv_path.resolve() if dotenv_path is not None else '.env'}"
            if name in in_file and dotenv_path is not None:
                return f"in the environment, which wins over {dotenv_path.resolve()}"
            return "in the environment"

        try:
            return cls(
                slack_bot_token=_token(BOT_TOKEN, get(BOT_TOKEN)),
                slack_signing_secret=get(SIGNING_SECRET),
                slack_app_token=_token(APP_TOKEN, get(APP_TOKEN)),
                slack_api_base_url=_base_url(get("SLACK_API_BASE_URL")),
                database_url=_database_url(get("DATABASE_URL")),
                default_channel=_channel(get("LIAISON_DEFAULT_CHANNEL")),
                log_level=_log_level(get("LOG_LEVEL")),
                auto_migrate=_flag("LIAISON_AUTO_MIGRATE", get("LIAISON_AUTO_MIGRATE")),
                env_file=None if dotenv_path is None else dotenv_path.resolve(),
                env_file_found=found,
            )
        except SettingsError as error:
            raise error.set_in(source(error.variable)) from None

    def require(self, *variables: str) -> None:
        """Fail fast when a mode needs a secret that is not set (e.g. Socket Mode's app token)."""
        present = {
            BOT_TOKEN: self.slack_bot_token,
            SIGNING_SECRET: self.slack_signing_secret,
            APP_TOKEN: self.slack_app_token,
        }
        for variable in variables:
            if not present[variable]:
                raise SettingsError(
                    variable, f"is not set: put {_WHERE[variable]} there{self._where_set()}."
                )

    def _where_set(self) -> str:
        if self.env_file is None:
            return ""
        if self.env_file_found:
            return f" (in {self.env_file}, or in the environment)"
        return (
            f" (in the environment, or in a .env file in the folder Liaison starts in: there is "
            f"none at {self.env_file})"
        )


def where_to_find(variable: str) -> str:
    """Where in the Slack app's settings the value of a secret `variable` is found."""
    return _WHERE[variable]


def _token(variable: str, value: str | None) -> str | None:
    if value is not None and not value.startswith(_PREFIX[variable]):
        raise SettingsError(
            variable,
            f"must start with {_PREFIX[variable]!r}: put {_WHERE[variable]} there.",
        )
    return value


def _base_url(value: str | None) -> str:
    if value is None:
        return DEFAULT_SLACK_API_BASE_URL
    if not value.startswith(("https://", "http://")):
        raise SettingsError(
            "SLACK_API_BASE_URL",
            f"must be an http(s) URL such as {DEFAULT_SLACK_API_BASE_URL}, not {value!r}.",
        )
    return value if value.endswith("/") else value + "/"


def _database_url(value: str | None) -> str:
    if value is None:
        return DEFAULT_DATABASE_URL
    if value.startswith("postgres://") or value.startswith("postgresql://"):
        # psycopg 3 is the driver we ship; plain postgresql:// would ask for psycopg2.
        scheme, _, rest = value.partition("://")
        value = f"postgresql+psycopg://{rest}"
    if not value.startswith(_DATABASE_SCHEMES):
        raise SettingsError(
            "DATABASE_URL",
            "must be sqlite:///PATH or postgresql+psycopg://USER@HOST/DB, "
            f"e.g. {DEFAULT_DATABASE_URL}.",
        )
    try:
        url = make_url(value)
        url.port  # noqa: B018 - a port that is no number raises only when read
    except (ArgumentError, ValueError):
        raise SettingsError(
            "DATABASE_URL",
            "is not a database URL: write it as sqlite:///PATH or "
            f"postgresql+psycopg://USER:PASSWORD@HOST:PORT/DB, e.g. {DEFAULT_DATABASE_URL}.",
        ) from None
    if url.get_backend_name() == "sqlite" and (
        url.host or not url.database or url.database == ":memory:"
    ):
        # `sqlite://./x.db` reads "." as a host; `sqlite://` is a database in memory, gone
        # when the process ends (migrated by `migrate`, then empty for `run`).
        raise SettingsError(
            "DATABASE_URL",
            "must name a SQLite file after three slashes: sqlite:///./liaison.db (in the folder "
            "Liaison starts in) or sqlite:////srv/liaison/liaison.db (four: an absolute path).",
        )
    if url.get_backend_name() == "postgresql" and not url.database:
        # libpq would pick a database named after the user (or the login), whatever it holds.
        raise SettingsError(
            "DATABASE_URL",
            "must name the PostgreSQL database after the host: "
            "postgresql+psycopg://USER:PASSWORD@HOST/DB.",
        )
    return value


def _channel(value: str | None) -> str | None:
    if value is not None and not _CHANNEL.match(value):
        raise SettingsError(
            "LIAISON_DEFAULT_CHANNEL",
            f"must be a channel name like #partnerships or an id like C0123ABCD, not {value!r}.",
        )
    return value


def _log_level(value: str | None) -> str:
    level = (value or "INFO").upper()
    if level not in logging.getLevelNamesMapping():
        raise SettingsError("LOG_LEVEL", "must be one of DEBUG, INFO, WARNING, ERROR.")
    return level


def _flag(variable: str, value: str | None) -> bool:
    text = (value or "").lower()
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    raise SettingsError(variable, f"must be true or false, not {value!r}.")
