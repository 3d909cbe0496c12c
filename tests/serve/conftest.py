"""Fixtures of the ``chainrule serve`` tests: a folder with a finished run, and a server on a free port."""

from __future__ import annotations

import contextlib
import http.client
import json
import subprocess
import sys
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from chainrule.serve import make_server

# a run that trains in about a second
TINY = ["--dataset", "moons", "--n-samples", "200", "--hidden", "4", "--batch-size", "32", "--quiet"]


def train(out: Path, *flags: str, wait: bool = True) -> Any:
    """``chainrule train`` in a fresh interpreter writing the run folder ``out``."""
    cmd = [sys.executable, "-m", "chainrule", "train", *TINY, "--out", str(out), *flags]
    if not wait:
        return subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    p = subprocess.run(cmd, capture_output=True, text=True, timeout=300)
    assert p.returncode == 0, p.stderr
    return p


@pytest.fixture(scope="session")
def runs_root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A folder ``runs/`` holding one finished run ``moons-a`` (3 epochs) and one under ``group/b``."""
    root = tmp_path_factory.mktemp("serve") / "runs"
    train(root / "moons-a", "--epochs", "3")
    train(root / "group" / "b", "--epochs", "2", "--seed", "1")
    (root / "not-a-run").mkdir()
    (root / "not-a-run" / "notes.txt").write_text("hello")
    return root


@dataclass
class Server:
    """A running server: its port and helpers for raw requests."""

    port: int
    app: Any

    def request(self, method: str, path: str, body: bytes | str | None = None, host: str | None = "default",
                headers: dict[str, str] | None = None) -> tuple[int, dict[str, str], bytes]:
        """(status, headers, body) of one request; ``host``: the Host header (None: send none)."""
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        try:
            conn.putrequest(method, path, skip_host=True, skip_accept_encoding=True)
            if host == "default":
                host = f"127.0.0.1:{self.port}"
            if host is not None:
                conn.putheader("Host", host)
            data = body.encode() if isinstance(body, str) else body
            for k, v in (headers or {}).items():
                conn.putheader(k, v)
            if data is not None and "Content-Length" not in (headers or {}):
                conn.putheader("Content-Length", str(len(data)))
            conn.endheaders(data)
            r = conn.getresponse()
            return r.status, {k.lower(): v for k, v in r.getheaders()}, r.read()
        finally:
            conn.close()

    def json(self, method: str, path: str, obj: Any = None, **kw: Any) -> tuple[int, Any]:
        """(status, decoded JSON body)."""
        body = None if obj is None else json.dumps(obj)
        status, _, data = self.request(method, path, body, **kw)
        return status, json.loads(data)

    @contextlib.contextmanager
    def events(self, path: str) -> Iterator[Any]:
        """An open Server-Sent Events stream; yields a function returning the next (event, data)."""
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        conn.request("GET", path, headers={"Host": f"127.0.0.1:{self.port}"})
        r = conn.getresponse()
        assert r.status == 200 and r.getheader("Content-Type") == "text/event-stream"

        def next_event() -> tuple[str, Any]:
            event, data = None, None
            while True:
                line = r.fp.readline().decode()
                if line == "":
                    raise EOFError("the event stream ended")
                line = line.rstrip("\n")
                if line.startswith("event: "):
                    event = line[7:]
                elif line.startswith("data: "):
                    data = json.loads(line[6:])
                elif line == "" and event is not None:
                    return event, data
        try:
            yield next_event
        finally:
            conn.close()


@contextlib.contextmanager
def running(folder: Path) -> Iterator[Server]:
    """A server for ``folder`` on a free port of 127.0.0.1, serving from a thread."""
    server, app = make_server(str(folder), "127.0.0.1", 0)
    t = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    t.start()
    try:
        yield Server(server.server_address[1], app)
    finally:
        app.shutdown()
        server.shutdown()
        server.server_close()
        t.join(5)


@pytest.fixture
def server(runs_root: Path) -> Iterator[Server]:
    """A server of ``runs_root``."""
    with running(runs_root) as s:
        yield s
