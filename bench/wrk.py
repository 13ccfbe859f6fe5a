"""Load a Slack endpoint with wrk: signed requests, one replayed or many in turn, on loopback.

Shared by the HTTP benchmarks. wrk comes from the distribution (`apt-get install wrk`).
"""

from __future__ import annotations

import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from bot.sandbox.requests import SlackRequest

ROOT = Path(__file__).resolve().parent.parent


@dataclass(frozen=True)
class WrkResult:
    requests_per_second: float
    p50_ms: float
    p99_ms: float
    non_2xx: int
    errors: int
    requests: int = 0


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _lua_string(text: str) -> str:
    return "[==[" + text + "]==]"


def _ms(value: str, unit: str) -> float:
    return float(value) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[unit]


def run_wrk(
    url: str, request: SlackRequest, *, seconds: int, connections: int = 10, threads: int = 1
) -> WrkResult:
    """Replay `request` against `url` for `seconds`; wrk's own latency percentiles."""
    headers = "\n".join(
        f"wrk.headers[ {_lua_string(k)} ] = {_lua_string(v)}" for k, v in request.headers.items()
    )
    script = f'wrk.method = "POST"\nwrk.body = {_lua_string(request.body)}\n{headers}\n'
    return _wrk(url, script, seconds=seconds, connections=connections, threads=threads)


# Reads the requests written by `run_wrk_cycling` and sends them in turn.
_CYCLING = """
local requests = {}
local counter = 0
init = function(args)
  local file = assert(io.open(%s, "r"))
  while true do
    local count = file:read("*l")
    if not count then break end
    local headers = {}
    for _ = 1, tonumber(count) do
      local name, value = file:read("*l"):match("^([^:]+): (.*)$")
      headers[name] = value
    end
    requests[#requests + 1] = wrk.format("POST", nil, headers, file:read("*l"))
  end
  file:close()
end
request = function()
  counter = counter %% #requests + 1
  return requests[counter]
end
"""


def run_wrk_cycling(
    url: str, requests: Sequence[SlackRequest], *, seconds: int, connections: int = 10
) -> WrkResult:
    """Send `requests` in turn against `url` for `seconds`, so each is new to the server where
    replaying one request would be a no-op (a retry). Give more requests than the run sends."""
    with tempfile.NamedTemporaryFile("w", suffix=".txt", delete=False) as data:
        for request in requests:
            data.write(f"{len(request.headers)}\n")
            data.writelines(f"{name}: {value}\n" for name, value in request.headers.items())
            data.write(request.body + "\n")
    try:
        return _wrk(
            url, _CYCLING % _lua_string(data.name), seconds=seconds, connections=connections
        )
    finally:
        os.unlink(data.name)


def _wrk(url: str, script: str, *, seconds: int, connections: int, threads: int = 1) -> WrkResult:
    if shutil.which("wrk") is None:
        sys.exit("wrk is not installed: apt-get install wrk")
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as lua:
        lua.write(script)
    try:
        output = subprocess.run(
            [
                "wrk",
                f"-t{threads}",
                f"-c{connections}",
                f"-d{seconds}s",
                "--latency",
                "-s",
                lua.name,
                url,
            ],  # fmt: skip
            capture_output=True,
            text=True,
            check=True,
        ).stdout
    finally:
        os.unlink(lua.name)
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1))  # type: ignore[union-attr]
    sent = re.search(r"(\d+) requests in", output)
    p50 = re.search(r"50%\s+([\d.]+)(us|ms|s)", output)
    p99 = re.search(r"99%\s+([\d.]+)(us|ms|s)", output)
    non_2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    errors = re.search(
        r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", output
    )
    return WrkResult(
        requests_per_second=rps,
        p50_ms=_ms(*p50.groups()) if p50 else float("nan"),
        p99_ms=_ms(*p99.groups()) if p99 else float("nan"),
        non_2xx=int(non_2xx.group(1)) if non_2xx else 0,
        errors=sum(int(n) for n in errors.groups()) if errors else 0,
        requests=int(sent.group(1)) if sent else 0,
    )


def cpu_seconds(pid: int) -> float:
    """CPU time a process has used so far, all its threads, user and system (Linux)."""
    # The fields after the command's closing parenthesis; utime and stime are the 12th and 13th.
    fields = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


@contextmanager
def server(
    args: list[str], *, env: dict[str, str], health_url: str
) -> Iterator[subprocess.Popen[str]]:
    """A server process, ready when `health_url` answers (whatever its status); stopped
    afterwards."""
    process = subprocess.Popen(
        [sys.executable, *args],
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT), **env},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        deadline = time.monotonic() + 30
        while True:
            if process.poll() is not None:
                sys.exit(f"server exited: {process.stderr.read() if process.stderr else ''}")
            try:
                urllib.request.urlopen(health_url, timeout=1).read()
                break
            except urllib.error.HTTPError:
                # It answers: up. (The bare baselines have no Liaison schema, so their health
                # check says 503, not migrated; that is no reason to wait.)
                break
            except OSError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.1)
        yield process
    finally:
        process.terminate()
        process.wait(timeout=10)
