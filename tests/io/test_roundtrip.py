"""chainrule.save/chainrule.load give back every supported structure and dtype exactly."""

from __future__ import annotations

import io
import json
import math
from collections import OrderedDict

import numpy as np
import pytest

import chainrule
import chainrule.io as cio
from chainrule.nn import Parameter

DTYPES = ["bool", "uint8", "int8", "int16", "int32", "int64", "float16", "float32", "float64"]
SHAPES = [(), (0,), (3, 0, 2), (1,), (2, 3), (2, 1, 4)]


def _roundtrip(obj, tmp_path, name="ckpt.safetensors"):
    path = tmp_path / name
    chainrule.save(obj, path)
    return chainrule.load(path)


def _same(a, b):
    """Deep equality that also checks container types, tensor/array types, dtypes and shapes."""
    assert type(a) is type(b), (type(a), type(b))
    if isinstance(a, chainrule.Tensor):
        assert a.dtype is b.dtype and a.shape == b.shape and a.requires_grad == b.requires_grad
        np.testing.assert_array_equal(a.numpy(force=True), b.numpy(force=True))
    elif isinstance(a, np.ndarray):
        assert a.dtype == b.dtype and a.shape == b.shape
        np.testing.assert_array_equal(a, b)
    elif isinstance(a, dict):
        assert list(a) == list(b)
        for k in a:
            assert type(k) is type(next(kk for kk in b if kk == k))
            _same(a[k], b[k])
    elif isinstance(a, (list, tuple)):
        assert len(a) == len(b)
        for x, y in zip(a, b):
            _same(x, y)
    elif isinstance(a, float) and math.isnan(a):
        assert math.isnan(b)
    else:
        assert a == b


def _array(dtype, shape, rng):
    if dtype == "bool":
        return np.asarray(rng.random(shape) > 0.5)
    if dtype.startswith(("int", "uint")):
        info = np.iinfo(dtype)
        return np.asarray(rng.integers(info.min, info.max, size=shape, dtype=dtype, endpoint=True))
    return np.asarray(rng.standard_normal(shape) * 100).astype(dtype)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("shape", SHAPES, ids=str)
def test_tensor_dtypes_and_shapes(dtype, shape, tmp_path):
    rng = np.random.default_rng(0)
    t = chainrule.from_numpy(_array(dtype, shape, rng))
    arr = _array(dtype, shape, rng)
    out = _roundtrip({"t": t, "a": arr}, tmp_path)
    _same({"t": t, "a": arr}, out)


@pytest.mark.parametrize("dtype", ["uint16", "uint32", "uint64", ">f4", ">i8"])
def test_arrays_keep_their_exact_dtype(dtype, tmp_path):
    arr = np.arange(6, dtype=dtype).reshape(2, 3)
    out = _roundtrip({"a": arr, "top": np.array(np.iinfo(np.uint64).max, dtype=np.uint64)}, tmp_path)
    assert out["a"].dtype == np.dtype(dtype).newbyteorder("=")
    np.testing.assert_array_equal(out["a"], arr)
    assert int(out["top"]) == np.iinfo(np.uint64).max


def test_special_float_values(tmp_path):
    t = chainrule.tensor([np.nan, np.inf, -np.inf, -0.0, 1e-45, 3.4e38])
    out = _roundtrip(t, tmp_path)
    assert out.dtype is chainrule.float32
    np.testing.assert_array_equal(out.numpy().view(np.uint32), t.numpy().view(np.uint32))  # bit-exact


def test_non_contiguous_tensors(tmp_path):
    base = chainrule.arange(24, dtype=chainrule.float32).reshape(2, 3, 4)
    views = {"t": base.transpose(0, 2), "s": base[:, ::2, 1::2], "p": base.permute(2, 0, 1), "e": base[0, 0].expand(3, 4)}
    assert not views["t"].is_contiguous()
    out = _roundtrip(views, tmp_path)
    for k, v in views.items():
        np.testing.assert_array_equal(out[k].numpy(), v.numpy())
        assert out[k].is_contiguous()


def test_nested_checkpoint_structure(tmp_path):
    obj = {
        "model": OrderedDict([("fc1.weight", chainrule.randn(3, 2)), ("fc1.bias", chainrule.zeros(3))]),
        "optimizer": {"state": {0: {"step": chainrule.tensor(3.0), "exp_avg": chainrule.ones(3, 2)}},
                      "param_groups": [{"lr": 1e-3, "betas": (0.9, 0.999), "params": [0, 1], "amsgrad": False}]},
        "scheduler": {"last_epoch": 7, "base_lrs": [0.1], "_last_lr": [0.05]},
        "rng": {"chainrule": chainrule.get_rng_state(), "numpy": np.random.get_state()},
        "history": [{"epoch": 1, "val_loss": float("nan"), "lr": float("inf")}, {"epoch": 2, "val_loss": -float("inf")}],
        "scalars": [np.float32(1.5), np.int64(-3), np.bool_(True), np.uint8(200), np.float16(0.1)],
        "misc": (None, True, False, 0, -(2**70), 1.25, "é ☃ \x00", b"\x00\xff", chainrule.float16, chainrule.bool),
        "keys": {1: "int", 2.5: "float", False: "bool", None: "none", (1, "a"): "tuple", "s": "str"},
        "empty": [{}, [], (), OrderedDict(), np.zeros((0, 5), np.float32)],
        "lists": [[chainrule.ones(2)], (chainrule.zeros(1), [np.ones(1, np.int16)])],
        "step": 12, "name": "run",
    }
    _same(obj, _roundtrip(obj, tmp_path))


@pytest.mark.parametrize("obj", [chainrule.ones(2, 2), [chainrule.ones(1), chainrule.zeros(2)], (1, 2), 5, None, "x", {}, [], 2.5])
def test_any_root(obj, tmp_path):
    _same(obj, _roundtrip(obj, tmp_path))


def test_rng_states_restore_the_streams(tmp_path):
    chainrule.manual_seed(123)
    np.random.seed(7)
    chainrule.rand(5)
    chainrule.save({"cr": chainrule.get_rng_state(), "np": np.random.get_state()}, tmp_path / "rng.st")
    expected = (chainrule.rand(4).numpy(), np.random.rand(4))
    state = chainrule.load(tmp_path / "rng.st")
    chainrule.set_rng_state(state["cr"])
    np.random.set_state(state["np"])
    np.testing.assert_array_equal(chainrule.rand(4).numpy(), expected[0])
    np.testing.assert_array_equal(np.random.rand(4), expected[1])


def test_requires_grad_and_parameters(tmp_path):
    p = Parameter(chainrule.randn(2, 2))
    frozen = Parameter(chainrule.randn(2), requires_grad=False)
    g = chainrule.randn(3, requires_grad=True)
    out = _roundtrip({"p": p, "f": frozen, "g": g, "n": chainrule.ones(1)}, tmp_path)
    assert type(out["p"]) is Parameter and out["p"].requires_grad
    assert type(out["f"]) is Parameter and not out["f"].requires_grad
    assert type(out["g"]) is chainrule.Tensor and out["g"].requires_grad and out["g"].is_leaf
    assert not out["n"].requires_grad
    np.testing.assert_array_equal(out["p"].detach().numpy(), p.detach().numpy())


def test_loaded_tensors_are_independent_and_writable(tmp_path):
    sd = {"a": chainrule.ones(3), "b": chainrule.ones(3)}
    out = _roundtrip(sd, tmp_path)
    out["a"].add_(1)
    out["b"].numpy()[0] = 5
    np.testing.assert_array_equal(out["a"].numpy(), [2, 2, 2])
    np.testing.assert_array_equal(sd["a"].numpy(), [1, 1, 1])
    m = chainrule.nn.Linear(3, 2)
    w = _roundtrip(m.state_dict(), tmp_path, "m.st")["weight"]
    w.zero_()
    assert m.weight.abs().sum().item() > 0


def test_flat_state_dict_keys_are_verbatim_and_collisions_are_renamed(tmp_path):
    from safetensors.numpy import load_file

    m = chainrule.nn.Sequential(chainrule.nn.Linear(4, 3), chainrule.nn.BatchNorm1d(3))
    chainrule.save(m.state_dict(), tmp_path / "sd.st")
    assert sorted(load_file(str(tmp_path / "sd.st"))) == sorted(m.state_dict())
    clash = {"a/b": chainrule.ones(1), "a": {"b": chainrule.zeros(1)}}
    chainrule.save(clash, tmp_path / "c.st")
    assert sorted(load_file(str(tmp_path / "c.st"))) == ["a/b", "a/b#1"]
    _same(clash, chainrule.load(tmp_path / "c.st"))


def test_metadata_names_format_and_version(tmp_path):
    from safetensors import safe_open

    chainrule.save({"w": chainrule.ones(2), "epoch": 3}, tmp_path / "m.st")
    with safe_open(str(tmp_path / "m.st"), "np") as f:
        doc = json.loads(f.metadata()["chainrule"])
    assert doc["format"] == "chainrule-checkpoint" and doc["version"] == 1
    assert doc["tree"]["v"]["epoch"] == 3 and doc["tree"]["v"]["w"]["key"] == "w"


def test_file_objects_and_pathlike(tmp_path):
    buf = io.BytesIO()
    obj = {"w": chainrule.randn(3), "k": [1, 2]}
    chainrule.save(obj, buf)
    buf.seek(0)
    _same(obj, chainrule.load(buf))
    chainrule.save(obj, str(tmp_path / "s.st"))
    with open(tmp_path / "s.st", "rb") as fh:
        _same(obj, chainrule.load(fh, map_location="cpu", weights_only=True))
    assert cio.save_file is cio.save and cio.load_file is cio.load


def test_unstorable_objects_raise_type_error_and_write_nothing(tmp_path):
    path = tmp_path / "x.st"
    for bad, word in [({"f": lambda: 0}, "function"), ({"s": {1, 2}}, "set"), ({"c": np.ones(2, complex)}, "complex"),
                      ({"o": np.array([None])}, "object"), ([np.array(["a"])], "<U1"), ({chainrule.ones(1): 1}, "tensor as a key"),
                      ({"m": chainrule.nn.Linear(1, 1)}, "state_dict")]:
        with pytest.raises(TypeError, match=word):
            chainrule.save(bad, path)
        assert not path.exists()
    with pytest.raises(TypeError, match="path or a binary file"):
        chainrule.save({}, 3)
    with pytest.raises(TypeError, match="path or a binary file"):
        chainrule.load(3)
    with pytest.raises(TypeError, match="binary mode"):
        chainrule.load(io.StringIO("x"))


def test_import_chainrule_does_not_import_safetensors():
    import subprocess
    import sys

    code = "import sys, chainrule; assert 'safetensors' not in sys.modules and 'chainrule.io' not in sys.modules"
    subprocess.run([sys.executable, "-c", code], check=True)
