"""Layered drawing of a directed acyclic graph (the Sugiyama scheme, kept small).

1. rows are given (the caller uses longest-path layering from the output);
2. edges spanning several rows get a dummy point in each row between, so they bend around nodes;
3. the order within each row comes from barycenter sweeps, keeping the order with fewest crossings;
4. x positions: each node is pulled towards the mean of its neighbours, subject to the order and
   minimum gaps — an isotonic regression, solved exactly by pool-adjacent-violators.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["Layout", "layout"]

GAP_X = 30.0  # minimum horizontal gap between boxes
GAP_Y = 48.0  # vertical gap between rows
DUMMY_W = 10.0


@dataclass
class Layout:
    x: list[float]  # node centres
    y: list[float]  # node tops
    width: float
    height: float
    routes: list[list[tuple[float, float]]]  # per edge: dummy points between source and target


def _crossings(rows: list[list[int]], down: dict[int, list[int]]) -> int:
    total = 0
    for r in range(len(rows) - 1):
        pos = {v: i for i, v in enumerate(rows[r + 1])}
        segs = [(i, pos[w]) for i, v in enumerate(rows[r]) for w in down.get(v, ()) if w in pos]
        for a in range(len(segs)):
            for b in range(a + 1, len(segs)):
                (i1, j1), (i2, j2) = segs[a], segs[b]
                total += (i1 - i2) * (j1 - j2) < 0
    return total


def _order(rows: list[list[int]], up: dict[int, list[int]], down: dict[int, list[int]]) -> list[list[int]]:
    best, best_c = [list(r) for r in rows], _crossings(rows, down)
    for it in range(12):
        sweep = range(1, len(rows)) if it % 2 == 0 else range(len(rows) - 2, -1, -1)
        nbrs = up if it % 2 == 0 else down
        for r in sweep:
            ref = {v: i for i, v in enumerate(rows[r - 1 if it % 2 == 0 else r + 1])}
            def key(iv: tuple[int, int], ref: dict[int, int] = ref, nbrs: dict[int, list[int]] = nbrs) -> float:
                ps = [ref[w] for w in nbrs.get(iv[1], ()) if w in ref]
                return sum(ps) / len(ps) if ps else float(iv[0])
            rows[r] = [v for _, v in sorted(enumerate(rows[r]), key=key)]
        c = _crossings(rows, down)
        if c < best_c:
            best, best_c = [list(r) for r in rows], c
        if best_c == 0:
            break
    return best


def _isotonic(target: list[float], gaps: list[float]) -> list[float]:
    """Positions closest (least squares) to ``target`` with ``x[i+1] - x[i] >= gaps[i]``."""
    off = [0.0]
    for g in gaps:
        off.append(off[-1] + g)
    t = [a - o for a, o in zip(target, off)]
    blocks: list[list[float]] = []  # [mean, count]
    for v in t:
        blocks.append([v, 1.0])
        while len(blocks) > 1 and blocks[-2][0] > blocks[-1][0]:
            m2, n2 = blocks.pop()
            m1, n1 = blocks.pop()
            blocks.append([(m1 * n1 + m2 * n2) / (n1 + n2), n1 + n2])
    out: list[float] = []
    for m, n in blocks:
        out.extend([m] * int(n))
    return [a + o for a, o in zip(out, off)]


def layout(widths: list[float], heights: list[float], row: list[int], edges: list[tuple[int, int]],
           margin: float = 24.0) -> Layout:
    """Place nodes (``row[i]`` = 0 for the top row) and route ``edges`` (source, target)."""
    n = len(widths)
    w, h, rw = list(widths), list(heights), list(row)
    chains: list[list[int]] = []
    up: dict[int, list[int]] = {}
    down: dict[int, list[int]] = {}
    for s, t in edges:
        chain = [s]
        for r in range(rw[s] + 1, rw[t]):
            w.append(DUMMY_W)
            h.append(0.0)
            rw.append(r)
            chain.append(len(w) - 1)
        chain.append(t)
        chains.append(chain)
        for a, b in zip(chain, chain[1:]):
            down.setdefault(a, []).append(b)
            up.setdefault(b, []).append(a)
    nrows = max(rw) + 1 if rw else 0
    rows: list[list[int]] = [[] for _ in range(nrows)]
    for v in _dfs_order(n, len(w), up, rw):
        rows[rw[v]].append(v)
    rows = _order(rows, up, down)

    x = [0.0] * len(w)
    for r in rows:
        acc = 0.0
        for v in r:
            x[v] = acc + w[v] / 2
            acc += w[v] + GAP_X
    for it in range(30):
        for r in rows if it % 2 == 0 else rows[::-1]:
            target = []
            for v in r:
                ps = [x[u] for u in up.get(v, ())] + [x[u] for u in down.get(v, ())]
                target.append(sum(ps) / len(ps) if ps else x[v])
            gaps = [(w[a] + w[b]) / 2 + (GAP_X if h[a] and h[b] else GAP_X / 2) for a, b in zip(r, r[1:])]
            for v, nx in zip(r, _isotonic(target, gaps)):
                x[v] = nx
    left = min(x[v] - w[v] / 2 for v in range(len(w))) if w else 0.0
    x = [v - left + margin for v in x]
    right = max(x[v] + w[v] / 2 for v in range(len(w))) + margin if w else 2 * margin

    y = [0.0] * len(w)
    top = margin
    for r in rows:
        rh = max((h[v] for v in r), default=0.0)
        for v in r:
            y[v] = top + (rh - h[v]) / 2
        top += rh + GAP_Y
    routes = [[(x[v], y[v]) for v in chain[1:-1]] for chain in chains]
    return Layout(x[:n], y[:n], right, top - GAP_Y + margin, routes)


def _dfs_order(n: int, total: int, up: dict[int, list[int]], rw: list[int]) -> list[int]:
    """A first order: from the bottom-most nodes upwards, parents in edge order (stable, tidy)."""
    order: list[int] = []
    seen: set[int] = set()
    starts = sorted(range(total), key=lambda v: -rw[v])
    for s in starts:
        stack = [s]
        while stack:
            v = stack.pop()
            if v in seen:
                continue
            seen.add(v)
            order.append(v)
            stack.extend(reversed(up.get(v, [])))
    return order
