"""Waiting out Slack's rate limit in a Web API client, as the dispatcher reads Retry-After."""

from __future__ import annotations

import logging
import random
import time

from slack_sdk.http_retry import HttpRequest, HttpResponse, RetryState
from slack_sdk.http_retry.builtin_handlers import RateLimitErrorRetryHandler

from bot.clock import SystemClock
from bot.delivery.dispatcher import retry_after


class RateLimitRetryHandler(RateLimitErrorRetryHandler):
    """slack_sdk's own, waiting as the dispatcher reads Retry-After: slack_sdk's does
    `int(value)`, so an HTTP date (RFC 9110 allows one) raised a ValueError, and a huge number
    slept that long; `retry_after` reads both forms and caps the wait.

    Each wait is logged as a warning on `logger`, starting with `waiting` ("Slack is rate
    limiting the lookups"), so whoever watches knows the command waits rather than hangs."""

    def __init__(self, *, max_retry_count: int, logger: logging.Logger, waiting: str) -> None:
        super().__init__(max_retry_count=max_retry_count)
        self.logger = logger
        self.waiting = waiting

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
        # The wait is slept on the wall clock, so the date is read on it too.
        wait = retry_after(response.headers, now=SystemClock().now())
        self.logger.warning("%s: asking again in %d s", self.waiting, wait)
        time.sleep(wait + random.random())
        state.increment_current_attempt()
