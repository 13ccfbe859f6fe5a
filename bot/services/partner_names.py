"""The fuzzy name index of each workspace's partners, cached per process, kept in step across
replicas by the workspace's registry version.

Exact name resolution never depends on this cache: it is a database lookup of the normalized
name (see `registry`). The index only proposes "Did you mean …?" candidates and likely
duplicates, and every candidate it proposes is read back from the database before it is shown.
So a slightly stale index costs at most a missed suggestion, never a wrong answer.

Freshness: every transaction that changes names or aliases bumps `registry_version` and, after
commit, tells this cache which partners changed (`changed`), so the replica that made a change
updates its index in place. Another replica notices the bumped version on its next lookup and
rebuilds. Building is about 40 µs per label (0.4 s at 10,000 labels, 4 s at 100,000), too slow
for the 3-second ack of a big workspace, so above `sync_build_limit` labels a stale index keeps
answering while a fresh one is built in the background; a workspace with no index yet gets
exact answers only until its first build finishes.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

from sqlalchemy.engine import Connection, Engine
from sqlmodel import Session

from bot.naming import Match, NameIndex
from storage import partners as store

logger = logging.getLogger(__name__)

# Labels up to which an index is rebuilt on the request path (about 0.8 s).
SYNC_BUILD_LIMIT = 20_000


@dataclass
class _Cached:
    version: int
    index: NameIndex
    # NameIndex is not thread-safe; lookups and in-place changes take turns.
    lock: threading.Lock = field(default_factory=threading.Lock)


class PartnerNames:
    """One `NameIndex` per workspace for the whole process. Safe to share between threads."""

    def __init__(self, *, sync_build_limit: int = SYNC_BUILD_LIMIT) -> None:
        self.sync_build_limit = sync_build_limit
        self._cached: dict[str, _Cached] = {}
        self._builds: dict[str, threading.Thread] = {}
        self._lock = threading.Lock()

    def lookup(self, session: Session, *, team_id: str, query: str, limit: int = 3) -> list[Match]:
        """The workspace's partners whose names or aliases `query` may mean, best first.

        Reads the version (and, for a small workspace, the labels) through `session`, so a
        caller in the middle of a transaction does not take a second connection.
        """
        cached = self._fresh_enough(session, team_id)
        if cached is None:
            return []
        with cached.lock:
            return cached.index.lookup(query, limit=limit)

    def answering(self, session: Session, *, team_id: str, name: str) -> list[Match]:
        """The workspace's partners that `name` already stands for under any of its keys
        (`NameIndex.answering`): what a new name or alias must not be of another partner."""
        cached = self._fresh_enough(session, team_id)
        if cached is None:
            return []
        with cached.lock:
            return cached.index.answering(name)

    def extending(
        self,
        session: Session,
        *,
        team_id: str,
        query: str,
        limit: int = 3,
        same_length: bool = False,
    ) -> list[Match]:
        """The workspace's partners whose names or aliases start with the words of `query`
        (`NameIndex.extending`)."""
        cached = self._fresh_enough(session, team_id)
        if cached is None:
            return []
        with cached.lock:
            return cached.index.extending(query, limit=limit, same_length=same_length)

    def candidates(
        self, session: Session, *, team_id: str, query: str, limit: int = 3
    ) -> list[Match]:
        """The partners a name that is no partner's exact name or alias may stand for, best
        first: its near misses (`lookup`: typos, word order) or, when there are none, the
        names it is the start or a short form of (`extending`: "Oxfam Intl", "Oxfamm" →
        "Oxfam International"). The one rule behind "Did you mean" and the log form's
        picker."""
        cached = self._fresh_enough(session, team_id)
        if cached is None:
            return []
        return _candidates(cached, query, limit=limit)

    def likely_duplicates(
        self, session: Session, *, team_id: str, name: str, limit: int = 3
    ) -> list[Match]:
        """The partners a name about to be registered likely duplicates (`NameIndex.duplicates`,
        where the rule is), for `add`'s "is it one of these?"."""
        cached = self._fresh_enough(session, team_id)
        if cached is None:
            return []
        with cached.lock:
            return cached.index.duplicates(name, limit=limit)

    def offers(self, engine: Engine, *, team_id: str, query: str) -> bool:
        """Whether `candidates` has partners to offer for `query`, as this process's index has
        it (`known_keys`: no query of the database once it is built). False while a large
        workspace's first index is being built."""
        cached = self._as_is(engine, team_id)
        return cached is not None and bool(_candidates(cached, query, limit=1))

    def changed(self, *, team_id: str, version: int, labels: Mapping[int, Sequence[str]]) -> None:
        """After commit: the transaction that made `version` gave these partners these labels.

        A partner with no labels was deleted. Applied in place when this index is at the
        version just before; otherwise the index is dropped and rebuilt on the next lookup.
        """
        with self._lock:
            cached = self._cached.get(team_id)
            if cached is None:
                return
            if cached.version != version - 1:
                del self._cached[team_id]
                return
            with cached.lock:
                for partner_id, partner_labels in labels.items():
                    cached.index.remove_partner(partner_id)
                    _add_labels(cached.index, partner_id, partner_labels)
                cached.version = version

    def known_keys(self, engine: Engine, *, team_id: str, keys: Iterable[str]) -> set[str]:
        """Which of `keys` a partner of the workspace goes by (name or alias), as this
        process's index has it: built once if there is none (the database answers while a
        large one is built in the background), then not checked against the registry's
        version, so a change another process made shows once this one next looks a name up.
        Its own changes show at once (`changed`)."""
        cached = self._as_is(engine, team_id)
        if cached is None:
            with Session(engine) as session:
                return store.known_keys(session=session, team_id=team_id, keys=set(keys))
        with cached.lock:
            return {key for key in keys if cached.index.has_key(key)}

    def cached_version(self, team_id: str) -> int | None:
        """The registry version this process's index of the workspace is at (None: no index)."""
        with self._lock:
            cached = self._cached.get(team_id)
            return None if cached is None else cached.version

    def wait_for_builds(self, timeout: float = 30.0) -> None:
        """Wait for background builds to finish (tests, orderly shutdown)."""
        with self._lock:
            builds = list(self._builds.values())
        for build in builds:
            build.join(timeout)

    def _as_is(self, engine: Engine, team_id: str) -> _Cached | None:
        """The workspace's index as this process has it, built first if there is none (None
        while a large one is built in the background); not checked against the version."""
        with self._lock:
            cached = self._cached.get(team_id)
        if cached is not None:
            return cached
        with Session(engine) as session:
            return self._fresh_enough(session, team_id)

    def _fresh_enough(self, session: Session, team_id: str) -> _Cached | None:
        version = store.registry_version(session=session, team_id=team_id)
        with self._lock:
            cached = self._cached.get(team_id)
        if cached is not None and cached.version >= version:
            return cached
        if store.label_count(session=session, team_id=team_id) <= self.sync_build_limit:
            return self._store(team_id, _build(session, team_id, version))
        bind = session.get_bind()
        # A SQLite writer session is bound to its kept connection (storage.db.writer_session).
        engine = bind.engine if isinstance(bind, Connection) else bind
        assert isinstance(engine, Engine), "sessions are bound to an engine or a connection"
        self._build_in_background(engine, team_id)
        return cached

    def _store(self, team_id: str, fresh: _Cached) -> _Cached:
        with self._lock:
            current = self._cached.get(team_id)
            if current is not None and current.version >= fresh.version:
                return current
            self._cached[team_id] = fresh
            return fresh

    def _build_in_background(self, engine: Engine, team_id: str) -> None:
        def build() -> None:
            try:
                with Session(engine) as session:
                    version = store.registry_version(session=session, team_id=team_id)
                    self._store(team_id, _build(session, team_id, version))
            except Exception:
                logger.exception("building the partner name index of %s failed", team_id)
            finally:
                with self._lock:
                    self._builds.pop(team_id, None)

        with self._lock:
            if team_id in self._builds:
                return
            thread = threading.Thread(target=build, name=f"name-index-{team_id}", daemon=True)
            self._builds[team_id] = thread
        thread.start()


def _candidates(cached: _Cached, query: str, *, limit: int) -> list[Match]:
    with cached.lock:
        return cached.index.lookup(query, limit=limit) or cached.index.extending(query, limit=limit)


def _build(session: Session, team_id: str, version: int) -> _Cached:
    # Labels are read after the version, so the index is at least as new as its version says.
    index = NameIndex()
    for partner_id, label in store.labels(session=session, team_id=team_id):
        _add_labels(index, partner_id, [label])
    return _Cached(version=version, index=index)


def _add_labels(index: NameIndex, partner_id: int, labels: Sequence[str]) -> None:
    for label in labels:
        try:
            index.add(partner_id, label)
        except ValueError:
            # A label without letters or digits can never be typed back; nothing to index.
            continue
