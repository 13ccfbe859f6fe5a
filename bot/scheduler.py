"""The scheduler: the dispatcher every few seconds, and the planners later issues register.

APScheduler 3 (`BackgroundScheduler`) runs the jobs in this process and keeps no durable state
("job stores must never be shared between schedulers"): planners derive what is due from the
database and enqueue idempotently, so a restart after downtime catches up without duplicates,
and any number of replicas may run the same jobs.

`tick` is the same work done once, at `runtime.clock.now()`: `liaison tick`, the sandbox and
the tests call it instead of waiting for triggers.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime

from apscheduler.executors.pool import ThreadPoolExecutor
from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.triggers.base import BaseTrigger
from apscheduler.triggers.interval import IntervalTrigger
from slack_sdk import WebClient

from bot.delivery.absence import WELCOME_BACK
from bot.delivery.dispatcher import Dispatcher, DispatchPolicy, DispatchReport, delivery_client
from bot.runtime import Runtime

logger = logging.getLogger(__name__)

DISPATCH_EVERY_SECONDS = 2.0

# A planner looks at the database as of `now` and enqueues what is due (idempotently).
Planner = Callable[[Runtime, datetime], None]
# When a planner next has something to do after `now`, if it can tell (None: nothing known).
NextDue = Callable[[Runtime, datetime], datetime | None]


@dataclass(frozen=True)
class PlannerJob:
    name: str
    func: Planner
    trigger: BaseTrigger
    # For the sandbox, which runs planners at most hourly: a planner that acts at a configured
    # minute (the weekly digest) says when, and the sandbox runs it then too. The scheduler
    # needs no hint: such a planner's trigger fires every minute.
    next_due: NextDue | None = None


class PlannerRegistry:
    """The planners Liaison runs, by name. The app's are gathered by `bot.app.build_planners`
    (each feature registers its own, with the wording its messages need)."""

    def __init__(self) -> None:
        self._jobs: dict[str, PlannerJob] = {}

    def register_planner(
        self, name: str, func: Planner, trigger: BaseTrigger, *, next_due: NextDue | None = None
    ) -> None:
        """Run `func(runtime, now)` on `trigger` (an APScheduler interval or cron trigger);
        `next_due`, if given, tells the sandbox when the planner next has work."""
        if name in self._jobs:
            raise ValueError(f"a planner named {name!r} is already registered")
        self._jobs[name] = PlannerJob(name=name, func=func, trigger=trigger, next_due=next_due)

    def __iter__(self) -> Iterator[PlannerJob]:
        return iter(list(self._jobs.values()))

    def __contains__(self, name: object) -> bool:
        return name in self._jobs

    def __len__(self) -> int:
        return len(self._jobs)


@dataclass
class TickReport:
    """What one tick did: which planners ran (and which failed), then one dispatch pass."""

    at: datetime
    planners: list[str] = field(default_factory=list)
    failed_planners: list[str] = field(default_factory=list)
    dispatch: DispatchReport = field(default_factory=DispatchReport)

    def summary(self) -> str:
        failed = f" ({len(self.failed_planners)} failed)" if self.failed_planners else ""
        return (
            f"tick at {self.at.isoformat()}: {len(self.planners)} planners ran{failed}; "
            f"{self.dispatch.summary()}"
        )


class FailureStreak:
    """How a job that runs every few seconds says it is failing, without flooding the log
    while it keeps failing (the database down: a traceback every 2 s, 900 lines a minute).

    The first failure is logged with its traceback; each one after it is one line with the
    error and how many since when; the first success after them says the job works again."""

    def __init__(self, what: str, *, note: str = "") -> None:
        self._what = what
        self._note = f"; {note}" if note else ""
        self._lock = threading.Lock()
        self._count = 0
        self._since: datetime | None = None

    def failed(self, error: Exception, *, at: datetime) -> None:
        with self._lock:
            self._count += 1
            count = self._count
            if count == 1:
                self._since = at
            since = self._since
        if count == 1:
            logger.error(
                "%s failed at %s%s", self._what, at.isoformat(), self._note, exc_info=error
            )
            return
        assert since is not None
        logger.error(
            "%s failed again (%d in a row since %s; the first one's traceback is above): %s",
            self._what,
            count,
            _clock_time(since),
            _one_line(error),
        )

    def succeeded(self) -> None:
        with self._lock:
            count, since = self._count, self._since
            self._count, self._since = 0, None
        if count:
            assert since is not None
            times = "once" if count == 1 else f"{count} times"
            logger.info(
                "%s works again (it failed %s since %s)", self._what, times, _clock_time(since)
            )


def _clock_time(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%SZ")


def _one_line(error: Exception) -> str:
    """The error's type and the first line of its words (SQLAlchemy's add a link below)."""
    text = str(error).strip()
    first = text.splitlines()[0] if text else ""
    return f"{type(error).__name__}: {first}" if first else type(error).__name__


def run_planner(
    runtime: Runtime, job: PlannerJob, now: datetime, *, streak: FailureStreak | None = None
) -> bool:
    """Run one planner; a failure is logged with its traceback (once per `streak` of them,
    when given) and does not stop the others."""
    try:
        job.func(runtime, now)
    except Exception as error:
        if streak is None:
            logger.exception("planner %s failed at %s", job.name, now.isoformat())
        else:
            streak.failed(error, at=now)
        return False
    if streak is not None:
        streak.succeeded()
    return True


def tick(
    runtime: Runtime,
    client: WebClient,
    *,
    planners: PlannerRegistry,
    dispatcher: Dispatcher | None = None,
) -> TickReport:
    """Run every planner, then one dispatch pass, at `runtime.clock.now()`.

    Once `dispatcher` is stopped (`liaison tick` on SIGINT/SIGTERM), no further planner runs
    and the pass claims nothing more: it records the send in flight and hands back the rest.
    """
    now = runtime.clock.now()
    report = TickReport(at=now)
    dispatcher = dispatcher or Dispatcher(
        engine=runtime.engine,
        clock=runtime.clock,
        client=client,
        default_channel=runtime.settings.default_channel,
        summaries_planned=WELCOME_BACK in planners,
    )
    for job in planners:
        if dispatcher.stopping:
            break
        report.planners.append(job.name)
        if not run_planner(runtime, job, now):
            report.failed_planners.append(job.name)
    report.dispatch = dispatcher.run_pass()
    return report


class Scheduler:
    """The dispatcher and the planners as APScheduler jobs in this process.

    `shutdown` (on SIGTERM/SIGINT) stops claiming, lets the pass in progress finish its
    in-flight send and release its other claimed rows, then waits for running jobs.
    """

    def __init__(
        self,
        runtime: Runtime,
        *,
        planners: PlannerRegistry,
        client: WebClient | None = None,
        dispatch_every: float = DISPATCH_EVERY_SECONDS,
        policy: DispatchPolicy | None = None,
    ) -> None:
        self._runtime = runtime
        self.dispatcher = Dispatcher(
            engine=runtime.engine,
            clock=runtime.clock,
            client=client or delivery_client(runtime.settings),
            policy=policy,
            default_channel=runtime.settings.default_channel,
            summaries_planned=WELCOME_BACK in planners,
        )
        self._planners = planners
        self._dispatch_every = dispatch_every
        self._scheduler = BackgroundScheduler(
            executors={"default": ThreadPoolExecutor(max_workers=4)},
            job_defaults={"coalesce": True, "max_instances": 1, "misfire_grace_time": None},
            timezone="UTC",
        )
        self._lock = threading.Lock()
        self._passing = threading.Lock()
        self._started = False
        self._dispatch_failures = FailureStreak(
            "dispatch pass", note="claimed rows are taken up after their lease"
        )
        self._planner_failures = {
            job.name: FailureStreak(f"planner {job.name}") for job in planners
        }

    def start(self) -> None:
        with self._lock:
            if self._started:
                return
            self._scheduler.add_job(
                self._dispatch,
                IntervalTrigger(seconds=self._dispatch_every),
                id="dispatcher",
                name="dispatcher",
                # A long pass (a backlog) overlaps the next runs, which return at once: no
                # "maximum number of running instances reached" warning every few seconds.
                max_instances=2,
                next_run_time=datetime.now(UTC),  # APScheduler's own timing
            )
            for job in self._planners:
                self._scheduler.add_job(
                    self._plan,
                    job.trigger,
                    args=[job],
                    id=f"planner:{job.name}",
                    name=job.name,
                )
            self._scheduler.start()
            self._started = True
        logger.info(
            "scheduler started: dispatcher every %.1f s, %d planners",
            self._dispatch_every,
            len(self._planners),
        )

    def shutdown(self) -> None:
        with self._lock:
            if not self._started:
                return
            self._started = False
        self.dispatcher.stop()
        self._scheduler.shutdown(wait=True)
        logger.info("scheduler stopped")

    def _plan(self, job: PlannerJob) -> None:
        now = self._runtime.clock.now()
        run_planner(self._runtime, job, now, streak=self._planner_failures[job.name])

    def _dispatch(self) -> None:
        if not self._passing.acquire(blocking=False):
            return  # the pass in progress sends everything due anyway
        try:
            report = self.dispatcher.run_pass()
        except Exception as error:
            self._dispatch_failures.failed(error, at=self._runtime.clock.now())
            return
        finally:
            self._passing.release()
        self._dispatch_failures.succeeded()
        if report.sent or report.failed or report.retried or report.rate_limited:
            logger.info("dispatch pass: %s", report.summary())
