"""Updates per second of the ``chainrule serve`` playground (stands alone; not part of bench.runner).

    python -m bench.playground [--seconds 3] [--rounds 3] [--grid 64] [--hidden 8,8] [--steps-per-tick 4]

Issue 19's target: at least 20 updates per second for a 2-8-8-1 network with a 64x64 boundary grid. One
update is what the playground's training thread does per tick: ``steps_per_tick`` mini-batch steps of the
chainrule model (forward, loss, backward, Adam), then the snapshot the page draws (the model on the 64x64
grid, every hidden neuron on a 24x24 grid, weights and gradients, test loss and metric), encoded as the JSON of
one Server-Sent Event. Measured twice:

- ``loop``: ``Playground.tick()`` plus the JSON encoding, back to back in this process (the server's capacity);
- ``sse``: snapshots received per second by a client of a real server on 127.0.0.1 while it plays (the
  server sends at most 25 per second and connection, so this one tops out at 25).

2-8-8-1 is the regression surface (one output); moons (2-8-8-2, two logits) is measured too.
"""

from __future__ import annotations

import os

for _v in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_v, "1")

import argparse  # noqa: E402
import http.client  # noqa: E402
import json  # noqa: E402
import statistics  # noqa: E402
import threading  # noqa: E402
import time  # noqa: E402
from typing import Any  # noqa: E402


def loop_rate(settings: dict[str, Any], seconds: float) -> dict[str, float]:
    """Ticks per second of one playground, with the time split into training, snapshot and JSON."""
    from chainrule.serve.playground import Playground

    pg = Playground(settings)
    try:
        for _ in range(5):  # warm up
            pg.tick()
        n, t_train, t_snap, t_json = 0, 0.0, 0.0, 0.0
        t0 = time.perf_counter()
        while time.perf_counter() - t0 < seconds:
            a = time.perf_counter()
            losses = [pg.train_step() for _ in range(pg.params["steps_per_tick"])]
            b = time.perf_counter()
            snap = pg._compute_snapshot(sum(losses) / len(losses))
            c = time.perf_counter()
            json.dumps(snap, allow_nan=False)
            d = time.perf_counter()
            t_train, t_snap, t_json, n = t_train + b - a, t_snap + c - b, t_json + d - c, n + 1
        total = time.perf_counter() - t0
        return {"per_s": n / total, "train_ms": 1e3 * t_train / n, "snapshot_ms": 1e3 * t_snap / n,
                "json_ms": 1e3 * t_json / n}
    finally:
        pg.close()


def sse_rate(settings: dict[str, Any], seconds: float) -> float:
    """Snapshots per second a client of a real server receives while the playground plays."""
    from chainrule.serve import make_server

    server, app = make_server(".", "127.0.0.1", 0)
    t = threading.Thread(target=server.serve_forever, daemon=True)
    t.start()
    port = server.server_address[1]
    host = {"Host": f"127.0.0.1:{port}", "Content-Type": "application/json"}
    try:
        conn = http.client.HTTPConnection("127.0.0.1", port)
        conn.request("POST", "/api/play", json.dumps({"settings": settings}), host)
        key = json.loads(conn.getresponse().read())["id"]
        events = http.client.HTTPConnection("127.0.0.1", port)
        events.request("GET", f"/api/play/{key}/events", headers=host)
        r = events.getresponse()
        conn.request("POST", f"/api/play/{key}", json.dumps({"action": "play"}), host)
        conn.getresponse().read()
        n, t0 = 0, None
        while True:
            line = r.fp.readline()
            if line.startswith(b"data: "):
                if t0 is None:
                    t0 = time.perf_counter()
                    continue
                n += 1
                if time.perf_counter() - t0 >= seconds:
                    break
        rate = n / (time.perf_counter() - t0)
        events.close()
        return rate
    finally:
        app.shutdown()
        server.shutdown()
        server.server_close()


def main() -> None:
    """Print the table (median over rounds)."""
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--seconds", type=float, default=3.0)
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--grid", type=int, default=64)
    ap.add_argument("--hidden", default="8,8")
    ap.add_argument("--steps-per-tick", type=int, default=4)
    a = ap.parse_args()
    hidden = [int(h) for h in a.hidden.split(",")]
    print(f"playground updates per second (median of {a.rounds} rounds of {a.seconds:g} s; {a.grid}x{a.grid} grid, "
          f"{a.steps_per_tick} steps of batch 32 per update)")
    print(f"{'network':<18}{'loop/s':>9}{'train ms':>10}{'snap ms':>9}{'json ms':>9}{'sse/s':>8}")
    for dataset, out in (("surface", 1), ("moons", 2)):
        s = {"dataset": dataset, "hidden": hidden, "grid": a.grid, "steps_per_tick": a.steps_per_tick}
        loops = [loop_rate(s, a.seconds) for _ in range(a.rounds)]
        sse = statistics.median(sse_rate(s, a.seconds) for _ in range(a.rounds))
        med = {k: statistics.median(r[k] for r in loops) for k in loops[0]}
        name = "-".join(map(str, [2, *hidden, out])) + f" {dataset}"
        print(f"{name:<18}{med['per_s']:>9.1f}{med['train_ms']:>10.2f}{med['snapshot_ms']:>9.2f}"
              f"{med['json_ms']:>9.2f}{sse:>8.1f}")


if __name__ == "__main__":
    main()
