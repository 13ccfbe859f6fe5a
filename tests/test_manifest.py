"""manifest.yml is valid for Slack and declares everything the code uses."""

from __future__ import annotations

import ast
import copy
import json
import re
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import yaml

ROOT = Path(__file__).resolve().parent.parent
SCHEMA = ROOT.parent / "shared" / "reference" / "slack-manifest.schema.1.0.0.json"
SOURCES = [ROOT / "bot", ROOT / "handlers"]

# Web API methods Liaison may call, and the bot scope each one needs (None: no scope needed).
METHOD_SCOPES: dict[str, str | None] = {
    "auth.test": None,
    "chat.postMessage": "chat:write",
    "chat.postEphemeral": "chat:write",
    "chat.update": "chat:write",
    "chat.delete": "chat:write",
    "chat.getPermalink": None,
    "conversations.open": "im:write",
    "users.info": "users:read",
    "users.list": "users:read",
    "users.lookupByEmail": "users:read.email",
    "reactions.add": "reactions:write",
    "reactions.remove": "reactions:write",
    "reactions.get": "reactions:read",
    "views.open": None,
    "views.update": None,
    "views.push": None,
    "views.publish": None,
    "files.getUploadURLExternal": "files:write",
    "files.completeUploadExternal": "files:write",
    "files.upload.v2": "files:write",
}


@pytest.fixture(scope="module")
def manifest() -> dict[str, Any]:
    loaded: dict[str, Any] = yaml.safe_load((ROOT / "manifest.yml").read_text())
    return loaded


def test_manifest_validates_against_slacks_schema(manifest: dict[str, Any]) -> None:
    if not SCHEMA.is_file():
        pytest.skip(f"Slack's manifest schema is not beside the project ({SCHEMA})")
    jsonschema.validate(manifest, json.loads(SCHEMA.read_text()))


def test_manifest_essentials(manifest: dict[str, Any]) -> None:
    (command,) = manifest["features"]["slash_commands"]
    assert command["command"] == "/partner"
    assert command["should_escape"] is True
    assert command["usage_hint"]
    assert manifest["features"]["app_home"]["home_tab_enabled"] is True
    assert manifest["settings"]["interactivity"]["is_enabled"] is True
    assert manifest["settings"]["socket_mode_enabled"] is True
    assert len(manifest["display_information"]["name"]) <= 35


def _python_files() -> list[Path]:
    return [path for source in SOURCES for path in source.rglob("*.py")]


def _string_args_of(decorator: str) -> set[str]:
    """String literals passed to app.<decorator>(...) anywhere in the code."""
    found: set[str] = set()
    for path in _python_files():
        tree = ast.parse(path.read_text())
        constants = {
            target.id: node.value.value
            for node in tree.body
            if isinstance(node, ast.Assign) and isinstance(node.value, ast.Constant)
            for target in node.targets
            if isinstance(target, ast.Name) and isinstance(node.value.value, str)
        }
        for node in ast.walk(tree):
            if not (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Attribute)
                and isinstance(node.func.value, ast.Name)
                and node.func.value.id == "app"
                and node.func.attr == decorator
                and node.args
            ):
                continue
            first = node.args[0]
            if isinstance(first, ast.Constant) and isinstance(first.value, str):
                found.add(first.value)
            elif isinstance(first, ast.Name) and first.id in constants:
                found.add(constants[first.id])
    return found


# A Web API call on any client: `client.chat_update(`, `self._client.chat_update(`,
# `delivery_client(settings).auth_test(`, `client.files_upload_v2(`.
WEB_API_CALL = re.compile(r"client(?:\([^()]*\))?\.([a-z]+)_([A-Za-z0-9_]+)\(")
# The families of Slack's Web API methods (api.slack.com/methods): a call on a client whose
# first word is none of them is the client's own (the Socket Mode client's `is_connected()`).
WEB_API_FAMILIES = frozenset(
    "admin api apps assistant auth bookmarks bots calls canvases chat conversations dialog dnd "
    "emoji files functions migration oauth openid pins reactions reminders rtm search stars team "
    "tooling usergroups users views workflows".split()
)


def _web_api_methods() -> set[str]:
    """Methods called on a client as <family>_<snake_case>(…) or api_call("x.y"), in Slack's
    spelling (`files_upload_v2` is `files.upload.v2`)."""
    methods: set[str] = set()
    for path in _python_files():
        text = path.read_text()
        for family, name in WEB_API_CALL.findall(text):
            if family == "api" or family not in WEB_API_FAMILIES:
                continue
            name, version = (name[:-3], ".v2") if name.endswith("_v2") else (name, "")
            parts = name.split("_")
            camel = parts[0] + "".join(part[:1].upper() + part[1:] for part in parts[1:])
            methods.add(f"{family}.{camel}{version}")
        methods.update(re.findall(r"api_call\(\s*\"([a-zA-Z.]+)\"", text))
    return methods


def test_the_scan_finds_calls_on_every_kind_of_client() -> None:
    """QA: the scan matched only a name `client` standing alone, so the dispatcher's
    `self._client.chat_postMessage(`, `delivery_client(settings).auth_test()` and
    `client.files_upload_v2(` went unchecked: without files:write, `/partner export` would
    fail in Slack while this file passed."""
    found = _web_api_methods()
    assert {"files.upload.v2", "auth.test", "chat.update", "conversations.open"} <= found
    # The Socket Mode client's own `client.is_connected()` is no Web API method.
    assert "is.connected" not in found


def test_every_command_the_code_handles_is_declared(manifest: dict[str, Any]) -> None:
    declared = {command["command"] for command in manifest["features"]["slash_commands"]}
    used = _string_args_of("command")
    assert used, "found no app.command(...) registration: is the scan broken?"
    assert used <= declared


def test_every_event_the_code_handles_is_subscribed(manifest: dict[str, Any]) -> None:
    declared = set(manifest["settings"]["event_subscriptions"]["bot_events"])
    # Liaison listens to messages only in its own DMs (the Messages tab): `message.im`.
    handled = {"message.im" if event == "message" else event for event in _string_args_of("event")}
    assert handled <= declared


def test_every_event_subscribed_is_handled(manifest: dict[str, Any]) -> None:
    """An event Slack sends that no listener takes is work for nothing (and, for `message.*`,
    messages read that nobody asked Liaison to read)."""
    declared = set(manifest["settings"]["event_subscriptions"]["bot_events"])
    handled = {"message.im" if event == "message" else event for event in _string_args_of("event")}
    assert declared <= handled, f"subscribed, never handled: {sorted(declared - handled)}"


# The scope each subscribed event needs, and the scopes no Web API call names: `commands` for
# /partner; `chat:write.public` to post in a public channel Liaison was not invited to (a
# channel chosen by name with `config channel`, LIAISON_DEFAULT_CHANNEL).
EVENT_SCOPES: dict[str, str | None] = {
    "app_home_opened": None,
    "reaction_added": "reactions:read",
    "reaction_removed": "reactions:read",
    "message.im": "im:history",
    "user_change": "users:read",
}
OTHER_SCOPES = {"commands", "chat:write.public"}


def test_every_scope_asked_for_is_used(manifest: dict[str, Any]) -> None:
    """A workspace admin consents to each scope: none is asked for that the code never uses."""
    events = manifest["settings"]["event_subscriptions"]["bot_events"]
    used = {METHOD_SCOPES.get(method) for method in _web_api_methods()}
    used |= {EVENT_SCOPES[event] for event in events} | OTHER_SCOPES
    asked = set(manifest["oauth_config"]["scopes"]["bot"])
    assert asked <= used, f"asked for, never used: {sorted(asked - used)}"


def test_reading_its_dms_takes_the_scope_of_message_im(manifest: dict[str, Any]) -> None:
    assert "im:history" in manifest["oauth_config"]["scopes"]["bot"]


def test_every_web_api_method_the_code_calls_has_its_scope(manifest: dict[str, Any]) -> None:
    scopes = set(manifest["oauth_config"]["scopes"]["bot"])
    for method in sorted(_web_api_methods()):
        assert method in METHOD_SCOPES, f"{method} is called: add it and its scope to METHOD_SCOPES"
        scope = METHOD_SCOPES[method]
        assert scope is None or scope in scopes, f"{method} needs the {scope} scope in manifest.yml"


# HTTP mode: where Slack posts each kind of request the code listens to, as the manifest's path
# to the key that takes the request URL. Socket Mode needs none of them.
HTTP_URL_KEYS: dict[str, tuple[str | int, ...]] = {
    "command": ("features", "slash_commands", 0, "url"),
    "event": ("settings", "event_subscriptions", "request_url"),
    "action": ("settings", "interactivity", "request_url"),
    "view": ("settings", "interactivity", "request_url"),
    "shortcut": ("settings", "interactivity", "request_url"),
    # An external_select's suggestions: without this URL Slack never asks and the menu stays empty.
    "options": ("settings", "interactivity", "message_menu_options_url"),
}


def _listener_kinds() -> set[str]:
    """The kinds of listener the code registers: `app.<kind>(…)` (`app.options(…)` included,
    whatever its first argument)."""
    kinds: set[str] = set()
    for path in _python_files():
        for node in ast.walk(ast.parse(path.read_text())):
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Attribute)
                and isinstance(node.func.value, ast.Name)
                and node.func.value.id == "app"
            ):
                kinds.add(node.func.attr)
    return kinds


def test_http_mode_names_a_request_url_for_every_kind_of_listener(
    manifest: dict[str, Any],
) -> None:
    """QA: in HTTP mode the forms' partner picker stayed empty: manifest.yml and the README named
    three URLs, not the interactivity's Options Load URL (`message_menu_options_url`)."""
    kinds = _listener_kinds()
    assert {"command", "event", "action", "view", "options"} <= kinds, "is the scan broken?"
    needed = {HTTP_URL_KEYS[kind] for kind in kinds if kind in HTTP_URL_KEYS}
    http_mode = copy.deepcopy(manifest)
    http_mode["settings"]["socket_mode_enabled"] = False
    for path in needed:
        parent: Any = http_mode
        for step in path[:-1]:
            parent = parent[step]
        parent[path[-1]] = "https://liaison.example.org/slack/events"
    if SCHEMA.is_file():  # the key names are Slack's
        jsonschema.validate(http_mode, json.loads(SCHEMA.read_text()))
    readme = (ROOT / "README.md").read_text()
    http_section = readme[readme.index("- **HTTP mode**") : readme.index("### PostgreSQL")]
    header = (ROOT / "manifest.yml").read_text().split("\ndisplay_information:")[0]
    for path in needed:
        key = str(path[-1])
        assert f"`{key}:`" in http_section, f"README's HTTP mode must name `{key}:`"
        assert f"`{key}`" in header, f"manifest.yml's header must name `{key}`"
    assert "Options Load URL" in http_section
