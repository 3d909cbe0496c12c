"""``chainrule.load`` reads files written by ``torch.save`` (zip format) without ever running pickled code."""

from __future__ import annotations

import collections
import io
import os
import pickle
import sys
import zipfile
from pathlib import Path

import numpy as np
import pytest

import chainrule
from chainrule.io import CheckpointError

torch = pytest.importorskip("torch", reason="PyTorch (test extra torch==2.13.0) is the oracle")


def _np(t):
    return t.detach().numpy()


@pytest.mark.parametrize(
    "dtype", ["float32", "float64", "float16", "int64", "int32", "int16", "int8", "uint8", "bool"]
)
def test_each_dtype_loads_identically(tmp_path: Path, dtype: str) -> None:
    src = torch.arange(-6, 6).reshape(3, 4).to(getattr(torch, dtype))
    torch.save(src, tmp_path / "t.pt")
    got = chainrule.load(tmp_path / "t.pt")
    assert isinstance(got, chainrule.Tensor)
    assert got.dtype is getattr(chainrule, dtype)
    np.testing.assert_array_equal(got.numpy(), src.numpy())


def test_bfloat16_widens_to_float32_exactly(tmp_path: Path) -> None:
    src = torch.tensor([1.0, -2.5, 3.140625, 1e30, -1e-20, float("inf")], dtype=torch.bfloat16)
    torch.save({"w": src, "dtype": torch.bfloat16}, tmp_path / "bf.pt")
    got = chainrule.load(tmp_path / "bf.pt")
    assert got["w"].dtype is chainrule.float32 and got["dtype"] is chainrule.bfloat16
    np.testing.assert_array_equal(got["w"].numpy(), src.float().numpy())


def test_wide_unsigned_loads_as_int64(tmp_path: Path) -> None:
    src = torch.tensor([0, 7, 65535], dtype=torch.int32).to(torch.uint16)
    torch.save(src, tmp_path / "u.pt")
    got = chainrule.load(tmp_path / "u.pt")
    assert got.dtype is chainrule.int64
    np.testing.assert_array_equal(got.numpy(), [0, 7, 65535])


def test_views_non_contiguous_and_shared_storage(tmp_path: Path) -> None:
    x = torch.arange(24.0).reshape(4, 6)
    objs = {"x": x, "t": x.t(), "row": x[2], "cols": x[:, 1::2], "scalar": x[3, 5], "expanded": x[0, :1].expand(3, 4)}
    torch.save(objs, tmp_path / "v.pt")
    got = chainrule.load(tmp_path / "v.pt")
    for k, v in objs.items():
        assert tuple(got[k].shape) == tuple(v.shape), k
        np.testing.assert_array_equal(got[k].numpy(), v.numpy(), err_msg=k)
    assert got["scalar"].dim() == 0
    # One storage in the file, one buffer after loading: writing through a view shows in the others, as in PyTorch.
    got["x"][2, 1] = -1.0
    back = torch.load(tmp_path / "v.pt")
    back["x"][2, 1] = -1.0
    for k in ("t", "row", "cols"):
        np.testing.assert_array_equal(got[k].numpy(), back[k].numpy(), err_msg=k)


def test_zero_d_empty_and_containers(tmp_path: Path) -> None:
    obj = {
        "zero_d": torch.tensor(3.5),
        "empty": torch.empty(0, 3),
        "empty_long": torch.zeros(2, 0, dtype=torch.long),
        "list": [1, 2.5, "s", None, True, float("nan")],
        "tuple": (torch.ones(2), (1, 2)),
        "bytes": b"\x00\xffraw",
        "bytearray": bytearray(b"ab"),
        "set": {1, 2, 3},
        "complex": 1 + 2j,
        "size": torch.Size([2, 3]),
        "device": torch.device("cpu"),
        "dtypes": [torch.float32, torch.int64, torch.bool],
        "counter": collections.Counter("aab"),
        7: "int key",
    }
    torch.save(obj, tmp_path / "c.pt")
    got = chainrule.load(tmp_path / "c.pt")
    assert got["zero_d"].dim() == 0 and got["zero_d"].item() == 3.5
    assert tuple(got["empty"].shape) == (0, 3) and got["empty"].dtype is chainrule.float32
    assert tuple(got["empty_long"].shape) == (2, 0) and got["empty_long"].dtype is chainrule.int64
    assert got["list"][:5] == [1, 2.5, "s", None, True] and np.isnan(got["list"][5])
    assert isinstance(got["tuple"], tuple) and got["tuple"][1] == (1, 2)
    assert got["bytes"] == b"\x00\xffraw" and got["bytearray"] == bytearray(b"ab")
    assert got["set"] == {1, 2, 3} and got["complex"] == 1 + 2j
    assert isinstance(got["size"], chainrule.Size) and got["size"] == (2, 3)
    assert got["device"] == chainrule.device("cpu")
    assert got["dtypes"] == [chainrule.float32, chainrule.int64, chainrule.bool]
    assert got["counter"] == collections.Counter("aab") and got[7] == "int key"


def _torch_net():
    return torch.nn.Sequential(torch.nn.Conv2d(2, 3, 3), torch.nn.BatchNorm2d(3), torch.nn.Tanh(), torch.nn.Flatten(),
                               torch.nn.Linear(12, 4))


def _our_net():
    nn = chainrule.nn
    return nn.Sequential(nn.Conv2d(2, 3, 3), nn.BatchNorm2d(3), nn.Tanh(), nn.Flatten(), nn.Linear(12, 4))


def test_state_dict_round_trip_from_pytorch(tmp_path: Path) -> None:
    torch.manual_seed(0)
    tm = _torch_net()
    tm.train()
    tm(torch.randn(6, 2, 4, 4))  # running statistics and num_batches_tracked are not the defaults
    tm.eval()
    torch.save(tm.state_dict(), tmp_path / "m.pt")
    sd = chainrule.load(tmp_path / "m.pt")
    assert isinstance(sd, collections.OrderedDict) and list(sd) == list(tm.state_dict())
    assert sd["1.num_batches_tracked"].dtype is chainrule.int64
    cm = _our_net()
    cm.load_state_dict(sd)
    cm.eval()
    x = np.random.default_rng(0).standard_normal((5, 2, 4, 4)).astype(np.float32)
    np.testing.assert_allclose(_np(cm(chainrule.tensor(x))), _np(tm(torch.tensor(x))), rtol=1e-5, atol=1e-6)


def test_optimizer_state_dict_resumes_the_same_trajectory(tmp_path: Path) -> None:
    torch.manual_seed(1)
    tm = torch.nn.Sequential(torch.nn.Linear(3, 5), torch.nn.Tanh(), torch.nn.Linear(5, 2))
    topt = torch.optim.Adam(tm.parameters(), lr=0.01, weight_decay=0.01)
    x = torch.randn(8, 3)
    for _ in range(3):
        topt.zero_grad()
        tm(x).pow(2).mean().backward()
        topt.step()
    torch.save({"model": tm.state_dict(), "optimizer": topt.state_dict(), "epoch": 3}, tmp_path / "ck.pt")
    ck = chainrule.load(tmp_path / "ck.pt")
    nn = chainrule.nn
    cm = nn.Sequential(nn.Linear(3, 5), nn.Tanh(), nn.Linear(5, 2))
    cm.load_state_dict(ck["model"])
    copt = chainrule.optim.Adam(cm.parameters(), lr=0.01, weight_decay=0.01)
    copt.load_state_dict(ck["optimizer"])
    assert ck["epoch"] == 3
    cx = chainrule.tensor(x.numpy())
    for _ in range(5):
        topt.zero_grad()
        tm(x).pow(2).mean().backward()
        topt.step()
        copt.zero_grad()
        cm(cx).pow(2).mean().backward()
        copt.step()
    for (k, a), b in zip(tm.state_dict().items(), cm.state_dict().values()):
        np.testing.assert_allclose(_np(b), _np(a), rtol=1e-5, atol=1e-6, err_msg=k)


def test_parameters_and_requires_grad_survive(tmp_path: Path) -> None:
    torch.save({"p": torch.nn.Parameter(torch.ones(2)), "frozen": torch.nn.Parameter(torch.ones(1), requires_grad=False),
                "leaf": torch.zeros(3, requires_grad=True)}, tmp_path / "p.pt")
    got = chainrule.load(tmp_path / "p.pt")
    assert isinstance(got["p"], chainrule.nn.Parameter) and got["p"].requires_grad
    assert isinstance(got["frozen"], chainrule.nn.Parameter) and not got["frozen"].requires_grad
    assert got["leaf"].requires_grad and got["leaf"].is_leaf


def test_keywords_streams_and_mmap(tmp_path: Path) -> None:
    src = {"w": torch.randn(3, 4), "b": torch.arange(5)}
    path = tmp_path / "k.pt"
    torch.save(src, path)
    before = path.read_bytes()
    for kwargs in [{"map_location": "cpu"}, {"map_location": torch.device("cpu")},
                   {"map_location": lambda storage, loc: storage}, {"map_location": {"cuda:0": "cpu"}},
                   {"weights_only": True}, {"weights_only": False}, {"mmap": True}, {"mmap": True, "map_location": "cpu"}]:
        got = chainrule.load(str(path), **kwargs)
        for k in src:
            np.testing.assert_array_equal(got[k].numpy(), src[k].numpy(), err_msg=str(kwargs))
    mapped = chainrule.load(path, mmap=True)
    mapped["w"].mul_(0)  # copy-on-write: the file keeps its bytes
    assert path.read_bytes() == before
    buf = io.BytesIO(before)
    buf.seek(0)
    np.testing.assert_array_equal(chainrule.load(buf)["w"].numpy(), src["w"].numpy())
    with pytest.raises(RuntimeError, match="CPU only"):
        chainrule.load(path, map_location="cuda:0")


def test_saving_a_whole_module_points_to_state_dict(tmp_path: Path) -> None:
    model = chainrule.nn.Linear(2, 2)
    for obj in (model, chainrule.optim.SGD(model.parameters(), lr=0.1)):
        with pytest.raises(TypeError, match=r"state_dict\(\)"):
            chainrule.save(obj, tmp_path / "whole.pt")
    assert not (tmp_path / "whole.pt").exists()


# --- nothing but tensors and plain data: malicious or foreign pickles are refused -----------------------------------
def _zip_with_pickle(path: Path, payload: bytes) -> None:
    """Replace the data.pkl of the torch.save archive at ``path`` by ``payload``."""
    entries = {i.filename: zipfile.ZipFile(path).read(i.filename) for i in zipfile.ZipFile(path).infolist()}
    with zipfile.ZipFile(path, "w") as zf:
        for name, data in entries.items():
            zf.writestr(name, payload if name.endswith("/data.pkl") else data)


class _ReducePayload:
    def __init__(self, cmd: str) -> None:
        self.cmd = cmd

    def __reduce__(self):
        return (os.system, (self.cmd,))


def _global_call(module: str, name: str, arg: str) -> bytes:
    """A protocol-2 pickle of ``module.name(arg)`` written opcode by opcode (GLOBAL, MARK, arg, TUPLE, REDUCE)."""
    return b"\x80\x02c" + f"{module}\n{name}\n".encode() + b"(X" + len(arg).to_bytes(4, "little") + arg.encode() \
        + b"tR."


@pytest.mark.parametrize("kind", ["os.system", "posix.system", "builtins.eval", "__builtin__.exec", "reduce_payload",
                                  "bare_pickle", "getattr"])
def test_malicious_pickles_are_refused_and_nothing_runs(tmp_path: Path, kind: str) -> None:
    marker = tmp_path / "pwned"
    cmd = f"{sys.executable} -c \"open({str(marker)!r}, 'w').close()\""
    code = f"open({str(marker)!r}, 'w').close()"
    payloads = {
        "os.system": _global_call("os", "system", cmd),
        "posix.system": _global_call("posix", "system", cmd),
        "builtins.eval": _global_call("builtins", "eval", code),
        "__builtin__.exec": _global_call("__builtin__", "exec", code),
        "reduce_payload": pickle.dumps({"state": _ReducePayload(cmd)}, protocol=2),
        "getattr": _global_call("builtins", "getattr", "x"),
    }
    path = tmp_path / "evil.pt"
    if kind == "bare_pickle":
        path.write_bytes(pickle.dumps([_ReducePayload(cmd)], protocol=2))
    else:
        torch.save({"w": torch.ones(2)}, path)
        _zip_with_pickle(path, payloads[kind])
    with pytest.raises(CheckpointError, match="refused|never unpickles") as info:
        chainrule.load(path)
    assert "state_dict" in str(info.value)
    if kind != "bare_pickle":  # (bare pickles are refused before any byte is unpickled)
        assert isinstance(info.value, pickle.UnpicklingError)
    assert not marker.exists()
    # The oracle agrees that these files are unsafe.
    with pytest.raises(pickle.UnpicklingError):
        torch.load(path, weights_only=True)
    assert not marker.exists()


@pytest.mark.parametrize("target", [b"ctorch\nSize\n", b"ctorch\nfloat32\n", b"ctorch._utils\n_rebuild_tensor_v2\n"])
def test_build_cannot_rewrite_classes_dtypes_or_functions(tmp_path: Path, target: bytes) -> None:
    """BUILD (object state) on an allowed global would tamper with chainrule's own objects: refused."""
    repr_before, np_before = chainrule.Size.__repr__, chainrule.float32.np
    attr = b"__repr__" if b"Size" in target else b"np"
    payload = (b"\x80\x02" + target + b"N}X" + len(attr).to_bytes(4, "little") + attr + b"K\x01s\x86b.")
    path = tmp_path / "build.pt"
    torch.save({"w": torch.ones(2)}, path)
    _zip_with_pickle(path, payload)
    with pytest.raises(pickle.UnpicklingError, match="sets the state"):
        chainrule.load(path)
    assert chainrule.Size.__repr__ is repr_before and chainrule.float32.np is np_before
    assert repr(chainrule.Size([2])) == "chainrule.Size([2])"


def test_whole_pickled_module_is_refused_with_advice(tmp_path: Path) -> None:
    torch.save(torch.nn.Linear(2, 2), tmp_path / "model.pt")
    with pytest.raises(chainrule.io.UnsafeCheckpointError, match=r"torch\.nn\.modules\.linear\.Linear.*model\.state_dict\(\)"):
        chainrule.load(tmp_path / "model.pt")


def test_numpy_arrays_and_legacy_format_are_refused(tmp_path: Path) -> None:
    torch.save({"a": np.ones(2)}, tmp_path / "np.pt")
    with pytest.raises(pickle.UnpicklingError, match="numpy"):
        chainrule.load(tmp_path / "np.pt")
    torch.save({"w": torch.ones(2)}, tmp_path / "legacy.pt", _use_new_zipfile_serialization=False)
    with pytest.raises(CheckpointError, match="pickle file.*never unpickles"):
        chainrule.load(tmp_path / "legacy.pt")


def test_out_of_bounds_layout_is_refused(tmp_path: Path) -> None:
    """An untrusted file must not make a view reach past its storage."""
    path = tmp_path / "oob.pt"
    torch.save(torch.ones(4), path)
    pkl = [n for n in zipfile.ZipFile(path).namelist() if n.endswith("data.pkl")][0]
    good = zipfile.ZipFile(path).read(pkl)
    assert b"K\x04\x85" in good  # the size tuple (4,) as BININT1 4, TUPLE1
    _zip_with_pickle(path, good.replace(b"K\x04\x85", b"M\x00\x10\x85", 1))  # size (4096,)
    with pytest.raises(CheckpointError, match="reaches element"):
        chainrule.load(path)


def test_complex_tensors_are_refused_clearly(tmp_path: Path) -> None:
    torch.save(torch.ones(2, dtype=torch.complex64), tmp_path / "c.pt")
    with pytest.raises(CheckpointError, match="complex64.*view_as_real"):
        chainrule.load(tmp_path / "c.pt")


def test_chainrule_checkpoints_still_load(tmp_path: Path) -> None:
    chainrule.save({"w": chainrule.ones(2), "n": 3}, tmp_path / "own.pt")
    got = chainrule.load(tmp_path / "own.pt")
    assert got["n"] == 3 and got["w"].tolist() == [1.0, 1.0]
