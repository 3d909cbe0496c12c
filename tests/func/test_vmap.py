"""``chainrule.func.vmap`` against ``torch.func.vmap``: ops, in_dims/out_dims, nesting, the loop fallback, errors."""

from __future__ import annotations

import warnings

import numpy as np
import pytest

import chainrule as cr
from chainrule.func import _batching, vmap

torch = pytest.importorskip("torch", reason="PyTorch is the oracle for vmap")

RNG = np.random.default_rng(0)
A = RNG.standard_normal((4, 3, 5))
B = RNG.standard_normal((3, 5))
M = RNG.standard_normal((4, 5, 2))


def _run(fn, *arrays, **kw):
    """fn(module) under vmap in both libraries, on the same float64 arrays; the two results as NumPy."""
    ours = vmap(fn(cr), **kw)(*[None if a is None else cr.tensor(a) for a in arrays])
    theirs = torch.func.vmap(fn(torch), **kw)(*[None if a is None else torch.tensor(a) for a in arrays])
    return ours, theirs


def _close(ours, theirs, tol=1e-12):
    if isinstance(theirs, (tuple, list)):
        assert isinstance(ours, (tuple, list)) and len(ours) == len(theirs)
        for a, b in zip(ours, theirs):
            _close(a, b, tol)
        return
    assert type(ours) is cr.Tensor  # unwrapped: a plain tensor again outside vmap
    assert tuple(ours.shape) == tuple(theirs.shape)
    np.testing.assert_allclose(ours.numpy(), theirs.numpy(), rtol=tol, atol=tol)


CASES = {
    "add_mul_broadcast": (lambda m: lambda x, y: x * y + y.sin(), (A, B), {"in_dims": (0, None)}),
    "scalar_ops": (lambda m: lambda x: (2.0 - x) / 3 + x**2, (A,), {}),
    "unary": (lambda m: lambda x: m.exp(m.tanh(x)) + m.sigmoid(x) * m.abs(x), (A,), {}),
    "where_compare": (lambda m: lambda x: m.where(x > 0, x, x * 0.1), (A,), {}),
    "clamp_relu": (lambda m: lambda x: m.relu(x).clamp(max=0.5), (A,), {}),
    "sum_dims": (lambda m: lambda x: x.sum(0) + x.sum(-1, keepdim=True).sum(), (A,), {}),
    "mean_var": (lambda m: lambda x: x.mean(dim=1) * x.var(dim=0).sum(), (A,), {}),
    "amax_logsumexp": (lambda m: lambda x: x.amax(0) + m.logsumexp(x, dim=1).sum(), (A,), {}),
    "softmax_logsoftmax": (lambda m: lambda x: m.softmax(x, dim=0) + m.log_softmax(x, dim=-1), (A,), {}),
    "norm_cumsum": (lambda m: lambda x: x.norm(dim=1).sum() + x.cumsum(1), (A,), {}),
    "matmul_mm": (lambda m: lambda x, w: x @ w, (A, M), {}),
    "matmul_shared": (lambda m: lambda x, w: x @ w, (A, M[0]), {"in_dims": (0, None)}),
    "matmul_mv": (lambda m: lambda x, v: x @ v, (A, B[0]), {"in_dims": (0, None)}),
    "matmul_vm": (lambda m: lambda v, x: v @ x, (A[:, 0], M[0]), {"in_dims": (0, None)}),
    "matmul_vv": (lambda m: lambda v, u: v @ u, (A[:, 0], A[:, 1]), {}),
    "matmul_batched_vec_shared_mat": (lambda m: lambda x, v: x @ v, (B, A[:, 0]), {"in_dims": (None, 0)}),
    "linear": (lambda m: lambda x, w, b: m.nn.functional.linear(x, w, b), (A, M[0].T, B[0, :2]), {"in_dims": (0, None, None)}),
    "linear_batched_weight": (lambda m: lambda x, w: m.nn.functional.linear(x, w), (A, A), {}),
    "reshape_view_flatten": (lambda m: lambda x: x.reshape(5, 3).view(15)[1:4] + x.flatten()[:3], (A,), {}),
    "permute_transpose": (lambda m: lambda x: x.permute(1, 0).transpose(0, 1).T, (A,), {}),
    "unsqueeze_squeeze_expand": (lambda m: lambda x: x.unsqueeze(0).expand(2, 3, 5).squeeze(), (A,), {}),
    "cat_stack": (lambda m: lambda x, y: m.stack([m.cat([x, y]), m.cat([y, x])], dim=1), (A, B), {"in_dims": (0, None)}),
    "index_basic": (lambda m: lambda x: x[1:, ::2][..., None][0], (A,), {}),
    "index_advanced": (lambda m: lambda x: x[:, [0, 3]], (A,), {}),
    "split_unbind": (lambda m: lambda x: x.split(2, dim=1)[1] + x.unbind(0)[2][:1], (A,), {}),
    "gather": (lambda m: lambda x: x.gather(1, m.tensor([[0, 1], [2, 3], [4, 0]])), (A,), {}),
    "einsum": (lambda m: lambda x, y: m.einsum("ij,kj->ik", x, y), (A, B), {"in_dims": (0, None)}),
    "mse_loss": (lambda m: lambda x, y: m.nn.functional.mse_loss(x, y), (A, B), {"in_dims": (0, None)}),
    "layer_norm": (lambda m: lambda x, w: m.nn.functional.layer_norm(x, (5,), w), (A, B[0]), {"in_dims": (0, None)}),
    "argmax_sort_topk": (lambda m: lambda x: x.argmax(1) + x.sort(1).indices[:, 0] + x.topk(2, dim=1).indices[:, 1], (A,), {}),
    "argmax_flat": (lambda m: lambda x: x.argmax() * 10 + x.argmin(), (A,), {}),
    "max_min_dim": (lambda m: lambda x: x.max(1).values * x.min(dim=0)[1].double().sum(), (A,), {}),
    "all_any_one_hot": (lambda m: lambda x: (x > 0).all(1).double() + m.nn.functional.one_hot(x.argmin(1), 5).argmax(1), (A,), {}),
    "inplace_ops": (lambda m: lambda x: m.nn.functional.relu(x * 1, inplace=True).add_(1).mul_(x), (A,), {}),
    "pad_normalize": (lambda m: lambda x: m.nn.functional.pad(m.nn.functional.normalize(x, dim=-1), (1, 2)), (A,), {}),
    "attention": (lambda m: lambda q, k: m.nn.functional.scaled_dot_product_attention(q, k, k), (A, B), {"in_dims": (0, None)}),
    "layer_norm_batched_weight": (lambda m: lambda x, w: m.nn.functional.layer_norm(x, (5,), w), (A, A[:, 0]), {}),
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_op_matches_torch(name: str) -> None:
    fn, arrays, kw = CASES[name]
    _close(*_run(fn, *arrays, **kw))


def test_cross_entropy_and_nll_per_sample() -> None:
    x = RNG.standard_normal((6, 4, 3))
    t = RNG.integers(0, 3, (6, 4))
    for red in ("mean", "sum", "none"):
        ours = vmap(lambda a, b, red=red: cr.nn.functional.cross_entropy(a, b, reduction=red), in_dims=(0, 0))(cr.tensor(x), cr.tensor(t))
        theirs = torch.func.vmap(lambda a, b, red=red: torch.nn.functional.cross_entropy(a, b, reduction=red), in_dims=(0, 0))(
            torch.tensor(x), torch.tensor(t))
        _close(ours, theirs)
    ours = vmap(lambda a, b: cr.nn.functional.nll_loss(a.log_softmax(-1), b))(cr.tensor(x), cr.tensor(t))
    theirs = torch.func.vmap(lambda a, b: torch.nn.functional.nll_loss(a.log_softmax(-1), b))(
        torch.tensor(x), torch.tensor(t))
    _close(ours, theirs)


def test_conv2d_and_pooling_shared_and_batched_weights() -> None:
    x = RNG.standard_normal((3, 2, 2, 6, 6))
    w = RNG.standard_normal((3, 4, 2, 3, 3))
    b = RNG.standard_normal((3, 4))

    def f(m):
        F = m.nn.functional
        return lambda x, w, b: F.max_pool2d(F.conv2d(x, w, b, padding=1), 2) + F.avg_pool2d(F.conv2d(x, w, b, padding=1), 2)

    _close(*_run(f, x, w[0], b[0], in_dims=(0, None, None)))
    _close(*_run(f, x, w, b))  # per-sample filters: one grouped convolution
    _close(*_run(f, x[:, 0], w, b))  # unbatched (C, H, W) samples


def test_batch_norm_eval_and_group_norm() -> None:
    x = RNG.standard_normal((3, 2, 4, 5, 5))
    rm, rv, w, b = RNG.standard_normal(4), RNG.random(4) + 0.5, RNG.standard_normal((3, 4)), RNG.standard_normal((3, 4))

    def f(m):
        F = m.nn.functional
        return lambda x, rm, rv, w, b: F.batch_norm(x, rm, rv, w, b) + F.group_norm(x, 2, w, b)

    _close(*_run(f, x, rm, rv, w[0], b[0], in_dims=(0, None, None, None, None)))
    _close(*_run(f, x, rm, rv, w, b, in_dims=(0, None, None, 0, 0)))  # per-sample affine parameters
    with pytest.raises(RuntimeError, match="running_mean or running_var"):
        vmap(lambda t: cr.nn.functional.batch_norm(t, cr.zeros(4), cr.ones(4), training=True))(cr.ones(3, 2, 4))


def test_batched_index_tensors_pick_per_sample() -> None:
    x = RNG.standard_normal((4, 6, 2))
    idx = RNG.integers(0, 6, (4, 3))
    for fn in (lambda a, i: a[i], lambda a, i: a[i, 1], lambda a, i: a[i, i % 2], lambda a, i: a[:, 1][i]):
        _close(*_run(lambda m, fn=fn: fn, x, idx))
    _close(*_run(lambda m: lambda i: m.tensor(x[0])[i], idx))  # only the indices are batched
    ours, theirs = cr.tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True)
    vmap(lambda a, i: (a[i] ** 2).sum())(ours, cr.tensor(idx)).sum().backward()
    torch.func.vmap(lambda a, i: (a[i] ** 2).sum())(theirs, torch.tensor(idx)).sum().backward()
    np.testing.assert_allclose(ours.grad.numpy(), theirs.grad.numpy(), rtol=1e-12)


def test_inside_the_function_tensors_have_the_per_sample_shape() -> None:
    seen = []

    def f(x):
        seen.append((tuple(x.shape), x.dim(), x.size(-1), x.ndim, x.numel()))
        return x

    vmap(f, in_dims=1)(cr.tensor(A))
    assert seen == [((4, 5), 2, 5, 2, 20)]


def test_in_dims_and_out_dims_variants() -> None:
    _close(*_run(lambda m: lambda x: x * 2, A, in_dims=1, out_dims=2))
    _close(*_run(lambda m: lambda x: x * 2, A, in_dims=-1, out_dims=-1))
    _close(*_run(lambda m: lambda x, y: (x + y, x.sum()), A, B, in_dims=(0, None), out_dims=(1, 0)))
    # dict and list arguments: one in_dim per leaf, or one for the whole subtree
    ours = vmap(lambda d, xs: d["a"] * xs[0] + xs[1], in_dims=({"a": None}, [0, 1]))(
        {"a": cr.tensor(B)}, [cr.tensor(A[:3]), cr.tensor(A[:3].transpose(1, 0, 2))])
    theirs = torch.func.vmap(lambda d, xs: d["a"] * xs[0] + xs[1], in_dims=({"a": None}, [0, 1]))(
        {"a": torch.tensor(B)}, [torch.tensor(A[:3]), torch.tensor(A[:3].transpose(1, 0, 2))])
    _close(ours, theirs)
    # an output that does not depend on the batch is expanded; out_dims=None returns it as is
    ours = vmap(lambda x, y: (x * 2, y), in_dims=(0, None), out_dims=(0, None))(cr.tensor(A), cr.tensor(B))
    assert ours[1].shape == (3, 5)
    _close(*_run(lambda m: lambda x, y: y + 1, A, B, in_dims=(0, None)))


def test_nested_vmap() -> None:
    _close(*_run(lambda m: m.func.vmap(lambda a, b: (a * b).sum()), A, B, in_dims=(0, None)))
    def inner(m):
        return m.func.vmap(lambda a, b: a @ b, in_dims=(0, None))

    _close(*_run(inner, B, M, in_dims=(None, 0)))
    _close(*_run(lambda m: m.func.vmap(lambda x: m.softmax(x, 0)), A))
    _close(*_run(lambda m: m.func.vmap(lambda x, y: x @ y, in_dims=(0, None)), A, M, in_dims=(0, 0)))
    _close(*_run(lambda m: m.func.vmap(lambda x, y: x.sum() * y, in_dims=(1, None), out_dims=1), A, M, in_dims=(0, 0)))


def test_chunk_size_and_randomness() -> None:
    _close(vmap(lambda x: x.sum(0), chunk_size=3)(cr.tensor(A)), torch.tensor(A).sum(1))
    x = cr.ones(64, 100)
    with pytest.raises(RuntimeError, match="randomness"):
        vmap(lambda t: cr.nn.functional.dropout(t, 0.5))(x)
    same = vmap(lambda t: cr.nn.functional.dropout(t, 0.5), randomness="same")(x).numpy()
    assert (same == same[0]).all() and set(np.unique(same)) <= {0.0, 2.0}
    diff = vmap(lambda t: cr.nn.functional.dropout(t, 0.5), randomness="different")(x).numpy()
    assert not (diff == diff[0]).all() and set(np.unique(diff)) <= {0.0, 2.0}
    assert 0.35 < (diff == 0).mean() < 0.65


def test_an_op_without_a_rule_loops_with_one_warning(monkeypatch) -> None:
    monkeypatch.setattr(_batching, "_WARNED", set())
    a = RNG.standard_normal((5, 3, 3)) + 3 * np.eye(3)
    with pytest.warns(UserWarning, match="batching rule for Inv"):
        ours = vmap(cr.linalg.inv)(cr.tensor(a))
    _close(ours, torch.linalg.inv(torch.tensor(a)))
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        vmap(cr.linalg.inv)(cr.tensor(a))  # the warning comes once per op


@pytest.mark.parametrize(
    ("call", "match"),
    [
        (lambda: vmap(lambda x, y: x + y)(cr.ones(3, 2), cr.ones(4, 2)), "same size in the mapped dimension"),
        (lambda: vmap(lambda x: x, in_dims=2)(cr.ones(3, 2)), r"vmap\(<lambda>, in_dims=2.*-2 <= in_dim < 2"),
        (lambda: vmap(lambda x: x, in_dims="0")(cr.ones(3)), r"vmap\(<lambda>, in_dims=0.*int or a"),
        (lambda: vmap(lambda x, y: x, in_dims=(0, 0))(cr.ones(3), 2.0), "cannot vmap over non-Tensor"),
        (lambda: vmap(lambda x: x, in_dims=(0, 0))(cr.ones(3)), "not compatible with the structure"),
        (lambda: vmap(lambda x: x, in_dims=(None,))(cr.ones(3)), "at least one Tensor"),
        (lambda: vmap(lambda x: x, in_dims=None)(cr.ones(3)), "expected `in_dims` to be int or a"),
        (lambda: vmap(lambda x: x)(), "got no inputs"),
        (lambda: vmap(lambda x: x, out_dims=None)(cr.ones(3)), "can not return a BatchedTensor"),
        (lambda: vmap(lambda x: 1.0)(cr.ones(3)), "must only return Tensors"),
        (lambda: vmap(lambda x: x, chunk_size=0), "chunk_size should be None or greater than 0"),
    ],
)
def test_errors_as_torch(call, match: str) -> None:
    with pytest.raises(ValueError, match=match):
        call()


def test_data_dependent_python_control_flow_raises() -> None:
    with pytest.raises(RuntimeError, match="item"):
        vmap(lambda x: x.sum().item())(cr.ones(3, 2))
    with pytest.raises(RuntimeError, match="data-dependent control flow"):
        vmap(lambda x: x if x.sum() > 0 else -x)(cr.ones(3, 2))


def test_in_place_into_an_unbatched_tensor_raises_as_torch() -> None:
    acc = cr.zeros(2)
    with pytest.raises(RuntimeError, match="inplace arithmetic"):
        vmap(lambda x: acc.add_(x))(cr.ones(3, 2))
    with pytest.raises(RuntimeError, match="inplace arithmetic"):
        vmap(lambda x: acc.mul_(x))(cr.ones(3, 2))


def test_vmap_is_exported_at_the_top_level_and_leaves_no_state() -> None:
    assert cr.vmap is vmap
    vmap(lambda x: x * 2)(cr.ones(3))
    assert _batching.levels_stack == [] and cr.autograd.function._vmap[0] is None
    with pytest.raises(ValueError):
        vmap(lambda x: x, out_dims=None)(cr.ones(3))
    assert _batching.levels_stack == [] and cr.autograd.function._vmap[0] is None


@pytest.mark.parametrize("make", ["rand", "randn", "randint", "randperm", "rand_like"])
def test_random_creation_follows_randomness_as_torch(make: str) -> None:
    """Inside vmap, rand/randn/randint/randperm (and the *_like forms) obey ``randomness`` as PyTorch's do:
    'error' refuses, 'same' gives every sample the same draw, 'different' one draw per sample."""
    def draw(lib, r):
        return {"rand": lambda: lib.rand(5), "randn": lambda: lib.randn(5), "randint": lambda: lib.randint(0, 1000, (5,)),
                "randperm": lambda: lib.randperm(40)[:5], "rand_like": lambda: lib.rand_like(r)}[make]()

    for lib in (cr, torch):
        x = lib.ones(6, 5)
        with pytest.raises(RuntimeError, match="randomness error mode"):
            lib.func.vmap(lambda r, lib=lib: r * draw(lib, r))(x)
        same = lib.func.vmap(lambda r, lib=lib: r * draw(lib, r), randomness="same")(x)
        different = lib.func.vmap(lambda r, lib=lib: r * draw(lib, r), randomness="different")(x)
        assert list(same.shape) == list(different.shape) == [6, 5]
        assert all(bool((same[i] == same[0]).all()) for i in range(6)), lib.__name__
        assert len({tuple(row.tolist()) for row in different}) == 6, lib.__name__
