"""The playground endpoints: settings, play/pause/step/reset, snapshots by SSE, exports, errors and limits."""

from __future__ import annotations

import base64
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from chainrule.serve.app import MAX_PLAYGROUNDS
from chainrule.serve.playground import LIMITS, Playground, check_params

from .conftest import Server


def new(server: Server, **settings: Any) -> tuple[str, dict[str, Any]]:
    status, r = server.json("POST", "/api/play", {"settings": settings})
    assert status == 200, r
    return r["id"], r


def surface(snap: dict[str, Any]) -> np.ndarray:
    return np.frombuffer(base64.b64decode(snap["surface"]), np.uint8)


def until(server: Server, key: str, cond: Any, timeout: float = 60) -> dict[str, Any]:
    t0 = time.monotonic()
    while time.monotonic() - t0 < timeout:
        snap = server.json("GET", f"/api/play/{key}")[1]["snapshot"]
        if cond(snap):
            return snap
        time.sleep(0.05)
    raise AssertionError(f"condition not met within {timeout} s: {snap}")


def test_create(server: Server) -> None:
    key, r = new(server, dataset="moons", hidden=[8, 8], grid=32)
    d, s = r["data"], r["snapshot"]
    assert d["task"] == "classification" and d["classes"] == 2 and d["layers"] == [2, 8, 8, 2]
    assert len(d["train"]) + len(d["test"]) == 600 and abs(len(d["test"]) / 600 - 0.3) < 0.02
    x0, x1, y0, y1 = d["bounds"]
    pts = np.array(d["train"] + d["test"])
    assert (pts[:, 0] > x0).all() and (pts[:, 0] < x1).all() and (pts[:, 1] > y0).all() and (pts[:, 1] < y1).all()
    assert s["step"] == 0 and not s["playing"] and s["error"] is None
    assert len(surface(s)) == 32 * 32
    assert [len(n["values"]) for n in s["neurons"]] == [8, 8]
    assert len(base64.b64decode(s["neurons"][0]["values"][0])) == s["neuron_grid"] ** 2
    assert [np.shape(L["w"]) for L in s["layers"]] == [(8, 2), (8, 8), (2, 8)]
    p = [np.frombuffer(base64.b64decode(o), np.uint8) / 255 for o in s["outputs"]]  # class probabilities
    assert len(p) == 2 and np.allclose(p[0] + p[1], 1, atol=2.5 / 255)
    assert all(L["gw"] is None for L in s["layers"])  # no step yet


def test_weights_are_the_models(server: Server) -> None:
    """The snapshot's weights and neuron pictures are those of the chainrule model in the playground."""
    key, r = new(server, dataset="circles", hidden=[3], activation="tanh", grid=16)
    pg = server.app.playgrounds[key]
    lin = pg.linears[0]
    np.testing.assert_allclose(r["snapshot"]["layers"][0]["w"], lin.weight.detach().numpy(), atol=1e-4)
    # neuron j of layer 1 is tanh(w_j · x + b_j) over the neuron grid, scaled by its largest |value|
    g = pg.neuron_grid.numpy()
    h = np.tanh(g @ lin.weight.detach().numpy().T + lin.bias.detach().numpy())
    got = np.frombuffer(base64.b64decode(r["snapshot"]["neurons"][0]["values"][1]), np.uint8) / 255 * 2 - 1
    np.testing.assert_allclose(got, h[:, 1] / np.abs(h[:, 1]).max(), atol=1 / 255 + 1e-6)


def test_step_pause_play_reset(server: Server) -> None:
    key, r = new(server, steps_per_tick=2)
    assert server.json("POST", f"/api/play/{key}", {"action": "step"}) == (200, {"ok": True, "playing": False})
    s = until(server, key, lambda s: s["step"] == 2)
    assert s["train_loss"] is not None and all(L["gw"] is not None for L in s["layers"])
    assert not np.array_equal(surface(s), surface(r["snapshot"]))
    time.sleep(0.3)
    assert server.json("GET", f"/api/play/{key}")[1]["snapshot"]["step"] == 2  # one step only
    server.json("POST", f"/api/play/{key}", {"action": "play"})
    until(server, key, lambda s: s["step"] >= 40)
    server.json("POST", f"/api/play/{key}", {"action": "pause"})
    paused = until(server, key, lambda s: not s["playing"])["step"]
    time.sleep(0.3)
    assert server.json("GET", f"/api/play/{key}")[1]["snapshot"]["step"] <= paused + 2
    status, r2 = server.json("POST", f"/api/play/{key}", {"action": "reset"})
    assert status == 200 and r2["snapshot"]["step"] == 0 and r2["snapshot"]["layers"] == r["snapshot"]["layers"]
    status, r3 = server.json("POST", f"/api/play/{key}", {"action": "reset", "settings": {"dataset": "xor",
                                                                                         "hidden": [5]}})
    assert status == 200 and r3["data"]["layers"] == [2, 5, 2] and r3["data"]["params"]["dataset"] == "xor"


def test_events_stream_snapshots(server: Server) -> None:
    key, _ = new(server)
    with server.events(f"/api/play/{key}/events") as next_event:
        event, first = next_event()
        assert event == "snapshot" and first["history"] == [] and first["step"] == 0
        server.json("POST", f"/api/play/{key}", {"action": "play"})
        steps = []
        while len(steps) < 10:
            event, s = next_event()
            if s["step"]:
                steps.append(s["step"])
        assert steps == sorted(steps) and "history" not in s
    server.json("POST", f"/api/play/{key}", {"action": "pause"})


def test_trains_moons(server: Server) -> None:
    key, _ = new(server)
    server.json("POST", f"/api/play/{key}", {"action": "play"})
    s = until(server, key, lambda s: s["test_accuracy"] >= 0.97, timeout=120)
    server.json("POST", f"/api/play/{key}", {"action": "pause"})
    assert s["test_loss"] < 0.2


@pytest.mark.parametrize("dataset", ["spirals", "surface"])
def test_other_datasets(server: Server, dataset: str) -> None:
    key, r = new(server, dataset=dataset, grid=16)
    d = r["data"]
    if dataset == "spirals":
        assert d["classes"] == 3 and d["layers"][-1] == 3 and r["snapshot"]["surface_range"] == [0.0, 3.0]
    else:
        assert d["task"] == "regression" and d["layers"][-1] == 1 and "test_r2" in r["snapshot"]
    server.json("POST", f"/api/play/{key}", {"action": "step"})
    until(server, key, lambda s: s["step"] > 0)


def test_custom_points(server: Server) -> None:
    rng = np.random.default_rng(0)
    x = rng.uniform(-1, 1, (60, 2))
    pts = [[float(a), float(b), int(a > 0)] for a, b in x]
    key, r = new(server, dataset="custom", points=pts)
    assert len(r["data"]["train"]) + len(r["data"]["test"]) == 60
    status, headers, body = server.request("GET", f"/api/play/{key}/export/data")
    assert status == 200 and body.decode().splitlines()[0] == "x1,x2,y" and len(body.decode().splitlines()) == 61
    status, d = server.json("POST", "/api/play", {"settings": {"dataset": "custom", "points": pts[:5]}})
    assert status == 400 and "10 to" in d["error"]
    one = [[p[0], p[1], 0] for p in pts]
    status, d = server.json("POST", "/api/play", {"settings": {"dataset": "custom", "points": one}})
    assert status == 400 and "both classes" in d["error"]
    status, d = server.json("POST", "/api/play", {"settings": {"dataset": "custom", "points": [[0, 0, 2]] * 20}})
    assert status == 400 and "label 0 or 1" in d["error"]


@pytest.mark.parametrize("settings,words", [
    ({"hidden": [LIMITS["neurons"] + 1]}, "too large"),
    ({"hidden": [4] * (LIMITS["layers"] + 1)}, "too large"),
    ({"hidden": "8,8"}, "hidden"),
    ({"n_samples": 10**7}, "n_samples"),
    ({"batch_size": 0}, "batch_size"),
    ({"lr": -1}, "lr"),
    ({"lr": True}, "lr"),
    ({"dataset": "mnist"}, "dataset"),
    ({"activation": "relu6"}, "activation"),
    ({"grid": 4096}, "grid"),
    ({"wat": 1}, "unknown setting"),
    ({"loss": "mse"}, "regression"),   # the CLI's own rule: mse is a regression loss
])
def test_bad_settings_are_a_clear_400(server: Server, settings: dict[str, Any], words: str) -> None:
    status, d = server.json("POST", "/api/play", {"settings": settings})
    assert status == 400 and words in d["error"], d
    assert server.app.playgrounds == {} or all(pg.params != settings for pg in server.app.playgrounds.values())


def test_bad_reset_keeps_the_old_model(server: Server) -> None:
    key, r = new(server, hidden=[3])
    status, d = server.json("POST", f"/api/play/{key}", {"action": "reset", "settings": {"hidden": [99]}})
    assert status == 400 and "too large" in d["error"]
    assert server.json("GET", f"/api/play/{key}")[1]["data"]["layers"] == [2, 3, 2]


@pytest.mark.parametrize("body", [{}, {"action": 3}, {"action": "fly"}, []])
def test_bad_actions(server: Server, body: Any) -> None:
    key, _ = new(server)
    status, d = server.json("POST", f"/api/play/{key}", body)
    assert status == 400 and "action" in d["error"]


def test_unknown_and_deleted_playgrounds(server: Server) -> None:
    assert server.json("GET", "/api/play/nope")[0] == 404
    assert server.json("POST", "/api/play/nope", {"action": "play"})[0] == 404
    key, _ = new(server)
    assert server.json("DELETE", f"/api/play/{key}") == (200, {"ok": True})
    assert server.json("GET", f"/api/play/{key}")[0] == 404
    assert server.json("DELETE", f"/api/play/{key}")[0] == 404
    assert server.json("GET", f"/api/play/{key}/export/checkpoint")[0] == 404


def test_several_tabs_and_the_limit(server: Server) -> None:
    keys = [new(server, seed=i)[0] for i in range(MAX_PLAYGROUNDS)]
    status, d = server.json("POST", "/api/play", {"settings": {}})
    assert status == 503 and "close a tab" in d["error"]
    for k in keys[:3]:
        server.json("POST", f"/api/play/{k}", {"action": "play"})
    for k in keys[:3]:
        until(server, k, lambda s: s["step"] > 8)
    assert all(server.json("GET", f"/api/play/{k}")[1]["snapshot"]["step"] == 0 for k in keys[3:])
    for k in keys:
        server.json("DELETE", f"/api/play/{k}")
    assert new(server)[0]


def test_a_crashing_step_is_shown_and_the_server_lives_on(server: Server, monkeypatch: pytest.MonkeyPatch) -> None:
    key, _ = new(server)
    pg = server.app.playgrounds[key]

    def boom() -> float:
        raise FloatingPointError("the loss is nan")
    monkeypatch.setattr(pg, "train_step", boom)
    server.json("POST", f"/api/play/{key}", {"action": "play"})
    s = until(server, key, lambda s: s["error"] is not None)
    assert "FloatingPointError: the loss is nan" in s["error"] and not s["playing"]
    status, d = server.json("POST", f"/api/play/{key}", {"action": "play"})
    assert status == 400 and "Reset" in d["error"]
    monkeypatch.undo()
    assert server.json("POST", f"/api/play/{key}", {"action": "reset"})[0] == 200
    server.json("POST", f"/api/play/{key}", {"action": "step"})
    assert until(server, key, lambda s: s["step"] > 0)["error"] is None
    assert server.request("GET", "/api/runs")[0] == 200


def _export(server: Server, key: str, what: str) -> tuple[dict[str, str], bytes]:
    status, headers, body = server.request("GET", f"/api/play/{key}/export/{what}")
    assert status == 200, body
    assert headers["content-disposition"].startswith("attachment")
    return headers, body


def test_exports(server: Server, tmp_path: Path) -> None:
    key, _ = new(server, hidden=[6, 6], schedule="cosine", epochs=30)
    server.json("POST", f"/api/play/{key}", {"action": "play"})
    until(server, key, lambda s: s["test_accuracy"] >= 0.95, timeout=120)
    server.json("POST", f"/api/play/{key}", {"action": "pause"})
    until(server, key, lambda s: not s["playing"])
    time.sleep(0.2)  # a tick under way when pause arrived has finished
    # the checkpoint: `chainrule evaluate` accepts it and finds the accuracy the page shows
    headers, body = _export(server, key, "checkpoint")
    assert 'filename="checkpoint.safetensors"' in headers["content-disposition"]
    (tmp_path / "run").mkdir()
    (tmp_path / "run" / "checkpoint.safetensors").write_bytes(body)
    p = subprocess.run([sys.executable, "-m", "chainrule", "evaluate", str(tmp_path / "run")], capture_output=True,
                       text=True, timeout=120)
    assert p.returncode == 0, p.stderr
    assert "mlp 2-6-6-2 (tanh) on moons" in p.stdout
    acc = float(p.stdout.split("accuracy")[1].split("%")[0].split()[-1]) / 100
    final = server.json("GET", f"/api/play/{key}")[1]["snapshot"]["test_accuracy"]
    assert acc == pytest.approx(final, abs=0.006)
    # the script runs and trains the same network to a good accuracy
    headers, body = _export(server, key, "script")
    script = tmp_path / "play.py"
    script.write_bytes(body)
    p = subprocess.run([sys.executable, str(script)], capture_output=True, text=True, timeout=300, cwd=tmp_path)
    assert p.returncode == 0, p.stderr
    assert float(p.stdout.split("test accuracy")[1].split("%")[0]) >= 90
    assert (tmp_path / "playground.safetensors").is_file()
    # the network picture
    headers, body = _export(server, key, "svg")
    assert headers["content-type"] == "image/svg+xml" and b"<svg" in body[:200] and body.rstrip().endswith(b"</svg>")
    assert server.request("GET", f"/api/play/{key}/export/data")[0] == 404  # generated, not a CSV
    assert server.request("GET", f"/api/play/{key}/export/weights")[0] == 404


def test_check_params_defaults() -> None:
    p = check_params({})
    assert p["dataset"] == "moons" and p["hidden"] == [8, 8]
    with pytest.raises(Exception, match="JSON object"):
        check_params([])


def test_idle_playgrounds_are_closed(server: Server, monkeypatch: pytest.MonkeyPatch) -> None:
    key, _ = new(server)
    pg: Playground = server.app.playgrounds[key]
    pg.last_seen -= 10_000
    server.app.reap()
    assert key not in server.app.playgrounds and pg.closed and not pg.thread.is_alive()
