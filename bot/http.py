"""HTTP mode: `POST /slack/events` for everything Slack sends, `GET /healthz` for load balancers.

Served by uvicorn (ASGI). Where Bolt's sync `App.dispatch` runs depends on the database:

- PostgreSQL: in a small pool of worker threads. A request waits on the network and on row
  locks; the threads overlap those waits, and other requests keep being acknowledged meanwhile.
- SQLite: on the event loop itself. A request's work is local CPU work and every write takes
  its turn on one writer anyway, so threads overlap nothing; what they add is a GIL hand-off
  between the loop and the worker at each SQLite call (the sqlite3 module releases the GIL
  around each one). Measured with bench/log_throughput.py at 1,000,000 touchpoints:
  `/partner log` 450 req/s, p99 36 ms on threads; 600 req/s, p99 29 ms on the loop. No listener
  calls Slack or does slow work before its ack (what comes after is deferred to the runtime's
  executor), so the longest a request holds up the others is its own few milliseconds.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import time
from collections.abc import AsyncIterator, Callable, Mapping
from contextlib import asynccontextmanager
from typing import Any

import anyio
import anyio.to_thread
from slack_bolt import App, BoltRequest, BoltResponse
from starlette.applications import Starlette
from starlette.background import BackgroundTask
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from bot.logs import stale_timestamp
from bot.runtime import Runtime
from storage.schema import readiness

EVENTS_PATH = "/slack/events"
# Requests dispatched at once on PostgreSQL; more threads than this only add GIL contention
# (measured with bench/http_ack.py: p99 63 ms with 40 threads, ~20 ms with 4).
DISPATCH_THREADS = 4
# What Slack posts: events as JSON, commands and interactions as a form.
SLACK_MEDIA_TYPES = frozenset({"application/json", "application/x-www-form-urlencoded"})

logger = logging.getLogger(__name__)


def refusal(secret: bytes, body: bytes, headers: Mapping[str, str]) -> str | None:
    """Why a request is not Slack's (None: it is), checked on the raw bytes before anything
    reads them: what an unsigned sender posts is never parsed. The reason names the thing to
    check: a clock that is off is not a wrong signing secret."""
    timestamp = headers.get("x-slack-request-timestamp")
    signature = headers.get("x-slack-signature")
    if not timestamp or not signature:
        return "no Slack signature (X-Slack-Signature and X-Slack-Request-Timestamp)"
    stale = stale_timestamp(timestamp, now=time.time())
    if stale is not None:
        return stale
    # Slack signs the bytes it sends. (slack_sdk's SignatureVerifier decodes them as UTF-8
    # first, and raises on bytes that are not.)
    expected = hmac.new(secret, b"v0:%s:%s" % (timestamp.encode(), body), hashlib.sha256)
    if not hmac.compare_digest(f"v0={expected.hexdigest()}".encode(), signature.encode()):
        return f"invalid signature (timestamp {timestamp}): check SLACK_SIGNING_SECRET"
    return None


def _unlike_slack(content_type: str | None, body: Any) -> str | None:
    """Why a body Bolt read is nothing Slack sends (None: it may be): Slack posts JSON (events)
    or a form (commands, interactions), each naming what it is (`type`, `command`). Bolt reads
    any other text as a form ("hello" as a field), matched no listener and answered 404."""
    media = (content_type or "").partition(";")[0].strip().lower()
    if media not in SLACK_MEDIA_TYPES:
        return f"Content-Type {media[:60] or 'missing'}, not JSON or a form"
    if not isinstance(body, dict) or not ("type" in body or "command" in body):
        return "no type or command in it"
    return None


def create_asgi_app(
    app: App,
    runtime: Runtime,
    *,
    on_startup: Callable[[], None] | None = None,
    on_shutdown: Callable[[], None] | None = None,
) -> Starlette:
    limiter = anyio.CapacityLimiter(DISPATCH_THREADS)
    on_the_loop = runtime.engine.dialect.name == "sqlite"
    if not runtime.settings.slack_signing_secret:
        # `serve` requires it; without it every request would be refused, or worse, accepted.
        raise ValueError("HTTP mode needs SLACK_SIGNING_SECRET to verify Slack's requests")
    secret = runtime.settings.slack_signing_secret.encode()

    async def slack_events(request: Request) -> Response:
        body = await request.body()
        if b"ssl_check=1" in body.split(b"&"):
            # Slack's check of the certificate behind a slash command's URL, which Bolt answers
            # before any signature check (it may come unsigned): it carries nothing to act on.
            return Response(status_code=200)
        refused = refusal(secret, body, request.headers)
        if refused is not None:
            # Bolt would log the body; and a body it cannot parse raised out of BoltRequest.
            logger.info("request refused (401): %s; body not logged", refused)
            return JSONResponse({"error": "invalid request"}, status_code=401)
        try:
            bolt_request = BoltRequest(
                body=body.decode("utf-8"),
                query=dict(request.query_params),
                headers={key: [value] for key, value in request.headers.items()},
            )
            unlike_slack = _unlike_slack(request.headers.get("content-type"), bolt_request.body)
        except (ValueError, TypeError, AttributeError, KeyError, IndexError) as error:
            # Signed, so from Slack (or whoever holds the secret), yet not UTF-8 JSON or a form
            # Bolt can read. ValueError covers bad UTF-8 and bad JSON; the others, JSON that
            # is not an object where Bolt looks into one.
            unlike_slack = f"{type(error).__name__}: {error}"
        if unlike_slack is not None:
            logger.warning(
                "request refused (400): signed but malformed body (%s); body not logged",
                unlike_slack,
            )
            return JSONResponse({"error": "malformed request"}, status_code=400)
        if on_the_loop:
            bolt_response, held = dispatch_holding(bolt_request)
        else:
            bolt_response, held = await anyio.to_thread.run_sync(
                dispatch_holding, bolt_request, limiter=limiter
            )
        return Response(
            status_code=bolt_response.status,
            content=bolt_response.body,
            headers=bolt_response.first_headers_without_set_cookie(),
            # Work the listener deferred starts once the answer has been sent (most requests
            # defer nothing: no task then).
            background=BackgroundTask(release, held) if held else None,
        )

    async def release(held: list[Callable[[], None]]) -> None:
        # Only hands the work to the runtime's executor: no thread hop needed for that.
        runtime.release(held)

    def dispatch_holding(
        bolt_request: BoltRequest,
    ) -> tuple[BoltResponse, list[Callable[[], None]]]:
        with runtime.holding() as held:
            return app.dispatch(bolt_request), held

    async def healthz(_request: Request) -> Response:
        # A database that answers is not enough: without this version's tables every request
        # would fail, and the load balancer would still send them here.
        found = await run_in_threadpool(readiness, runtime.engine)
        body: dict[str, object] = {
            "status": "ok" if found.ok else "unavailable",
            "database": found.reachable,
        }
        if not found.reachable:
            body["reason"] = "database unreachable"
        elif found.problem is not None:
            body["reason"] = found.problem
        return JSONResponse(body, status_code=200 if found.ok else 503)

    @asynccontextmanager
    async def lifespan(_app: Starlette) -> AsyncIterator[None]:
        if on_startup is not None:
            on_startup()
        try:
            yield
        finally:
            if on_shutdown is not None:
                on_shutdown()

    return Starlette(
        routes=[
            Route(EVENTS_PATH, slack_events, methods=["POST"]),
            Route("/healthz", healthz, methods=["GET"]),
        ],
        lifespan=lifespan,
    )
