"""`wenming serve` starts the background worker beside the web server and stops it with the
server: on SIGTERM (a service manager's stop) and, on Linux, when the server is killed outright."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

pytestmark = pytest.mark.skipif(sys.platform != "linux", reason="reads /proc (Linux only)")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _worker_of(parent: int) -> int | None:
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
            cmdline = (entry / "cmdline").read_bytes()
        except OSError:
            continue
        ppid = int(stat.rsplit(")", 1)[1].split()[1])
        if ppid == parent and b"wenming.cli\x00worker" in cmdline:
            return int(entry.name)
    return None


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


def _wait(predicate, seconds: float) -> bool:
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        if predicate():
            return True
        time.sleep(0.2)
    return False


@pytest.fixture(scope="module")
def data_dir(tmp_path_factory):
    """One data directory for both runs: the database is migrated once."""
    return tmp_path_factory.mktemp("serve")


@pytest.fixture
def server(data_dir):
    env = dict(os.environ, WENMING_DATA_DIR=str(data_dir), WENMING_HTTPS="0")
    env.pop("DATABASE_URL", None)  # its own SQLite file in tmp_path
    process = subprocess.Popen(
        [sys.executable, "-m", "wenming.cli", "serve", "--port", str(_free_port())],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    end = time.monotonic() + 90
    worker = _worker_of(process.pid)
    while worker is None and time.monotonic() < end:
        time.sleep(0.2)
        worker = _worker_of(process.pid)
    yield process, worker
    if process.poll() is None:
        process.kill()
        process.wait()
    if worker is not None and _alive(worker):
        os.kill(worker, signal.SIGKILL)


@pytest.mark.parametrize("how", [signal.SIGTERM, signal.SIGKILL])
def test_the_worker_stops_with_the_server(server, how):
    process, worker = server
    assert worker, "the server started no background worker"
    process.send_signal(how)
    process.wait(timeout=30)
    assert _wait(lambda: not _alive(worker), 20), f"worker {worker} still running"
