"""Waiting out Slack's rate limit and brief failures in a Web API client, as the dispatcher
reads Retry-After."""

from __future__ import annotations

import json
import logging
import random
import time
from collections.abc import Callable
from http.client import RemoteDisconnected
from urllib.error import URLError
from urllib.parse import parse_qs

from slack_sdk.http_retry import HttpRequest, HttpResponse, RetryHandler, RetryState
from slack_sdk.http_retry.builtin_handlers import RateLimitErrorRetryHandler
from slack_sdk.http_retry.builtin_interval_calculators import BackoffRetryIntervalCalculator

from bot.clock import SystemClock
from bot.delivery.dispatcher import retry_after

# Sleeps that many seconds: `time.sleep`, or a test's stand-in that only notes the wait.
Sleep = Callable[[float], None]

# The app's own client (a request's work after its ack) asks again this many times when Slack
# is briefly down or rate limits it: the person who typed the command is waiting to hear.
REQUEST_RETRIES = 2
# ... and waits out a Retry-After of at most this many seconds. A longer one is not waited for:
# the call fails at once and the person is told, rather than told nothing for minutes.
REQUEST_LONGEST_WAIT = 20
# A call carrying a trigger_id (views.open, views.push) waits out at most this many seconds (plus
# up to 1 s of jitter): Slack lets a trigger_id live 3 s from the click, so a longer wait ends in
# expired_trigger_id anyway, and the person hears "couldn't open the form" only after it.
TRIGGER_LONGEST_WAIT = 1


class RateLimitRetryHandler(RateLimitErrorRetryHandler):
    """slack_sdk's own, waiting as the dispatcher reads Retry-After: slack_sdk's does
    `int(value)`, so an HTTP date (RFC 9110 allows one) raised a ValueError, and a huge number
    slept that long; `retry_after` reads both forms and caps the wait. With `longest`, a wait
    longer than that many seconds is not waited out: the 429 is the call's answer. A call
    carrying a trigger_id waits TRIGGER_LONGEST_WAIT at most, as the trigger_id expires.

    Each wait is logged as a warning on `logger`, starting with `waiting` ("Slack is rate
    limiting the lookups"), so whoever watches knows the command waits rather than hangs."""

    def __init__(
        self,
        *,
        max_retry_count: int,
        logger: logging.Logger,
        waiting: str,
        longest: int | None = None,
        sleep: Sleep = time.sleep,
    ) -> None:
        super().__init__(max_retry_count=max_retry_count)
        self.logger = logger
        self.waiting = waiting
        self.longest = longest
        self.sleep = sleep

    def _can_retry(
        self,
        *,
        state: RetryState,
        request: HttpRequest,
        response: HttpResponse | None = None,
        error: Exception | None = None,
    ) -> bool:
        if response is None or response.status_code != 429:
            return False
        longest = self.longest
        if _carries_trigger(request):
            longest = min(
                longest if longest is not None else TRIGGER_LONGEST_WAIT, TRIGGER_LONGEST_WAIT
            )
        if longest is None:
            return True
        wait = _wait(response)
        if wait > longest:
            self.logger.warning("%s: not asking again, Slack asks to wait %d s", self.waiting, wait)
            return False
        return True

    def prepare_for_next_attempt(
        self,
        *,
        state: RetryState,
        request: HttpRequest,
        response: HttpResponse | None = None,
        error: Exception | None = None,
    ) -> None:
        if response is None:
            if error is not None:
                raise error
            return
        state.next_attempt_requested = True
        wait = _wait(response)
        self.logger.warning("%s: asking again in %d s", self.waiting, wait)
        self.sleep(wait + random.random())
        state.increment_current_attempt()


def _carries_trigger(request: HttpRequest) -> bool:
    """Whether the call opens or pushes a view with a trigger_id, which Slack takes for 3 s only."""
    if request.body_params and "trigger_id" in request.body_params:
        return True
    if not request.data:
        return False
    body = request.data.decode("utf-8", errors="replace")
    try:
        params = json.loads(body)
    except ValueError:
        params = parse_qs(body)
    return isinstance(params, dict) and "trigger_id" in params


def _wait(response: HttpResponse) -> int:
    """The seconds a 429's Retry-After asks for. The wait is slept on the wall clock, so the
    date is read on it too."""
    return retry_after(response.headers, now=SystemClock().now())


class BriefFailureRetryHandler(RetryHandler):
    """Asks again, after a short backoff, when Slack answered with a 5xx (its edge is briefly
    down) or the connection dropped before any answer. Each wait is logged at info, with the
    Web API method and what went wrong, never the request: what still fails after the last try
    is the caller's to log (as a warning or an error, with Slack's code)."""

    def __init__(self, *, max_retry_count: int, logger: logging.Logger, sleep: Sleep) -> None:
        super().__init__(max_retry_count, BackoffRetryIntervalCalculator(backoff_factor=0.5))
        self.logger = logger
        self.sleep = sleep

    def _can_retry(
        self,
        *,
        state: RetryState,
        request: HttpRequest,
        response: HttpResponse | None = None,
        error: Exception | None = None,
    ) -> bool:
        if response is not None:
            return response.status_code >= 500
        # A URLError with no response is a connection that failed (slack_sdk's own list).
        return isinstance(error, URLError | ConnectionResetError | RemoteDisconnected)

    def prepare_for_next_attempt(
        self,
        *,
        state: RetryState,
        request: HttpRequest,
        response: HttpResponse | None = None,
        error: Exception | None = None,
    ) -> None:
        state.next_attempt_requested = True
        wait = self.interval_calculator.calculate_sleep_duration(state.current_attempt)
        failure = f"HTTP {response.status_code}" if response else type(error).__name__
        method = request.url.rsplit("/", 1)[-1].split("?", 1)[0]
        self.logger.info("%s from Slack on %s: asking again in %.1f s", failure, method, wait)
        self.sleep(wait)
        state.increment_current_attempt()


def request_retry_handlers(*, logger: logging.Logger, sleep: Sleep) -> list[RetryHandler]:
    """The retry handlers of the app's own client, which only work after an ack uses: a 5xx or
    a dropped connection asked again twice after a short backoff, a 429 waited out twice if
    Slack asks for at most REQUEST_LONGEST_WAIT seconds. What still fails is the caller's to
    tell the person."""
    return [
        BriefFailureRetryHandler(max_retry_count=REQUEST_RETRIES, logger=logger, sleep=sleep),
        RateLimitRetryHandler(
            max_retry_count=REQUEST_RETRIES,
            logger=logger,
            waiting="Slack is rate limiting Liaison's answers",
            longest=REQUEST_LONGEST_WAIT,
            sleep=sleep,
        ),
    ]
