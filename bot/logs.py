"""Liaison's log: one line per event on stderr.

The dispatcher logs a line per message it sends, at INFO, the default level, so a line's cost is
part of every send's bookkeeping (bench/delivery.py). The lines show when, how bad, which logger
and what happened; what no line shows is not gathered: the caller's source line (a walk up the
stack), its thread and its process (the logging HOWTO, "Optimization"). That saves about a fifth
of a line's cost.

The lines are written by the thread that logs them. A queue and a writer thread (the logging
cookbook's QueueHandler) measured worse: while the send loop waited for Slack, the writer took
the interpreter lock, and the loop's socket calls then waited for it (ratio +0.06 against the
bare loop, with the loop's own share of a line halved).
"""

from __future__ import annotations

import logging
import re
from typing import TextIO

FORMAT = "%(asctime)s %(levelname)s %(name)s %(message)s"
# slack_sdk's client logs each request's body at DEBUG (a message's text), and an ERROR with
# Slack's HTML page for every 5xx it cannot decode, beside the dispatcher's own line for that
# send (which retries it). Liaison logs the outcome of every call it makes itself, without
# bodies; what the client raises is handled where it is made.
QUIET = {
    "slack_sdk.web.base_client": logging.CRITICAL,
    # Bolt's `respond()` posts to a response_url through this client, which logs each body
    # (what Liaison answered, so what someone typed) at DEBUG.
    "slack_sdk.webhook.client": logging.INFO,
}
# APScheduler narrates at INFO: two lines for every run of every job ("Running job", "executed
# successfully"; with the dispatcher every few seconds, most of the log: 140,000 lines a day),
# and two for each job at start-up ("Adding job tentatively", "Added job"). Its warnings (a run
# missed, a job raising) stay; the rest is for LOG_LEVEL=DEBUG. Liaison's own scheduler lines
# say when it starts and stops.
QUIET_UNLESS_DEBUG = {"apscheduler": logging.WARNING}
# Slack's and Bolt's limit: a request signed further than this from the server's clock is refused
# (a replayed one, or a clock that is off).
SIGNATURE_MAX_AGE = 5 * 60


def stale_timestamp(timestamp: str, *, now: float) -> str | None:
    """Why a request's X-Slack-Request-Timestamp alone refuses it, worded for the admin reading
    the log (None: it is fresh enough). A clock that is off refuses every request, as a wrong
    signing secret does: the line must say which to check."""
    try:
        seconds = int(timestamp)
    except ValueError:
        return f"timestamp {timestamp!r} is not a number of seconds"
    off = int(now) - seconds
    if abs(off) <= SIGNATURE_MAX_AGE:
        return None
    direction = "behind" if off > 0 else "ahead of"
    return (
        f"timestamp {timestamp} is {abs(off)} s {direction} this server's clock (more than "
        f"{SIGNATURE_MAX_AGE} s: a replayed request, or check this server's clock)"
    )


class BoltLines(logging.Filter):
    """Bolt's own lines, as Liaison's log keeps them (on the logger Liaison gives Bolt, whose
    filters Bolt copies to each of its loggers):

    - a request with a bad signature is logged without its body, which holds what someone
      typed (and, forged, whatever an attacker sent): its timestamp says when, and a timestamp
      too far from the clock is said as such (check the clock, not the signing secret);
    - "As you gave `client` as well, `token` will be unused" is dropped: Liaison gives Bolt a
      client carrying SLACK_BOT_TOKEN on purpose (to honour SLACK_API_BASE_URL), and Bolt reads
      the same variable again by itself;
    - at DEBUG, Bolt's "Responding with status: 200 body: …" (the answer, which quotes what
      someone typed) keeps its status and time without the body, and the Socket Mode client's
      lines (it logs on Bolt's logger) end before the message or payload they would show:
      .env.example promises message bodies are never logged, at any level.
    """

    _TOKEN_UNUSED = "As you gave `client` as well, `token` will be unused."
    _BAD_SIGNATURE = re.compile(r"Invalid request signature detected .*?timestamp: (\S+?),", re.S)
    _RESPONDING = re.compile(r'Responding with status: (\d+) body: ".*" \((\d+) millis\)\Z', re.S)
    # Everything from the first of these on is a body: Bolt's "Responding with listener
    # middleware's response - …, body: …"; the Socket Mode client's "Sending a message (…,
    # message: …)", "Received a new data frame (…, payload: …)", "on_message invoked: (message:";
    # and its WebSocket handshake's request and response on the lines after "…):", whose URL
    # holds the connection's ticket.
    _BODY_FROM = re.compile(r"\b(?:body|message|payload): |(?<=\)):\n")

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        if message == self._TOKEN_UNUSED:
            return False
        if record.levelno <= logging.DEBUG:
            responding = self._RESPONDING.match(message)
            if responding is not None:
                record.msg = "Responding with status: %s (%s millis; body not logged)"
                record.args = responding.groups()
                return True
            body = self._BODY_FROM.search(message)
            if body is not None:
                record.msg = "%s … (body not logged)"
                record.args = (message[: body.start()].rstrip(", "),)
                return True
        bad = self._BAD_SIGNATURE.match(message)
        if bad is not None:
            stale = stale_timestamp(bad.group(1), now=record.created)
            if stale is not None:
                record.msg = "request refused: %s; body not logged"
                record.args = (stale,)
            else:
                record.msg = (
                    "request refused: invalid signature (timestamp %s; body not logged): "
                    "check SLACK_SIGNING_SECRET"
                )
                record.args = (bad.group(1),)
        return True


def configure(level: str | int, *, stream: TextIO | None = None) -> None:
    """Log at `level` to `stream` (stderr by default). Like `logging.basicConfig`, whose work it
    does, it leaves a root logger that has handlers already (tests, an embedding program)."""
    if logging.getLogger().handlers:
        return
    logging._srcfile = None  # FORMAT has no %(pathname)s, %(lineno)d or %(funcName)s
    logging.logThreads = False  # … no %(thread)d or %(threadName)s
    logging.logProcesses = False  # … no %(process)d
    logging.logMultiprocessing = False  # … no %(processName)s
    logging.basicConfig(level=level, format=FORMAT, stream=stream)
    quiet = dict(QUIET)
    if logging.getLogger().getEffectiveLevel() > logging.DEBUG:
        quiet.update(QUIET_UNLESS_DEBUG)
    for name, quiet_level in quiet.items():
        logging.getLogger(name).setLevel(quiet_level)
