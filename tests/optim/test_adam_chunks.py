"""Adam's flat update cut into chunks (one per thread for large groups): the same bits as one chunk,
and the chunk plan covers every element exactly once."""

from __future__ import annotations

import numpy as np
import pytest

import chainrule as cr
from chainrule import _parallel
from chainrule.optim._blocks import block_plan

pytestmark = pytest.mark.usefixtures("update_path")  # each test on both update paths (conftest)



def _trajectory(threads: int, monkeypatch: pytest.MonkeyPatch, **kw) -> list[np.ndarray]:
    rng = np.random.default_rng(0)
    ps = [cr.tensor(rng.standard_normal(s).astype(np.float32), requires_grad=True)
          for s in [(33, 17), (17,), (4, 5, 6), (1,)]]  # fmt: skip
    with monkeypatch.context() as m:
        m.setattr(_parallel, "PARALLEL_MIN", 1)  # chunk even this small group
        m.setattr(_parallel, "_threads", threads)
        opt = (cr.optim.AdamW if kw.pop("adamw", False) else cr.optim.Adam)(ps, lr=1e-2, **kw)
        grng = np.random.default_rng(1)
        for _ in range(30):
            for p in ps:
                p.grad = cr.tensor(grng.standard_normal(p.shape).astype(np.float32))
            opt.step()
    state = [s[k]._data.copy() for s in opt.state.values() for k in sorted(s)]
    return [p.detach().numpy().copy() for p in ps] + state


@pytest.mark.parametrize("kw", [{}, {"amsgrad": True}, {"adamw": True, "weight_decay": 0.1}])
@pytest.mark.parametrize("threads", [2, 3, 7])
def test_chunked_update_equals_one_chunk_bit_for_bit(kw: dict, threads: int, monkeypatch: pytest.MonkeyPatch) -> None:
    one = _trajectory(1, monkeypatch, **dict(kw))
    many = _trajectory(threads, monkeypatch, **dict(kw))
    assert len(one) == len(many) > 4
    for a, b in zip(one, many):
        np.testing.assert_array_equal(a, b)
    assert not np.array_equal(one[0], np.random.default_rng(0).standard_normal((33, 17)).astype(np.float32))


@pytest.mark.parametrize("block", [1, 4, 5, 17, 1000])
def test_block_plan_covers_every_element_once(block: int) -> None:
    shapes = [(3,), (5, 2), (), (4,)]
    total = 3 + 10 + 1 + 4
    seen = np.zeros(total, int)
    offsets = np.cumsum([0, 3, 10, 1])
    for start, stop, pieces in block_plan(shapes, block):
        assert 0 < stop - start <= block
        for i, a, b, lo, hi in pieces:
            assert b - a == hi - lo > 0
            seen[offsets[i] + a:offsets[i] + b] += 1
            assert offsets[i] + a == start + lo
    np.testing.assert_array_equal(seen, 1)


def test_set_num_threads_sets_the_elementwise_threads(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(_parallel, "_threads", None)
    before = cr.get_num_threads()
    cr.set_num_threads(3)
    try:
        assert _parallel.elementwise_threads() == 3
    finally:
        cr.set_num_threads(before)
