"""The `liaison simulate` front end: an interactive prompt, or a script and its transcript."""

from __future__ import annotations

import logging
import tempfile
from datetime import UTC, datetime, timedelta
from pathlib import Path

from rich.console import Console

from bot.sandbox.session import FORMS, Sandbox

WORDS = [
    "/partner ", "as ", "in ", "say ", "reply ", "advance ", "react ", "unreact ", "click ",
    "submit ", "cancel", "inbox", "channel ", "home", "time", "help", "quit",
]  # fmt: skip


def _quiet_logs(log_path: Path) -> None:
    """Liaison's own log goes to a file so the transcript shows only what people see."""
    root = logging.getLogger()
    root.handlers[:] = [logging.FileHandler(log_path)]
    root.setLevel(logging.INFO)
    for noisy in ("alembic.runtime.migration", "httpx", "urllib3"):
        logging.getLogger(noisy).setLevel(logging.WARNING)


def run_script(sandbox: Sandbox, script: Path) -> int:
    """Each line echoed after the prompt, then what it caused. Exit code 1 if any line failed."""
    failures = 0
    in_narration = False
    for number, line in enumerate(script.read_text().splitlines(), start=1):
        narration = line.lstrip().startswith("#")
        if line.strip() and not narration:
            sandbox.console.print(f"\n[bold green]{sandbox.prompt}[/bold green]{line.strip()}")
        elif narration and not in_narration:
            sandbox.console.print()  # a paragraph of narration starts
        in_narration = narration
        if not sandbox.run_line(line):
            failures += 1
            sandbox.console.print(f"[red]  (line {number} of {script})[/red]")
    if failures:
        sandbox.console.print(f"\n[red bold]{failures} line(s) failed.[/red bold]")
    return 1 if failures else 0


def run_interactive(sandbox: Sandbox, history: Path) -> int:
    try:
        import readline
    except ImportError:  # Windows: no completion or history, the prompt still works
        readline = None  # type: ignore[assignment]
    if readline is not None:
        readline.set_completer(_completer(sandbox))
        readline.parse_and_bind("tab: complete")
        readline.set_completer_delims("")
        if history.exists():
            readline.read_history_file(history)
    sandbox.console.print(
        "[bold]Liaison sandbox[/bold] — workspace Acme, no Slack needed. "
        "You are ana (admin) in #partnerships. Type `help` for what you can do, "
        "`/partner help` for Liaison's commands."
    )
    try:
        while True:
            try:
                line = input(sandbox.prompt)
            except EOFError:
                break
            except KeyboardInterrupt:
                sandbox.console.print()
                continue
            if line.strip() in ("quit", "exit"):
                break
            try:
                sandbox.run_line(line)
            except Exception:  # the sandbox never crashes on input
                logging.getLogger(__name__).exception("sandbox line failed: %s", line)
                sandbox.console.print("[red]✗ That line broke the sandbox; see the log.[/red]")
    finally:
        if readline is not None:
            readline.write_history_file(history)
    return 0


def _completer(sandbox: Sandbox):  # type: ignore[no-untyped-def]
    def complete(text: str, state: int) -> str | None:
        names = [u.name for u in sandbox.fake.users.values() if not u.is_bot]
        candidates = WORDS + [f"as {n}" for n in names] + [f"inbox {n}" for n in names]
        matches = [c for c in candidates if c.startswith(text)]
        return matches[state] if state < len(matches) else None

    return complete


def coming_monday(now: datetime) -> datetime:
    """08:00 UTC on the next Monday (today, if it is Monday before 08:00)."""
    monday = (now + timedelta(days=(7 - now.weekday()) % 7)).replace(
        hour=8, minute=0, second=0, microsecond=0
    )
    return monday if monday >= now else monday + timedelta(days=7)


def simulate(*, db: Path | None, fresh: bool, script: Path | None, start: str | None) -> int:
    # emoji=False: `:four:` must stay as typed (it is a reaction name, not decoration).
    console = Console(highlight=False, emoji=False, soft_wrap=script is not None)
    started = datetime.fromisoformat(start) if start else None
    if started is not None and started.tzinfo is None:
        started = started.replace(tzinfo=UTC)
    with tempfile.TemporaryDirectory(prefix="liaison-story-") as scratch:
        if script is not None:
            # A story starts from scratch on a Monday morning, however often it is replayed.
            db = db or Path(scratch) / "story.db"
            started = started or coming_monday(datetime.now(UTC))
        db = db or Path("liaison-sandbox.db")
        _quiet_logs(db.with_suffix(".log"))
        sandbox = Sandbox(db_path=db, console=console, fresh=fresh, start=started)
        try:
            if script is not None:
                return run_script(sandbox, script)
            return run_interactive(sandbox, db.with_suffix(".history"))
        finally:
            sandbox.close()


__all__ = ["FORMS", "simulate"]
