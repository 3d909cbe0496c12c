"""The HTTP server of ``chainrule serve``: standard library only (ThreadingHTTPServer + Server-Sent Events).

Endpoints (all GET unless marked)::

    /  /runs  /play                 the page (static/index.html; the front end routes by path)
    /static/<file>                  the page's own assets (a fixed list read from the package)
    /api/runs                       every run below the served folder: dataset, model, status, final metrics
    /api/runs/<run>                 one run: history, metrics, config, report, confusion matrix, files
    /api/runs/<run>/files/<file>    one of the files `chainrule train` writes (pictures, report, histories)
    /api/events                     SSE: "runs" events naming the runs whose files changed (polled mtimes)
    POST /api/play                  a new playground {settings} -> {id, data, snapshot}
    POST /api/play/<id>             {"action": "play"|"pause"|"step"} or {"action": "reset", "settings": {...}}
    /api/play/<id>/events           SSE: a snapshot after every training tick (at most ~25 per second)
    /api/play/<id>/export/<what>    checkpoint (run checkpoint), script (Python), svg (network), data (CSV)
    DELETE /api/play/<id>           close the playground

Safety: the Host header must name the served address (DNS rebinding); request bodies are bounded; only run
files and the package's assets are served; every error is a JSON {"error": message} with a 4xx/5xx status.
"""

from __future__ import annotations

import json
import os
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from importlib import resources
from typing import Any
from urllib.parse import unquote, urlsplit

from ..errors import UserError
from .app import MAX_PLAYGROUNDS, HTTPError, ServeApp
from .runs import SERVED

__all__ = ["make_server", "ServeApp", "MAX_BODY", "MAX_PLAYGROUNDS"]

MAX_BODY = 256 * 1024           # bytes of a request body (custom points are the largest: ~1000 × 3 numbers)
POLL_SECONDS = 0.5              # how often the run folder's mtimes are compared
MAX_RATE = 25.0                 # playground snapshots per second and connection, at most
STATIC = {"index.html": "text/html; charset=utf-8", "app.css": "text/css; charset=utf-8",
          "runs.js": "text/javascript; charset=utf-8", "play.js": "text/javascript; charset=utf-8",
          "common.js": "text/javascript; charset=utf-8", "favicon.svg": "image/svg+xml"}
PAGES = ("/", "/runs", "/play", "/compare")


def _static(name: str) -> bytes:
    return resources.files("chainrule.serve").joinpath("static", name).read_bytes()


class Handler(BaseHTTPRequestHandler):
    """One request: Host check, routing, JSON errors."""

    server_version = "chainrule-serve"
    protocol_version = "HTTP/1.1"
    app: ServeApp
    quiet = True

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002
        """Quiet unless the server was started with logging on."""
        if not self.quiet:
            super().log_message(format, *args)

    # --- plumbing --------------------------------------------------------------------------------------------
    def _send(self, status: int, body: bytes, ctype: str, extra: dict[str, str] | None = None) -> None:
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("X-Content-Type-Options", "nosniff")
        self.send_header("Cache-Control", "no-store")
        self.send_header("Content-Security-Policy", "default-src 'self'; img-src 'self' data:; "
                         "style-src 'self' 'unsafe-inline'; frame-ancestors 'none'")
        for k, v in (extra or {}).items():
            self.send_header(k, v)
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def _json(self, obj: Any, status: int = 200) -> None:
        self._send(status, json.dumps(obj, allow_nan=False, default=_jsonable).encode(), "application/json")

    def _body(self) -> Any:
        length = self.headers.get("Content-Length")
        if self.headers.get("Transfer-Encoding"):
            raise HTTPError(411, "Send the request body with a Content-Length (chunked bodies are not accepted).")
        try:
            n = int(length or 0)
        except ValueError:
            raise HTTPError(400, f"Content-Length {length!r} is not a number.") from None
        if n < 0:
            raise HTTPError(400, "Content-Length is negative.")
        if n > MAX_BODY:
            self.close_connection = True
            raise HTTPError(413, f"The request body has {n} bytes; at most {MAX_BODY} are accepted.")
        raw = self.rfile.read(n) if n else b""
        if not raw:
            return {}
        try:
            return json.loads(raw.decode("utf-8"))
        except (UnicodeDecodeError, ValueError) as e:
            raise HTTPError(400, f"The request body is not valid JSON ({e}).") from None

    def _check_host(self) -> None:
        host = (self.headers.get("Host") or "").strip().lower()
        if host not in self.app.hosts:
            raise HTTPError(421, f"Host {host!r} is not this server's address; open "
                            f"http://{sorted(self.app.hosts)[0]}/ instead.")

    def _dispatch(self, method: str) -> None:
        try:
            self._check_host()
            path = urlsplit(self.path).path
            if len(self.path) > 4096:
                raise HTTPError(414, "The request address is too long.")
            getattr(self, f"_{method}")(path)
        except HTTPError as e:
            self._error(e.status, str(e))
        except UserError as e:
            self._error(400, str(e))
        except (BrokenPipeError, ConnectionResetError):
            self.close_connection = True
        except Exception as e:  # a bug: the page says so, the server keeps serving
            self._error(500, f"Internal error: {type(e).__name__}: {e}")

    def _error(self, status: int, message: str) -> None:
        try:
            if status == 413:  # the unread body would be taken for the next request
                self.close_connection = True
            self._json({"error": message}, status)
        except (BrokenPipeError, ConnectionResetError):
            self.close_connection = True

    def do_GET(self) -> None:  # noqa: N802
        """GET: pages, assets, run data, event streams, exports."""
        self._dispatch("get")

    def do_HEAD(self) -> None:  # noqa: N802
        """HEAD: as GET without the body."""
        self._dispatch("get")

    def do_POST(self) -> None:  # noqa: N802
        """POST: create and control playgrounds."""
        self._dispatch("post")

    def do_DELETE(self) -> None:  # noqa: N802
        """DELETE: close a playground."""
        self._dispatch("delete")

    def do_PUT(self) -> None:  # noqa: N802
        """PUT: not used."""
        self._dispatch("other")

    do_PATCH = do_PUT

    def _other(self, path: str) -> None:
        raise HTTPError(405, f"{self.command} is not supported here.")

    # --- routes ------------------------------------------------------------------------------------------------
    def _get(self, path: str) -> None:
        if path in PAGES or path.startswith("/runs/"):
            return self._send(200, _static("index.html"), STATIC["index.html"])
        if path == "/favicon.ico":
            return self._send(200, _static("favicon.svg"), STATIC["favicon.svg"])
        if path.startswith("/static/"):
            name = path[len("/static/"):]
            if name not in STATIC:
                raise HTTPError(404, f"No asset named {name!r}.")
            return self._send(200, _static(name), STATIC[name])
        if path == "/api/runs":
            runs = self.app.runs
            rows = [r for r in (runs.summary(n) for n in runs.names()) if r is not None]
            return self._json({"folder": runs.root, "runs": rows})
        if path == "/api/events":
            return self._run_events()
        if path.startswith("/api/runs/"):
            return self._run_route(unquote(path[len("/api/runs/"):]))
        if path.startswith("/api/play/"):
            parts = path[len("/api/play/"):].split("/")
            pg = self.app.playground(parts[0])
            if parts[1:] == ["events"]:
                return self._play_events(pg)
            if parts[1:] == []:
                v, snap = pg.snapshot()
                return self._json({"id": parts[0], "data": pg.data(), "snapshot": snap})
            if len(parts) == 3 and parts[1] == "export":
                return self._export(pg, parts[2])
        raise HTTPError(404, f"Nothing at {path!r}.")

    def _run_route(self, rest: str) -> None:
        runs = self.app.runs
        if "/files/" in rest:
            name, _, filename = rest.rpartition("/files/")
            p = runs.file(name, filename)
            if p is None:
                raise HTTPError(404, f"No file {filename!r} in a run {name!r} (only the files `chainrule train` "
                                "writes are served, from run folders below the served folder).")
            with open(p, "rb") as f:
                return self._send(200, f.read(), SERVED[filename])
        detail = runs.detail(rest)
        if detail is None:
            raise HTTPError(404, f"No run {rest!r} below the served folder.")
        return self._json(detail)

    def _post(self, path: str) -> None:
        body = self._body()
        if path == "/api/play":
            if not isinstance(body, dict):
                raise HTTPError(400, "Send the playground settings as a JSON object.")
            key, pg = self.app.new_playground(body.get("settings", {}))
            v, snap = pg.snapshot()
            return self._json({"id": key, "data": pg.data(), "snapshot": snap})
        if path.startswith("/api/play/") and path.count("/") == 3:
            pg = self.app.playground(path.rsplit("/", 1)[1])
            if not isinstance(body, dict) or not isinstance(body.get("action"), str):
                raise HTTPError(400, 'Send {"action": "play" | "pause" | "step" | "reset"}.')
            if body["action"] == "reset":
                pg.reset(body.get("settings"))
                v, snap = pg.snapshot()
                return self._json({"data": pg.data(), "snapshot": snap})
            pg.control(body["action"])
            return self._json({"ok": True, "playing": pg.playing})
        raise HTTPError(404, f"Nothing to POST at {path!r}.")

    def _delete(self, path: str) -> None:
        if path.startswith("/api/play/") and path.count("/") == 3:
            key = path.rsplit("/", 1)[1]
            self.app.playground(key)
            self.app.close_playground(key)
            return self._json({"ok": True})
        raise HTTPError(404, f"Nothing to DELETE at {path!r}.")

    def _export(self, pg: Any, what: str) -> None:
        name = f"playground-{pg.params['dataset']}"
        if what == "checkpoint":
            body, ctype, fname = pg.checkpoint_bytes(), "application/octet-stream", "checkpoint.safetensors"
        elif what == "script":
            body, ctype, fname = pg.script().encode(), "text/x-python; charset=utf-8", f"{name}.py".replace("-", "_")
        elif what == "svg":
            body, ctype, fname = pg.network_svg().encode(), "image/svg+xml", f"{name}.svg"
        elif what == "data":
            data = pg.points_csv()
            if data is None:
                raise HTTPError(404, "Only the surface and custom datasets are read from a CSV; the others are "
                                "generated from their settings.")
            body, ctype, fname = data, "text/csv; charset=utf-8", "points.csv"
        else:
            raise HTTPError(404, f"Unknown export {what!r}; use checkpoint, script, svg or data.")
        self._send(200, body, ctype, {"Content-Disposition": f'attachment; filename="{fname}"'})

    # --- Server-Sent Events --------------------------------------------------------------------------------------
    def _sse_start(self) -> None:
        self.send_response(200)
        self.send_header("Content-Type", "text/event-stream")
        self.send_header("Cache-Control", "no-store")
        self.send_header("X-Accel-Buffering", "no")
        self.end_headers()
        self.close_connection = True

    def _sse(self, event: str, data: Any) -> None:
        self.wfile.write(f"event: {event}\ndata: {json.dumps(data, allow_nan=False, default=_jsonable)}\n\n".encode())
        self.wfile.flush()

    def _run_events(self) -> None:
        """Compare the runs' newest mtimes every POLL_SECONDS; send the names of those that changed."""
        self._sse_start()
        runs, last, quiet = self.app.runs, None, 0.0
        while not self.app.stopping.is_set():
            now = runs.fingerprint()
            if last is None:
                self._sse("hello", {"runs": sorted(now)})
            elif now != last:
                changed = sorted(k for k in set(now) | set(last) if now.get(k) != last.get(k))
                self._sse("runs", {"changed": changed, "runs": sorted(now)})
                quiet = 0.0
            elif quiet > 15:
                self.wfile.write(b": keep-alive\n\n")
                self.wfile.flush()
                quiet = 0.0
            last = now
            quiet += POLL_SECONDS
            self.app.stopping.wait(POLL_SECONDS)

    def _play_events(self, pg: Any) -> None:
        """A snapshot whenever the playground has a new one (at most MAX_RATE per second)."""
        self._sse_start()
        pg.watchers = getattr(pg, "watchers", 0) + 1
        try:
            seen = -1
            first = True
            while not self.app.stopping.is_set() and not pg.closed:
                with pg.lock:
                    if pg.version == seen:
                        pg.changed.wait(10.0)
                    v, snap = pg.version, pg._snap
                pg.last_seen = time.monotonic()
                if v == seen:
                    self.wfile.write(b": keep-alive\n\n")
                    self.wfile.flush()
                    continue
                seen = v
                if first:
                    snap = {**snap, "history": pg.history[-2000:]}
                    first = False
                self._sse("snapshot", snap)
                time.sleep(1.0 / MAX_RATE)
        finally:
            pg.watchers -= 1


def _jsonable(obj: Any) -> Any:
    try:
        return float(obj)
    except (TypeError, ValueError):
        return str(obj)


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 64


def make_server(folder: str, host: str = "127.0.0.1", port: int = 8000, log: bool = False) -> tuple[Any, ServeApp]:
    """A ready (not yet serving) server for ``folder`` on ``host:port`` (port 0: a free port); returns
    (server, app). Serve with ``server.serve_forever()``; stop with ``server.shutdown()`` then
    ``app.shutdown()``."""
    app = ServeApp(folder)
    handler = type("BoundHandler", (Handler,), {"app": app, "quiet": not log})
    if ":" in host:
        import socket

        class _Server6(_Server):
            address_family = socket.AF_INET6
        server: Any = _Server6((host, port), handler)
    else:
        server = _Server((host, port), handler)
    app.allow_hosts(host, server.server_address[1])
    return server, app


def serve(folder: str = "runs", host: str = "127.0.0.1", port: int = 8000, open_browser: bool = False) -> int:
    """Serve until Ctrl-C: the runs below ``folder`` and the playground, on ``host:port``."""
    try:
        from threadpoolctl import threadpool_limits
        threadpool_limits(limits=1, user_api="blas")  # tiny models: threads only contend
    except ImportError:  # pragma: no cover
        pass
    try:
        server, app = make_server(folder, host, port)
    except OSError as e:
        raise UserError(f"Cannot listen on {host}:{port} ({e.strerror or e}). Another program may use the port: "
                        "give another one with --port (or --port 0 for any free port).") from None
    real_port = server.server_address[1]
    shown = f"[{host}]" if ":" in host else host
    url = f"http://{shown}:{real_port}/"
    print(f"chainrule serve: runs in {os.path.abspath(folder)}{'' if os.path.isdir(folder) else ' (none yet)'}; "
          f"open {url}  (Ctrl-C stops)", flush=True)
    if host not in ("127.0.0.1", "localhost", "::1"):
        print(f"chainrule serve: warning: listening on {host}, so other machines can reach this server and train "
              "models on it. There is no login; use 127.0.0.1 unless you mean that.", flush=True)
    if open_browser:
        import webbrowser
        threading.Timer(0.3, webbrowser.open, args=(url,)).start()
    import signal

    def _terminate(signum: int, frame: Any) -> None:
        raise KeyboardInterrupt

    if threading.current_thread() is threading.main_thread():
        signal.signal(signal.SIGTERM, _terminate)  # `kill` stops as cleanly as Ctrl-C
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.2}, daemon=True)
    thread.start()
    try:
        while thread.is_alive():
            thread.join(0.5)
    except KeyboardInterrupt:
        print("\nchainrule serve: stopping", flush=True)
    finally:
        app.shutdown()
        server.shutdown()
        server.server_close()
    return 0
