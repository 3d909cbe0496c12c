"""The server of ``chainrule serve``: pages, assets, run endpoints, live run events, and what it refuses."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from chainrule.serve.runs import RunFolder, checkpoint_state
from chainrule.serve.server import MAX_BODY

from .conftest import Server, running, train


# --- pages and assets -------------------------------------------------------------------------------------
@pytest.mark.parametrize("path", ["/", "/runs", "/play", "/compare", "/runs/moons-a"])
def test_pages_are_the_app(server: Server, path: str) -> None:
    status, headers, body = server.request("GET", path)
    assert status == 200 and headers["content-type"].startswith("text/html")
    assert b"/static/play.js" in body and b"<script src=\"http" not in body  # no CDN
    assert "default-src 'self'" in headers["content-security-policy"]


@pytest.mark.parametrize("name,ctype", [("app.css", "text/css"), ("common.js", "text/javascript"),
                                        ("runs.js", "text/javascript"), ("play.js", "text/javascript"),
                                        ("favicon.svg", "image/svg+xml")])
def test_assets(server: Server, name: str, ctype: str) -> None:
    status, headers, body = server.request("GET", f"/static/{name}")
    assert status == 200 and headers["content-type"].startswith(ctype) and len(body) > 100
    body = body.replace(b'xmlns="http://www.w3.org/2000/svg"', b"")
    assert b"https://" not in body and b"http://" not in body  # works offline: nothing fetched from elsewhere


def test_head_has_no_body(server: Server) -> None:
    status, headers, body = server.request("HEAD", "/static/app.css")
    assert status == 200 and int(headers["content-length"]) > 100 and body == b""


@pytest.mark.parametrize("path", ["/static/../server.py", "/static/..%2fserver.py", "/static/%2e%2e/runs.py",
                                  "/static/", "/static/static/app.css", "/static//etc/passwd", "/etc/passwd",
                                  "/static/__init__.py", "/nothing"])
def test_assets_outside_the_list_are_refused(server: Server, path: str) -> None:
    status, _, body = server.request("GET", path)
    assert status == 404, body
    assert b"import" not in body and b"root:" not in body
    assert "error" in json.loads(body)


# --- runs ---------------------------------------------------------------------------------------------------
def test_runs_list(server: Server, runs_root: Path) -> None:
    status, d = server.json("GET", "/api/runs")
    assert status == 200 and d["folder"] == str(runs_root.resolve())
    rows = {r["name"]: r for r in d["runs"]}
    assert set(rows) == {"moons-a", "group/b"}   # not-a-run has no config or checkpoint
    a = rows["moons-a"]
    assert (a["dataset"], a["model"], a["hidden"], a["status"], a["epochs_done"]) == ("moons", "mlp", [4], "done", 3)
    metrics = json.loads((runs_root / "moons-a" / "metrics.json").read_text())
    assert a["metrics"]["test_accuracy"] == metrics["test_accuracy"]
    assert rows["group/b"]["epochs_done"] == 2


def test_run_detail(server: Server, runs_root: Path) -> None:
    status, r = server.json("GET", "/api/runs/moons-a")
    assert status == 200
    history = json.loads((runs_root / "moons-a" / "history.json").read_text())["epochs"]
    assert r["history"] == history and [e["epoch"] for e in r["history"]] == [1, 2, 3]
    assert {"train_loss", "val_loss", "val_accuracy", "lr"} <= set(r["history"][0])
    assert r["config"] == (runs_root / "moons-a" / "config.toml").read_text()
    assert r["report"] == (runs_root / "moons-a" / "report.txt").read_text()
    c = r["confusion"]
    assert c["labels"] == ["0", "1"] and len(c["rows"]) == 2
    n_test = r["final"]["test_accuracy"]
    correct = c["rows"][0][0] + c["rows"][1][1]
    assert correct / sum(map(sum, c["rows"])) == pytest.approx(n_test)
    assert {"network.svg", "graph.svg", "history.json", "config.toml"} <= set(r["files"])
    assert server.json("GET", "/api/runs/group/b")[0] == 200


@pytest.mark.parametrize("name,ctype", [("network.svg", "image/svg+xml"), ("graph.svg", "image/svg+xml"),
                                        ("report.txt", "text/plain"), ("history.csv", "text/csv"),
                                        ("curves.png", "image/png")])
def test_run_files(server: Server, runs_root: Path, name: str, ctype: str) -> None:
    status, headers, body = server.request("GET", f"/api/runs/moons-a/files/{name}")
    assert status == 200 and headers["content-type"].startswith(ctype)
    assert body == (runs_root / "moons-a" / name).read_bytes()


@pytest.mark.parametrize("path", [
    "/api/runs/moons-a/files/checkpoint.safetensors",       # not one of the served files
    "/api/runs/moons-a/files/../../../etc/passwd",
    "/api/runs/moons-a/files/..%2F..%2F..%2Fetc%2Fpasswd",
    "/api/runs/..%2F..%2F..%2Fetc/files/passwd",
    "/api/runs/../moons-a/files/report.txt",
    "/api/runs/%2Fetc/files/passwd",
    "/api/runs/not-a-run/files/notes.txt",
    "/api/runs/not-a-run",
    "/api/runs/.",
    "/api/runs/",
    "/api/runs/group",
    "/api/runs/moons-a%00/files/report.txt",
    "/api/runs/moons-a/files/report.txt%00.svg",
])
def test_traversal_and_foreign_files_are_refused(server: Server, path: str) -> None:
    status, _, body = server.request("GET", path)
    assert status == 404, (path, body[:200])
    assert b"root:" not in body and b"chainrule run report" not in body


def test_symlinks_out_of_the_folder_are_refused(tmp_path: Path, runs_root: Path) -> None:
    root = tmp_path / "runs"
    root.mkdir()
    secret = tmp_path / "secret"
    secret.mkdir()
    (secret / "config.toml").write_text("dataset = 'moons'\n")
    (secret / "report.txt").write_text("secret report")
    (root / "link").symlink_to(secret, target_is_directory=True)
    (root / "real").mkdir()
    (root / "real" / "config.toml").write_text("dataset = 'moons'\n")
    (root / "real" / "report.txt").symlink_to(secret / "report.txt")
    with running(root) as s:
        assert [r["name"] for r in s.json("GET", "/api/runs")[1]["runs"]] == ["real"]
        for path in ("/api/runs/link", "/api/runs/link/files/report.txt", "/api/runs/real/files/report.txt"):
            status, _, body = s.request("GET", path)
            assert status == 404 and b"secret" not in body, path


def test_a_missing_folder_is_an_empty_list(tmp_path: Path) -> None:
    with running(tmp_path / "nothing-yet") as s:
        assert s.json("GET", "/api/runs")[1]["runs"] == []


def test_checkpoint_only_folder(tmp_path: Path, runs_root: Path) -> None:
    """A folder holding just a run checkpoint (a playground export) is listed from the checkpoint's header."""
    (tmp_path / "x").mkdir()
    (tmp_path / "x" / "checkpoint.safetensors").write_bytes((runs_root / "moons-a" / "checkpoint.safetensors").read_bytes())
    row = RunFolder(str(tmp_path)).summary("x")
    assert row is not None and (row["dataset"], row["model"], row["status"], row["epochs_done"]) == ("moons", "mlp", "done", 3)


def test_checkpoint_state_reads_only_the_header(runs_root: Path) -> None:
    state = checkpoint_state(str(runs_root / "moons-a" / "checkpoint.safetensors"))
    history = json.loads((runs_root / "moons-a" / "history.json").read_text())
    assert state is not None and state["status"] == "done" and state["history"] == history["epochs"]
    assert checkpoint_state(str(runs_root / "moons-a" / "config.toml")) is None
    assert checkpoint_state(str(runs_root / "missing")) is None


def test_live_run_events(tmp_path: Path) -> None:
    """A run trained while the event stream is open: "runs" events name it, and its history grows."""
    root = tmp_path / "runs"
    root.mkdir()
    with running(root) as s, s.events("/api/events") as next_event:
        assert next_event() == ("hello", {"runs": []})
        # enough steps per epoch (about 50 ms) that the 0.5 s poll sees the run while it trains
        proc = train(root / "live", "--epochs", "40", "--n-samples", "4000", "--batch-size", "4", wait=False)
        seen_epochs = []
        try:
            while True:
                event, data = next_event()
                assert event == "runs" and data["changed"] == ["live"]
                r = s.json("GET", "/api/runs/live")[1]
                seen_epochs.append(len(r["history"]))
                if r["status"] == "done":
                    break
        finally:
            proc.wait(120)
        assert proc.returncode == 0
        assert seen_epochs[-1] == 40 and seen_epochs == sorted(seen_epochs)
        assert len(set(seen_epochs)) >= 2  # seen while training, not only at the end


# --- what the server refuses ---------------------------------------------------------------------------------
@pytest.mark.parametrize("host", ["evil.example:8000", "evil.example", "127.0.0.1", "127.0.0.1:1", "", None,
                                  "127.0.0.1:{port}.evil.example", "localhost:{port}@evil"])
def test_foreign_host_headers_are_refused(server: Server, host: str | None) -> None:
    h = None if host is None else host.format(port=server.port)
    for path in ("/", "/api/runs", "/api/runs/moons-a/files/report.txt", "/static/app.css"):
        status, _, body = server.request("GET", path, host=h)
        assert status == 421 and "not this server" in json.loads(body)["error"], (h, path)
    status, _, _ = server.request("POST", "/api/play", "{}", host=h)
    assert status == 421


@pytest.mark.parametrize("host", ["127.0.0.1:{port}", "localhost:{port}", "LOCALHOST:{port}", "[::1]:{port}"])
def test_own_host_names_are_accepted(server: Server, host: str) -> None:
    assert server.request("GET", "/api/runs", host=host.format(port=server.port))[0] == 200


def test_oversized_bodies_are_refused(server: Server) -> None:
    big = json.dumps({"settings": {"dataset": "moons", "pad": "x" * (MAX_BODY + 10)}})
    status, headers, body = server.request("POST", "/api/play", big)
    assert status == 413 and str(MAX_BODY) in json.loads(body)["error"]
    # a claimed length alone is refused before anything is read
    status, _, body = server.request("POST", "/api/play", b"{}", headers={"Content-Length": str(10**9)})
    assert status == 413
    status, _, _ = server.request("POST", "/api/play", b"{}", headers={"Content-Length": "ten"})
    assert status == 400
    status, _, _ = server.request("POST", "/api/play", b"{}", headers={"Transfer-Encoding": "chunked"})
    assert status == 411
    assert server.request("GET", "/api/runs")[0] == 200  # still serving


@pytest.mark.parametrize("body", ["{", "not json", "\xff\xfe", '{"settings": {"lr": NaN', "[1, 2"])
def test_malformed_json_is_refused(server: Server, body: str) -> None:
    status, _, data = server.request("POST", "/api/play", body.encode("latin-1"))
    assert status == 400 and "JSON" in json.loads(data)["error"]


@pytest.mark.parametrize("body", ["[]", '"text"', "3"])
def test_json_that_is_not_an_object_is_refused(server: Server, body: str) -> None:
    status, data = server.json("POST", "/api/play", json.loads(body))
    assert status == 400 and "JSON object" in data["error"]


def test_other_methods(server: Server) -> None:
    assert server.request("PUT", "/api/runs", "{}")[0] == 405
    assert server.request("POST", "/api/runs", "{}")[0] == 404
    assert server.request("DELETE", "/api/runs/moons-a")[0] == 404
    assert server.request("GET", "/" + "a" * 5000)[0] == 414


# --- the command ----------------------------------------------------------------------------------------------
def test_help_shows_serve() -> None:
    p = subprocess.run([sys.executable, "-m", "chainrule", "--help"], capture_output=True, text=True, timeout=60)
    assert p.returncode == 0 and "serve" in p.stdout
    p = subprocess.run([sys.executable, "-m", "chainrule", "serve", "--help"], capture_output=True, text=True,
                       timeout=60)
    assert p.returncode == 0 and all(w in p.stdout for w in ("FOLDER", "--port", "--host", "--open"))


def test_bad_port_is_a_user_error() -> None:
    p = subprocess.run([sys.executable, "-m", "chainrule", "serve", "--port", "70000"], capture_output=True,
                       text=True, timeout=60)
    assert p.returncode == 2 and "port" in p.stderr and "Traceback" not in p.stderr


def test_serve_starts_and_ctrl_c_stops_it(tmp_path: Path) -> None:
    env = dict(os.environ, PYTHONUNBUFFERED="1")
    proc = subprocess.Popen([sys.executable, "-m", "chainrule", "serve", str(tmp_path), "--port", "0"],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
    try:
        line = proc.stdout.readline()
        assert "http://127.0.0.1:" in line, (line, proc.stderr.read() if proc.poll() is not None else "")
        port = int(line.split("http://127.0.0.1:")[1].split("/")[0])
        s = Server(port, None)
        assert s.request("GET", "/api/runs")[0] == 200
        with s.events("/api/events") as next_event:   # an open stream does not keep it from stopping
            next_event()
            time.sleep(0.2)
            proc.send_signal(signal.SIGINT)
            out, err = proc.communicate(timeout=20)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == 0, err
    assert "stopping" in out and "Traceback" not in err
