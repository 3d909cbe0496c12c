"""Hostile checkpoint files: crafted headers, crafted NumPy-scalar nodes, paths that are not regular
files, and flipped bytes. Each is a CheckpointError (a UserError) with a message, never a raw NumPy
error, an unbounded read or a silent success."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
import textwrap
import zlib

import numpy as np
import pytest

import chainrule
from chainrule.io import CheckpointError, load_torch_weights

CORRUPT = r"corrupt or truncated"


def _file(header: dict, body: bytes) -> bytes:
    raw = json.dumps(header).encode()
    return len(raw).to_bytes(8, "little") + raw + body


def _one_tensor(shape: list[int], nbytes: int) -> bytes:
    return _file({"w": {"dtype": "F32", "shape": shape, "data_offsets": [0, nbytes]}}, b"\0" * nbytes)


def _with_tree(tree) -> bytes:
    doc = json.dumps({"format": "chainrule-checkpoint", "version": 1, "tree": tree})
    return _file({"__metadata__": {"chainrule": doc}}, b"")


def _loaders(tmp_path, data: bytes):
    """Every way a user reads the file: path, stream, and load_torch_weights."""
    path = tmp_path / "crafted.safetensors"
    path.write_bytes(data)
    yield lambda: chainrule.load(path)
    yield lambda: chainrule.load(io.BytesIO(data))
    yield lambda: load_torch_weights(chainrule.nn.Linear(2, 2), path)


# --- item: shapes the header declares -------------------------------------------------------------
@pytest.mark.parametrize("shape, nbytes, words", [
    ([1] * 68 + [1, 1], 4, "70 dimensions; at most 64"),
    ([2**64, 0], 0, "byte size overflows"),
    ([2**40, 2**40, 0], 0, "byte size overflows"),
    ([2**31, 2**31, 0], 0, "which NumPy cannot hold"),
    ([-1, 4], 16, "malformed"),
    ([2.0, 2], 16, "malformed"),
    ([2**63, 2], 16, "byte size overflows"),
    ([3, 3], 16, "16 bytes for shape [3, 3]"),
], ids=["70-dims", "2^64", "2^40x2^40x0", "2^31x2^31x0", "negative", "float", "2^63x2", "too-few-bytes"])
def test_crafted_shapes(tmp_path, shape, nbytes, words):
    for load in _loaders(tmp_path, _one_tensor(shape, nbytes)):
        with pytest.raises(CheckpointError, match=CORRUPT) as info:
            load()
        assert words in str(info.value) and "'w'" in str(info.value), info.value


def test_offsets_that_overlap_or_leave_gaps(tmp_path):
    header = {"a": {"dtype": "F32", "shape": [2], "data_offsets": [0, 8]},
              "b": {"dtype": "F32", "shape": [2], "data_offsets": [4, 12]}}
    for load in _loaders(tmp_path, _file(header, b"\0" * 12)):
        with pytest.raises(CheckpointError, match=r"data of tensor 'b' does not start where"):
            load()


def test_unknown_dtype_is_named(tmp_path):
    data = _file({"w": {"dtype": "F8_E4M3", "shape": [4], "data_offsets": [0, 4]}}, b"\0" * 4)
    for load in _loaders(tmp_path, data):
        with pytest.raises(CheckpointError, match=r"'w' has dtype F8_E4M3, which chainrule cannot represent"):
            load()


def test_zero_size_and_zero_dim_tensors_still_load(tmp_path):
    data = _file({"e": {"dtype": "F32", "shape": [0, 3], "data_offsets": [0, 0]},
                  "s": {"dtype": "I64", "shape": [], "data_offsets": [0, 8]}}, (7).to_bytes(8, "little"))
    (tmp_path / "ok.safetensors").write_bytes(data)
    out = chainrule.load(tmp_path / "ok.safetensors")
    assert out["e"].shape == (0, 3) and out["s"].shape == () and out["s"].item() == 7


# --- item: the NumPy-scalar node allocates only what the writer writes ----------------------------
@pytest.mark.parametrize("dtype, value", [
    ("V8", 1000),            # np.void(n) would allocate n bytes
    ("V8", 10**12),
    ("O", 1),
    ("U5", "abc"),
    ("M8", 1),
    ("int8", 300),
    ("uint8", -1),
    ("int64", 2**63),
    ("bool", 2),
    ("int32", 1.5),
    ("float16", 1e10),
    ("float32", "x"),
    ("float64", 10**400 + 1),
    (["int64"], 1),
], ids=str)
def test_numpy_scalar_nodes(tmp_path, dtype, value):
    data = _with_tree({"$": "dict", "v": {"step": {"$": "np", "dtype": dtype, "v": value}}})
    for load in list(_loaders(tmp_path, data))[:2]:
        with pytest.raises(CheckpointError, match=r"does not match its tensors.*NumPy"):
            load()


@pytest.mark.parametrize("name", ["O", "V8", "U3", "complex128"])
def test_dtype_nodes(tmp_path, name):
    (tmp_path / "d.safetensors").write_bytes(_with_tree({"$": "dtype", "v": name}))
    with pytest.raises(CheckpointError, match=r"does not match its tensors.*unknown dtype"):
        chainrule.load(tmp_path / "d.safetensors")


def test_every_scalar_the_writer_produces_round_trips(tmp_path):
    values = {"b": np.bool_(True), "i8": np.int8(-128), "u8": np.uint8(255), "i16": np.int16(-7),
              "u16": np.uint16(65535), "i32": np.int32(2**31 - 1), "u32": np.uint32(2**32 - 1),
              "i64": np.int64(-2**63), "u64": np.uint64(2**64 - 1), "f16": np.float16(65504),
              "f32": np.float32(-np.inf), "f64": np.float64(np.nan), "f32max": np.float32(3.4028235e38)}
    chainrule.save(values, tmp_path / "s.safetensors")
    back = chainrule.load(tmp_path / "s.safetensors")
    for k, v in values.items():
        assert type(back[k]) is type(v) and (back[k] == v or (np.isnan(v) and np.isnan(back[k]))), k


# --- item: only regular files, reads bounded by their size ---------------------------------------
_LOAD_IN_CHILD = textwrap.dedent("""
    import resource, sys
    resource.setrlimit(resource.RLIMIT_AS, (3 << 30, 3 << 30))  # a runaway read fails instead of eating the machine
    import chainrule
    from chainrule.io import CheckpointError
    try:
        if sys.argv[2:] == ["stream"]:
            with open(sys.argv[1], "rb") as f:
                chainrule.load(f)
        else:
            chainrule.load(sys.argv[1])
    except CheckpointError as e:
        print("CheckpointError:", e)
    except BaseException as e:
        print("other:", type(e).__name__, e)
""")


def _load_in_child(path, *how: str) -> str:
    # The child process guards the test run: before the fix a FIFO blocked forever and /dev/zero was read
    # until memory ran out. The timeout is a hang guard, not a timing assertion.
    p = subprocess.run([sys.executable, "-c", _LOAD_IN_CHILD, str(path), *how], capture_output=True, text=True,
                       timeout=300)
    return p.stdout + p.stderr


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs named pipes (POSIX)")
def test_a_fifo_is_refused_without_blocking(tmp_path):
    fifo = tmp_path / "checkpoint.safetensors"
    os.mkfifo(fifo)
    out = _load_in_child(fifo)
    assert out.startswith("CheckpointError:") and "named pipe (FIFO)" in out and "regular file" in out, out


@pytest.mark.skipif(not os.path.exists("/dev/zero"), reason="needs /dev/zero")
@pytest.mark.parametrize("device", ["/dev/zero", "/dev/null"])
def test_a_symlink_to_a_device_is_refused(tmp_path, device):
    link = tmp_path / "checkpoint.safetensors"
    os.symlink(device, link)
    out = _load_in_child(link)
    assert out.startswith("CheckpointError:") and "character device" in out, out


@pytest.mark.skipif(not os.path.exists("/dev/zero"), reason="needs /dev/zero")
def test_a_stream_on_a_device_is_refused():
    out = _load_in_child("/dev/zero", "stream")
    assert out.startswith("CheckpointError: '/dev/zero' is a device"), out


def test_a_symlink_to_a_regular_checkpoint_loads(tmp_path):
    chainrule.save({"w": chainrule.ones(3)}, tmp_path / "real.safetensors")
    os.symlink(tmp_path / "real.safetensors", tmp_path / "link.safetensors")
    assert chainrule.load(tmp_path / "link.safetensors")["w"].tolist() == [1.0, 1.0, 1.0]


def test_a_header_longer_than_the_file_is_not_read(tmp_path):
    data = (10**9).to_bytes(8, "little") + b'{"w": 1}'
    for load in list(_loaders(tmp_path, data))[:2]:
        with pytest.raises(CheckpointError, match=r"header claims 1000000000 bytes but the file has 16 bytes"):
            load()


# --- item: silent corruption -----------------------------------------------------------------------
def _saved(tmp_path):
    m = chainrule.nn.Sequential(chainrule.nn.Linear(8, 16), chainrule.nn.Linear(16, 2))
    path = tmp_path / "ck.safetensors"
    chainrule.save({"model": m.state_dict(), "epoch": 3}, path)
    return path, path.read_bytes()


def test_a_flipped_byte_in_tensor_data_is_detected(tmp_path):
    path, data = _saved(tmp_path)
    n = int.from_bytes(data[:8], "little")
    header = json.loads(data[8 : 8 + n])
    name, info = next((k, v) for k, v in header.items() if k != "__metadata__")
    begin, end = info["data_offsets"]
    for pos in (8 + n + begin, 8 + n + (begin + end) // 2, 8 + n + end - 1):
        bad = bytearray(data)
        bad[pos] ^= 0x10
        for load in _loaders(tmp_path, bytes(bad)):
            with pytest.raises(CheckpointError, match=rf"bytes of tensor '{name}' do not match the checksum"):
                load()


def test_damaged_checksums_are_reported(tmp_path):
    from safetensors.numpy import save

    for text in ["{not json", "[1, 2]", '{"w": "abc"}']:
        data = save({"w": np.ones(2, np.float32)}, metadata={"chainrule.crc32": text})
        with pytest.raises(CheckpointError, match="checksums .* are damaged"):
            chainrule.load(io.BytesIO(data))


def test_files_without_checksums_still_load(tmp_path):
    from safetensors.numpy import save

    w = np.arange(6, dtype=np.float32).reshape(2, 3)
    out = chainrule.load(io.BytesIO(save({"w": w})))
    np.testing.assert_array_equal(out["w"].numpy(), w)
    good = save({"w": w}, metadata={"chainrule.crc32": json.dumps({"w": zlib.crc32(w.tobytes())})})
    np.testing.assert_array_equal(chainrule.load(io.BytesIO(good))["w"].numpy(), w)


def test_checksummed_files_stay_readable_by_pytorch(tmp_path):
    pytest.importorskip("torch")
    from safetensors.torch import load_file

    path, _ = _saved(tmp_path)
    chainrule.io.save_torch_weights(chainrule.nn.Linear(3, 2), tmp_path / "w.safetensors")
    for p in (path, tmp_path / "w.safetensors"):
        back = chainrule.load(p)
        flat = back["model"] if "model" in back else back
        torch_side = load_file(str(p))
        for k, v in torch_side.items():
            key = k.removeprefix("model/")
            np.testing.assert_array_equal(v.numpy(), flat[key].numpy())


# --- memory: the file is read into the arrays, not read whole and then copied --------------------
_PEAK = textwrap.dedent("""
    import sys
    import chainrule, safetensors, safetensors.numpy  # imported before the baseline is taken

    def peak():  # this process's peak resident set in bytes (VmHWM: unlike ru_maxrss, not inherited through exec)
        with open("/proc/self/status") as f:
            return next(int(line.split()[1]) * 1024 for line in f if line.startswith("VmHWM:"))

    before = peak()
    out = chainrule.load(sys.argv[1])
    after = peak()
    assert out["w"].shape == (24, 1 << 20)
    print(after - before)
""")


@pytest.mark.skipif(not os.path.exists("/proc/self/status"), reason="needs Linux's /proc/self/status (VmHWM)")
def test_loading_needs_the_file_size_once(tmp_path):
    path = tmp_path / "big.safetensors"
    chainrule.save({"w": np.ones((24, 1 << 20), np.float32)}, path)  # 96 MiB
    size = path.stat().st_size
    p = subprocess.run([sys.executable, "-c", _PEAK, str(path)], capture_output=True, text=True, timeout=300)
    assert p.returncode == 0, p.stderr
    grown = int(p.stdout.split()[-1])
    assert 0.9 * size < grown < 1.4 * size, (grown, size)   # reading the file whole and then copying it took 2x
