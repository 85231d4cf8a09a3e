"""A real Chroma server (the installed `chroma run`) on 127.0.0.1, started and stopped by tests."""
from __future__ import annotations

import os
import signal
import socket
import subprocess
import time
import urllib.request
from pathlib import Path

import pytest

from tests.conftest import ROOT

CHROMA = Path(os.environ.get("VIRTUAL_ENV", ROOT / ".venv")) / "bin" / "chroma"
if not CHROMA.exists():
    CHROMA = ROOT / ".venv" / "bin" / "chroma"
START_TIMEOUT = 45.0


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _heartbeat(port: int) -> bool:
    for path in ("/api/v2/heartbeat", "/api/v1/heartbeat"):
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}{path}", timeout=1) as r:
                if r.status == 200:
                    return True
        except Exception:
            continue
    return False


class ChromaServer:
    def __init__(self, path: Path, port: int, log: Path) -> None:
        self.path, self.port, self.log = path, port, log
        self.proc: subprocess.Popen | None = None

    def start(self) -> None:
        assert self.proc is None
        deadline = time.monotonic() + START_TIMEOUT
        while True:  # the port may still be held for a moment after a stop
            with open(self.log, "ab") as log:
                self.proc = subprocess.Popen(
                    [str(CHROMA), "run", "--path", str(self.path), "--host", "127.0.0.1", "--port", str(self.port)],
                    stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
                    env={**os.environ, "ANONYMIZED_TELEMETRY": "False"},
                )
            while time.monotonic() < deadline and self.proc.poll() is None:
                if _heartbeat(self.port):
                    return
                time.sleep(0.2)
            if self.proc.poll() is None or time.monotonic() >= deadline:
                self.stop()
                pytest.fail(f"chroma server did not answer its heartbeat within {START_TIMEOUT}s; "
                            f"log:\n{self.log.read_text(errors='replace')[-2000:]}")
            self.proc = None
            time.sleep(0.5)  # exited early (port busy?): try again until the deadline

    def stop(self) -> None:
        proc, self.proc = self.proc, None
        if proc is None or proc.poll() is not None:
            return
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=10)
        deadline = time.monotonic() + 10
        while _heartbeat(self.port) and time.monotonic() < deadline:
            time.sleep(0.1)
