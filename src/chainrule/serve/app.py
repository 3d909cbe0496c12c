"""The state a ``chainrule serve`` process shares between its request threads: runs, playgrounds, Host names."""

from __future__ import annotations

import secrets
import threading
import time
from typing import Any

from .runs import RunFolder

__all__ = ["ServeApp", "HTTPError", "MAX_PLAYGROUNDS", "IDLE_SECONDS"]

MAX_PLAYGROUNDS = 8             # live playground models in one server (one per tab)
IDLE_SECONDS = 120.0            # a playground nobody watches or touches for this long is closed


class HTTPError(Exception):
    """A request refused with ``status`` and a message for the page."""

    def __init__(self, status: int, message: str) -> None:
        """``status``: the HTTP status code; ``message``: one sentence for the user."""
        super().__init__(message)
        self.status = status


class ServeApp:
    """The state shared by the request threads: the run folder, the playgrounds, the allowed Host headers."""

    def __init__(self, folder: str) -> None:
        """``folder``: the folder whose run folders are shown."""
        self.runs = RunFolder(folder)
        self.playgrounds: dict[str, Any] = {}
        self.lock = threading.Lock()
        self.hosts: set[str] = set()
        self.stopping = threading.Event()
        self._reaper = threading.Thread(target=self._reap_forever, name="chainrule-serve-reaper", daemon=True)
        self._reaper.start()

    def _reap_forever(self) -> None:
        while not self.stopping.wait(IDLE_SECONDS / 4):
            self.reap()

    def allow_hosts(self, host: str, port: int) -> None:
        """Accept Host headers naming this server: ``host:port`` (and localhost/127.0.0.1/[::1] for a loopback
        or wildcard bind)."""
        names = {host.lower()}
        if host in ("127.0.0.1", "localhost", "::1", "0.0.0.0", "::"):
            names |= {"127.0.0.1", "localhost", "[::1]"}
        if host in ("0.0.0.0", "::"):  # every interface: this machine's names and addresses too
            import socket
            name = socket.gethostname()
            names |= {name.lower(), socket.getfqdn().lower()}
            try:
                names |= {info[4][0] for info in socket.getaddrinfo(name, None)}
            except OSError:
                pass
        if ":" in host and not host.startswith("["):
            names.add(f"[{host}]")
        self.hosts = {f"{n}:{port}" for n in names} | ({n for n in names} if port == 80 else set())

    # --- playgrounds ----------------------------------------------------------------------------------------
    def new_playground(self, settings: Any) -> tuple[str, Any]:
        """Create a playground (refused with a clear message beyond MAX_PLAYGROUNDS); return (id, it)."""
        from .playground import Playground

        self.reap()
        with self.lock:
            if len(self.playgrounds) >= MAX_PLAYGROUNDS:
                raise HTTPError(503, f"{MAX_PLAYGROUNDS} playgrounds are open already (one per tab); close a tab "
                                "or wait two minutes for an idle one to close.")
        pg = Playground(settings)
        key = secrets.token_hex(8)
        with self.lock:
            self.playgrounds[key] = pg
        return key, pg

    def playground(self, key: str) -> Any:
        """The playground ``key`` (404 if unknown or closed)."""
        with self.lock:
            pg = self.playgrounds.get(key)
        if pg is None:
            raise HTTPError(404, "This playground no longer exists (closed after two idle minutes, or the server "
                            "restarted); reload the page.")
        pg.last_seen = time.monotonic()
        return pg

    def close_playground(self, key: str) -> None:
        """Stop and forget playground ``key``."""
        with self.lock:
            pg = self.playgrounds.pop(key, None)
        if pg is not None:
            pg.close()

    def reap(self) -> None:
        """Close the playgrounds idle for longer than IDLE_SECONDS."""
        now = time.monotonic()
        with self.lock:
            idle = [k for k, pg in self.playgrounds.items()
                    if now - pg.last_seen > IDLE_SECONDS and not getattr(pg, "watchers", 0)]
        for k in idle:
            self.close_playground(k)

    def shutdown(self) -> None:
        """Close every playground (Ctrl-C)."""
        self.stopping.set()
        for k in list(self.playgrounds):
            self.close_playground(k)
