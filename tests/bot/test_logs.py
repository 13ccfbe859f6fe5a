"""The log's set-up, in a fresh interpreter (it changes process-wide logging state)."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def run(code: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True
    )


def test_lines_say_when_how_bad_which_logger_and_what() -> None:
    done = run(
        "import logging; from bot import logs; logs.configure('INFO'); "
        "logging.getLogger('bot.delivery').info('delivery outbox_id=%d outcome=%s', 7, 'sent'); "
        "logging.getLogger('bot.delivery').debug('not shown')"
    )
    (line,) = done.stderr.splitlines()
    assert re.fullmatch(
        r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d{3} INFO bot.delivery delivery outbox_id=7 outcome=sent",
        line,
    )


def test_errors_keep_their_traceback() -> None:
    done = run(
        "import logging; from bot import logs; logs.configure('WARNING')\n"
        "try:\n    1 / 0\nexcept ZeroDivisionError:\n"
        "    logging.getLogger('liaison').exception('send failed')"
    )
    assert "ERROR liaison send failed" in done.stderr
    assert "ZeroDivisionError: division by zero" in done.stderr


def test_a_logger_already_set_up_is_left_alone() -> None:
    done = run(
        "import logging, sys; logging.basicConfig(stream=sys.stdout, format='%(message)s'); "
        "from bot import logs; logs.configure('DEBUG'); "
        "logging.getLogger('x').warning('mine'); logging.getLogger('x').info('dropped')"
    )
    assert (done.stdout, done.stderr) == ("mine\n", "")


def test_the_slack_clients_own_lines_are_left_out_even_at_debug() -> None:
    # Its DEBUG lines carry each request's body (a message's text); its ERROR on a 5xx Slack
    # answered with an HTML page doubles the dispatcher's own line for that send.
    done = run(
        "import logging; from bot import logs; logs.configure('DEBUG'); "
        "client = logging.getLogger('slack_sdk.web.base_client'); "
        "client.debug('Sending a request - json_body: secret text'); "
        "client.error('Failed to decode Slack API response: <html>'); "
        "logging.getLogger('bot.delivery').debug('ours')"
    )
    assert "secret text" not in done.stderr and "<html>" not in done.stderr
    assert "DEBUG bot.delivery ours" in done.stderr


def test_bolts_lines_keep_no_body_and_no_warning_about_the_token() -> None:
    # A request with a bad signature: Bolt would log its body (what someone typed) at INFO.
    # And Bolt warns that its own reading of SLACK_BOT_TOKEN goes unused beside our client.
    done = run(
        "import os; from bot import logs; logs.configure('INFO')\n"
        "from bot.sandbox.fake_slack import FakeSlack\n"
        "from bot.config import Settings; from bot.clock import SystemClock\n"
        "from bot.runtime import Runtime; from bot.app import create_app\n"
        "from storage.db import make_engine; from slack_bolt import BoltRequest\n"
        "fake = FakeSlack(team_id='T1').start()\n"
        "os.environ['SLACK_BOT_TOKEN'] = fake.bot_token\n"
        "settings = Settings(slack_bot_token=fake.bot_token, slack_signing_secret='s', "
        "slack_api_base_url=fake.base_url, database_url='sqlite://')\n"
        "runtime = Runtime(settings=settings, engine=make_engine('sqlite://'), "
        "clock=SystemClock())\n"
        "app = create_app(runtime)\n"
        "import time; now = int(time.time())\n"
        "for timestamp in (now, now - 600):\n"
        "    response = app.dispatch(BoltRequest(body='command=/partner&text=secret+plans', "
        "headers={'x-slack-signature': ['v0=00'], 'x-slack-request-timestamp': [str(timestamp)], "
        "'content-type': ['application/x-www-form-urlencoded']}))\n"
        "    assert response.status == 401\n"
        "print(now)\n"
        "fake.stop()"
    )
    now = int(done.stdout)
    assert "secret" not in done.stderr
    assert "token` will be unused" not in done.stderr
    assert (
        "INFO slack_bolt.RequestVerification request refused: invalid signature "
        f"(timestamp {now}; body not logged): check SLACK_SIGNING_SECRET"
    ) in done.stderr
    # QA: a request refused for its age was logged as an invalid signature, so an admin
    # checked the secret, not the clock.
    assert re.search(
        rf"INFO slack_bolt.RequestVerification request refused: timestamp {now - 600} is 60\d s "
        r"behind this server's clock \(more than 300 s: a replayed request, or check this "
        r"server's clock\); body not logged",
        done.stderr,
    )


def test_the_schedulers_line_for_every_run_is_left_out() -> None:
    done = run(
        "import logging; from bot import logs; logs.configure('INFO'); "
        "logging.getLogger('apscheduler.executors.default').info('Running job dispatch'); "
        "logging.getLogger('apscheduler.executors.default').warning('Run time of job missed')"
    )
    assert "Running job" not in done.stderr and "Run time of job missed" in done.stderr


def test_the_schedulers_own_narration_is_left_out_unless_debugging() -> None:
    # At start-up APScheduler said "Adding job tentatively" and "Added job" for each of some
    # fifteen jobs, at INFO.
    code = (
        "import logging; from bot import logs; logs.configure('{level}'); "
        "logging.getLogger('apscheduler.scheduler').info('Adding job tentatively'); "
        "logging.getLogger('apscheduler.scheduler').warning('Execution of job skipped')"
    )
    info = run(code.format(level="INFO")).stderr
    assert "Adding job tentatively" not in info and "Execution of job skipped" in info
    debug = run(code.format(level="DEBUG")).stderr
    assert "INFO apscheduler.scheduler Adding job tentatively" in debug


def test_no_message_body_is_logged_even_at_debug(tmp_path: Path) -> None:
    """QA: .env.example promises message bodies are never logged, yet at LOG_LEVEL=DEBUG Bolt
    logged each answer, `Responding with status: 200 body: "{…}"`, quoting what was typed."""
    done = run(
        "import os, time; from bot import logs; logs.configure('DEBUG')\n"
        "import logging\n"
        "from bot.sandbox.fake_slack import FakeSlack; from bot.sandbox.requests import sign\n"
        "from bot.config import Settings; from bot.clock import SystemClock\n"
        "from bot.runtime import Runtime; from bot.app import create_app\n"
        "from storage.db import make_engine; from storage.schema import upgrade\n"
        "from slack_bolt import BoltRequest\n"
        "fake = FakeSlack(team_id='T1').start()\n"
        "fake.add_user(id='U1', name='ana', real_name='Ana', tz='UTC', is_admin=False)\n"
        "os.environ['SLACK_BOT_TOKEN'] = fake.bot_token\n"
        "settings = Settings(slack_bot_token=fake.bot_token, "
        "slack_signing_secret=fake.signing_secret, slack_api_base_url=fake.base_url)\n"
        f"engine = make_engine('sqlite:///{tmp_path}/liaison.db'); upgrade(engine)\n"
        "runtime = Runtime(settings=settings, engine=engine, clock=SystemClock())\n"
        "app = create_app(runtime)\n"
        "body = 'command=%2Fpartner&text=show+secret+plans&team_id=T1&user_id=U1&channel_id=C1'\n"
        "headers = sign(signing_secret=fake.signing_secret, body=body, "
        "timestamp=int(time.time()))\n"
        "response = app.dispatch(BoltRequest(body=body, "
        "headers={k.lower(): [v] for k, v in headers.items()}))\n"
        "assert response.status == 200 and 'secret plans' in response.body\n"
        "runtime.drain(); fake.stop()\n"
        # The Socket Mode client logs on Bolt's logger; Bolt's respond() on the webhook client's.
        "bolt = logging.getLogger('liaison.bolt')\n"
        "bolt.debug('Sending a message (session id: s1, message: secret plans)')\n"
        "bolt.debug('Received a new data frame (session id: s1, opcode: 1, payload: secret)')\n"
        "bolt.debug('Socket Mode handshake request (session id: s1):\\nGET /link/?ticket=secret')\n"
        "logging.getLogger('slack_sdk.webhook.client').debug('Sending a request - body: secret')"
    )
    assert "secret" not in done.stderr
    assert re.search(
        r"DEBUG liaison.bolt Responding with status: 200 \(\d+ millis; body not logged\)",
        done.stderr,
    )
    assert "Sending a message (session id: s1 … (body not logged)" in done.stderr
    assert "Socket Mode handshake request (session id: s1) … (body not logged)" in done.stderr
