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
from typing import TextIO

FORMAT = "%(asctime)s %(levelname)s %(name)s %(message)s"
# slack_sdk's client logs each request's body at DEBUG (a message's text), and an ERROR with
# Slack's HTML page for every 5xx it cannot decode, beside the dispatcher's own line for that
# send (which retries it). Liaison logs the outcome of every call it makes itself, without
# bodies; what the client raises is handled where it is made.
QUIET = {"slack_sdk.web.base_client": logging.CRITICAL}


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
    for name, quiet_level in QUIET.items():
        logging.getLogger(name).setLevel(quiet_level)
