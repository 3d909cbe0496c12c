"""Every kind of unusable checkpoint is a CheckpointError (a UserError) saying what is wrong and what to do."""

from __future__ import annotations

import io
import json
import os
import pickle
import zipfile

import numpy as np
import pytest

import chainrule
from chainrule.errors import UserError
from chainrule.io import CheckpointError, CheckpointNotFoundError, check_compatible

CORRUPT = r"corrupt or truncated.*previous checkpoint"
PICKLE = r"never unpickles.*safetensors\.torch\.save_file\(model\.state_dict\(\), \"model\.safetensors\"\)"


def _good_bytes():
    m = chainrule.nn.Sequential(chainrule.nn.Linear(8, 16), chainrule.nn.Linear(16, 2))
    opt = chainrule.optim.Adam(m.parameters())
    buf = io.BytesIO()
    chainrule.save({"model": m.state_dict(), "optimizer": opt.state_dict(), "epoch": 3, "note": "x" * 50}, buf)
    return buf.getvalue()


def _load_bytes(tmp_path, data, name="bad.safetensors"):
    path = tmp_path / name
    path.write_bytes(data)
    return chainrule.load(path)


def test_checkpoint_error_is_a_user_error():
    assert issubclass(CheckpointError, UserError)
    assert issubclass(CheckpointNotFoundError, CheckpointError) and issubclass(CheckpointNotFoundError, FileNotFoundError)


def test_empty_file(tmp_path):
    with pytest.raises(CheckpointError, match=r"corrupt or truncated \(it is empty: 0 bytes\).*previous checkpoint"):
        _load_bytes(tmp_path, b"")


def test_truncated_at_20_random_points(tmp_path):
    data = _good_bytes()
    n = int.from_bytes(data[:8], "little")
    rng = np.random.default_rng(0)
    cuts = {1, 7, 8, 9, 8 + n - 1, 8 + n, 8 + n + 1, len(data) - 1}
    cuts |= {int(c) for c in rng.integers(1, len(data), size=20 - len(cuts))}
    for cut in sorted(cuts):
        with pytest.raises(CheckpointError, match=CORRUPT) as info:
            _load_bytes(tmp_path, data[:cut])
        assert "bad.safetensors" in str(info.value)
    assert len(cuts) >= 19


def test_appended_bytes_and_flipped_header_bytes(tmp_path):
    data = _good_bytes()
    with pytest.raises(CheckpointError, match="unexpected bytes follow"):
        _load_bytes(tmp_path, data + b"\x00")
    n = int.from_bytes(data[:8], "little")
    header = json.loads(data[8 : 8 + n])
    name = next(k for k in header if k != "__metadata__")
    for change, word in [
        (lambda h: h[name].update(shape=[999]), "bytes for shape"),
        (lambda h: h[name].update(data_offsets="x"), "malformed"),
        (lambda h: h[name].update(dtype=["F32"]), "malformed"),
        (lambda h: h.update(__metadata__=[1]), "not a mapping of strings"),
        (lambda h: h["__metadata__"].update(chainrule="{not json"), "chainrule metadata is damaged"),
        (lambda h: h["__metadata__"].update(chainrule=json.dumps({"format": "other", "version": 1, "tree": 1})), "unknown format"),
        (lambda h: h["__metadata__"].update(chainrule=json.dumps({"format": "chainrule-checkpoint", "version": 1, "tree": {"$": "tensor", "key": "nope", "dtype": "float32"}})), "does not match"),
        (lambda h: h["__metadata__"].update(chainrule=json.dumps({"format": "chainrule-checkpoint", "version": 1, "tree": {"$": "alien"}})), "does not match"),
        (lambda h: h["__metadata__"].update(chainrule=json.dumps({"format": "chainrule-checkpoint", "version": 1, "tree": {"$": "tensor", "key": name, "dtype": "int8"}})), "does not match"),
    ]:
        h = json.loads(data[8 : 8 + n])
        change(h)
        raw = json.dumps(h).encode()
        with pytest.raises(CheckpointError, match=word):
            _load_bytes(tmp_path, len(raw).to_bytes(8, "little") + raw + data[8 + n :])


def test_garbage(tmp_path):
    rng = np.random.default_rng(0)
    for i in range(10):
        with pytest.raises(CheckpointError, match=CORRUPT):
            _load_bytes(tmp_path, rng.bytes(int(rng.integers(1, 5000))), f"g{i}.bin")
    for text in [b"hello world, this is a text file\n", b"\x08\x00\x00\x00\x00\x00\x00\x00[1, 2, 3]", b"\x02\x00\x00\x00\x00\x00\x00\x00{}"[:9]]:
        with pytest.raises(CheckpointError, match=CORRUPT):
            _load_bytes(tmp_path, text)


def test_newer_format_version(tmp_path):
    from safetensors.numpy import save

    doc = json.dumps({"format": "chainrule-checkpoint", "version": 2, "tree": 1})
    with pytest.raises(CheckpointError, match=r"newer chainrule.*version 2.*git pull.*python -m pip install"):
        _load_bytes(tmp_path, save({}, metadata={"chainrule": doc}))


@pytest.mark.parametrize("protocol", [0, 2, 4, 5])
def test_pickle_files_are_refused_without_unpickling(protocol, tmp_path):
    class Boom:
        def __reduce__(self):
            return (os.system, ("echo pwned > " + str(tmp_path / "pwned"),))

    data = pickle.dumps({"w": [1.0, 2.0], "b": Boom()}, protocol=protocol)
    with pytest.raises(CheckpointError, match=PICKLE if protocol >= 2 else CORRUPT):
        _load_bytes(tmp_path, data, "model.pt")
    assert not (tmp_path / "pwned").exists()


def test_legacy_torch_save_files_are_refused(tmp_path):
    torch = pytest.importorskip("torch")  # (zip-format torch.save files load: tests/io/test_torch_save_files.py)
    torch.save({"w": torch.ones(2)}, tmp_path / "legacy.pt", _use_new_zipfile_serialization=False)
    with pytest.raises(CheckpointError, match=r"pickle file.*" + PICKLE):
        chainrule.load(tmp_path / "legacy.pt")


def test_zip_and_npy_files(tmp_path):
    with zipfile.ZipFile(tmp_path / "a.zip", "w") as z:
        z.writestr("data.pkl", b"\x80\x02}q\x00.")
    with pytest.raises(CheckpointError, match="zip archive.*numpy.load"):
        chainrule.load(tmp_path / "a.zip")
    np.save(tmp_path / "a.npy", np.ones(3))
    with pytest.raises(CheckpointError, match="NumPy .npy file.*numpy.load"):
        chainrule.load(tmp_path / "a.npy")


def test_missing_file_folder_and_unreadable(tmp_path):
    with pytest.raises(CheckpointNotFoundError, match=r"no checkpoint at .*nope\.safetensors.*does not exist"):
        chainrule.load(tmp_path / "nope.safetensors")
    with pytest.raises(FileNotFoundError):
        chainrule.load(str(tmp_path / "nope.safetensors"))
    with pytest.raises(CheckpointError, match="is a folder"):
        chainrule.load(tmp_path)
    if os.name == "posix" and os.geteuid() != 0:  # root reads anything
        p = tmp_path / "locked.st"
        chainrule.save({}, p)
        p.chmod(0)
        with pytest.raises(CheckpointError, match="permissions"):
            chainrule.load(p)


def test_save_to_a_missing_folder_is_a_user_error(tmp_path):
    with pytest.raises(CheckpointError, match=r"could not save.*Nothing was overwritten.*folder exists"):
        chainrule.save({"w": chainrule.ones(1)}, tmp_path / "no" / "such" / "dir.st")


def _mlp(hidden):
    return chainrule.nn.Sequential(chainrule.nn.Linear(4, hidden), chainrule.nn.ReLU(), chainrule.nn.Linear(hidden, 3))


def test_check_compatible():
    check_compatible(_mlp(8), _mlp(8).state_dict())  # same architecture: no error
    with pytest.raises(CheckpointError, match=r"different architecture than this Sequential: 3 key\(s\) with a different "
                                              r"shape: 0\.weight \(checkpoint \[16, 4\], model \[8, 4\]\).*same options"):
        check_compatible(_mlp(8), _mlp(16).state_dict(), source="'run/model.safetensors'")
    deeper = chainrule.nn.Sequential(*_mlp(8), chainrule.nn.ReLU(), chainrule.nn.Linear(3, 3))
    with pytest.raises(CheckpointError, match=r"2 key\(s\) missing from the checkpoint: 4\.weight, 4\.bias") as info:
        check_compatible(deeper, _mlp(8).state_dict())
    assert "\n" not in str(info.value)
    with pytest.raises(CheckpointError, match=r"2 key\(s\) unexpected \(not in the model\): 4\.weight, 4\.bias"):
        check_compatible(_mlp(8), deeper.state_dict())
    with pytest.raises(CheckpointError, match="full training checkpoint: pass its 'model' entry"):
        check_compatible(_mlp(8), {"model": _mlp(8).state_dict(), "epoch": 2})
    with pytest.raises(CheckpointError, match="not hold a model state dict"):
        check_compatible(_mlp(8), [1, 2])
    many = {f"extra{i}": np.zeros(1) for i in range(20)} | _mlp(8).state_dict()
    with pytest.raises(CheckpointError, match=r"20 key\(s\) unexpected.*extra7 and 12 more"):
        check_compatible(_mlp(8), many)


def test_nothing_is_overwritten_when_the_object_cannot_be_saved(tmp_path):
    p = tmp_path / "ckpt.safetensors"
    chainrule.save({"epoch": 1}, p)
    before = p.read_bytes()
    with pytest.raises(TypeError):
        chainrule.save({"epoch": 2, "bad": object()}, p)
    assert p.read_bytes() == before and os.listdir(tmp_path) == ["ckpt.safetensors"]


def test_random_header_damage_is_a_checkpoint_error_or_a_clean_load(tmp_path):
    """Flip bytes anywhere in the header: never a raw KeyError/TypeError/... traceback."""
    data = _good_bytes()
    n = int.from_bytes(data[:8], "little")
    rng = np.random.default_rng(1)
    outcomes = {"error": 0, "loaded": 0}
    for _ in range(300):
        bad = bytearray(data)
        for pos in rng.integers(0, 8 + n, size=int(rng.integers(1, 4))):
            bad[pos] = int(rng.integers(0, 256))
        try:
            chainrule.load(io.BytesIO(bytes(bad)))
            outcomes["loaded"] += 1
        except CheckpointError:
            outcomes["error"] += 1
    assert outcomes["error"] > 200
