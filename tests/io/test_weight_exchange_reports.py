"""Weight exchange reports: missing, unexpected and mis-shaped keys, strict vs not, ties, and load_state_dict parity."""

from __future__ import annotations

import json

import numpy as np
import pytest

import chainrule
import chainrule.io as cio

torch = pytest.importorskip("torch", reason="PyTorch (test extra torch==2.13.0) is the oracle")
st = pytest.importorskip("safetensors.torch")


def net(lib):
    nn = lib.nn
    return nn.Sequential(nn.Linear(4, 8), nn.BatchNorm1d(8), nn.ReLU(), nn.Linear(8, 3))


def _file(tmp_path, sd, name="w.safetensors"):
    st.save_file(sd, str(tmp_path / name))
    return tmp_path / name


def _broken(torch_model):
    """The torch state dict with one key missing, one extra key and one key of the wrong shape."""
    sd = dict(torch_model.state_dict())
    del sd["3.bias"]
    sd["3.scale"] = torch.ones(3)
    sd["0.weight"] = torch.zeros(8, 5)
    return sd


def _snapshot(model):
    return {k: v.numpy().copy() for k, v in model.state_dict().items()}


def test_strict_lists_every_problem_at_once_and_loads_nothing(tmp_path):
    path = _file(tmp_path, _broken(net(torch)))
    model = net(chainrule)
    before = _snapshot(model)
    with pytest.raises(cio.WeightLoadError) as info:
        cio.load_torch_weights(model, path)
    message = str(info.value)
    assert message.startswith("load_torch_weights: the weights in ") and "w.safetensors" in message
    assert "do not fit this Sequential (7 of its 9 keys match); nothing was loaded" in message
    assert "missing from the weights (1): 3.bias" in message
    assert "unexpected, not in the model (1): 3.scale" in message
    assert "different shape (1): 0.weight (model [8, 4], file [8, 5])" in message
    assert "strict=False" in message and "Hint" not in message
    report = info.value.report
    assert report.loaded == [] and not report.ok
    assert report.mismatched == [("0.weight", (8, 4), (8, 5))]
    for key, value in model.state_dict().items():
        np.testing.assert_array_equal(value.numpy(), before[key], err_msg=key)


def test_non_strict_loads_what_fits_and_reports_like_torch(tmp_path):
    torch_model = net(torch)
    with torch.no_grad():
        torch_model[1].running_mean.uniform_()
    sd = _broken(torch_model)
    model = net(chainrule)
    before = _snapshot(model)
    report = cio.load_torch_weights(model, _file(tmp_path, sd), strict=False)
    # PyTorch's own verdict on the same keys (it refuses shape mismatches even with strict=False, so leave that one out)
    oracle = net(torch).load_state_dict({k: v for k, v in sd.items() if k != "0.weight"}, strict=False)
    assert report.missing_keys == [k for k in oracle.missing_keys if k != "0.weight"] == ["3.bias"]
    assert report.unexpected_keys == oracle.unexpected_keys == ["3.scale"]
    assert report.mismatched == [("0.weight", (8, 4), (8, 5))] and not report.ok
    assert sorted(report.loaded) == sorted(k for k in torch_model.state_dict() if k not in ("0.weight", "3.bias"))
    mine = model.state_dict()
    for key in report.loaded:
        np.testing.assert_array_equal(mine[key].numpy(), sd[key].numpy(), err_msg=key)
    for key in ("0.weight", "3.bias"):
        np.testing.assert_array_equal(mine[key].numpy(), before[key], err_msg=key)
    text = str(report)
    assert text.startswith("Loaded 7 tensor(s) from ") and "missing from the weights (1): 3.bias" in text
    assert "different shape (1): 0.weight (model [8, 4], file [8, 5])" in text


def test_report_of_a_clean_load(tmp_path):
    report = cio.load_torch_weights(net(chainrule), _file(tmp_path, net(torch).state_dict()))
    assert report.ok and len(report.loaded) == 9
    assert str(report).endswith("into Sequential: all keys matched.")


def test_error_message_shortens_long_lists_but_the_report_keeps_them():
    sd = {f"extra.{i}": np.zeros(1) for i in range(50)}
    sd.update({k: v.numpy() for k, v in net(chainrule).state_dict().items()})
    with pytest.raises(cio.WeightLoadError, match=r"unexpected, not in the model \(50\):.* and 10 more") as info:
        cio.load_torch_weights(net(chainrule), sd)
    assert len(info.value.report.unexpected_keys) == 50


def test_tied_weights_saved_once_by_safetensors_load_and_stay_tied(tmp_path):
    def tied(lib):
        nn = lib.nn
        model = nn.Sequential(nn.Embedding(10, 6), nn.Tanh(), nn.Linear(6, 10, bias=False))
        model[2].weight = model[0].weight
        return model

    torch_model = tied(torch)
    st.save_model(torch_model, str(tmp_path / "tied.safetensors"))  # keeps one name of the shared tensor
    stored = set(st.load_file(str(tmp_path / "tied.safetensors")))
    assert len(stored) == 1
    model = tied(chainrule)
    report = cio.load_torch_weights(model, tmp_path / "tied.safetensors")
    assert report.ok and report.tied == [k for k in ("0.weight", "2.weight") if k not in stored]
    assert model[2].weight is model[0].weight
    ids = np.array([[1, 2, 3]])
    with torch.no_grad():
        expected = torch_model(torch.from_numpy(ids)).numpy()
    np.testing.assert_allclose(model(chainrule.tensor(ids)).detach().numpy(), expected, rtol=1e-5, atol=1e-6)
    # and back: both names are written, PyTorch loads them strictly and the tie holds
    cio.save_torch_weights(model, tmp_path / "back.safetensors")
    back = tied(torch)
    back.load_state_dict(st.load_file(str(tmp_path / "back.safetensors")))
    assert back[2].weight is back[0].weight
    np.testing.assert_array_equal(back[0].weight.detach().numpy(), model[0].weight.detach().numpy())


def test_files_without_num_batches_tracked_load_as_in_torch(tmp_path):
    sd = {k: v for k, v in net(torch).state_dict().items() if not k.endswith("num_batches_tracked")}
    oracle = net(torch).load_state_dict(sd)
    assert oracle.missing_keys == []
    model = net(chainrule)
    report = cio.load_torch_weights(model, _file(tmp_path, sd))
    assert report.ok and report.kept == ["1.num_batches_tracked"] and "value kept" in str(report)
    assert model.load_state_dict(sd).missing_keys == []  # Module.load_state_dict agrees too


def test_one_element_values_load_into_0d_buffers_as_in_torch():
    sd = {k: (v.reshape(1) if v.dim() == 0 else v) for k, v in net(torch).state_dict().items()}
    sd["1.num_batches_tracked"] = torch.tensor([5])
    oracle = net(torch)
    oracle.load_state_dict(sd)
    assert oracle[1].num_batches_tracked.shape == () and oracle[1].num_batches_tracked.item() == 5
    for load in (lambda m: cio.load_torch_weights(m, sd), lambda m: m.load_state_dict(sd)):
        model = net(chainrule)
        load(model)
        assert model[1].num_batches_tracked.shape == () and model[1].num_batches_tracked.item() == 5


def test_module_state_dict_lists_a_shared_module_under_each_name_like_torch():
    def shared(lib):
        layer = lib.nn.Linear(2, 2)
        return lib.nn.Sequential(layer, lib.nn.ReLU(), layer)

    assert list(shared(chainrule).state_dict()) == list(shared(torch).state_dict())
    model = shared(chainrule)
    sd = {k: np.full(tuple(v.shape), 0.5, np.float32) for k, v in model.state_dict().items()}
    assert model.load_state_dict(sd).missing_keys == []


def test_module_load_state_dict_matches_torch_on_mismatches():
    sd = _broken(net(torch))
    with pytest.raises(RuntimeError) as theirs:
        net(torch).load_state_dict(sd, strict=False)
    with pytest.raises(RuntimeError) as ours:
        net(chainrule).load_state_dict({k: v.numpy() for k, v in sd.items()}, strict=False)
    assert "size mismatch for 0.weight" in str(theirs.value) and "size mismatch for 0.weight" in str(ours.value)
    del sd["0.weight"]
    theirs = net(torch).load_state_dict(sd, strict=False)
    ours = net(chainrule).load_state_dict({k: v.numpy() for k, v in sd.items()}, strict=False)
    assert (ours.missing_keys, ours.unexpected_keys) == (theirs.missing_keys, theirs.unexpected_keys)


# --- save_torch_weights and bad sources -----------------------------------------------------------
def test_save_torch_weights_writes_a_plain_pytorch_file(tmp_path):
    from safetensors import safe_open

    model = net(chainrule)
    cio.save_torch_weights(model.state_dict(), tmp_path / "m.safetensors", metadata={"note": "hi"})
    with safe_open(str(tmp_path / "m.safetensors"), "pt") as f:
        meta = f.metadata()
        sums = json.loads(meta.pop("chainrule.crc32"))  # one CRC-32 per tensor, checked by chainrule.load
        assert meta == {"format": "pt", "note": "hi"}
        assert sorted(f.keys()) == sorted(model.state_dict()) == sorted(sums)
    back = chainrule.load(tmp_path / "m.safetensors")
    for key, value in model.state_dict().items():
        assert back[key].dtype is value.dtype
        np.testing.assert_array_equal(back[key].numpy(), value.numpy())


@pytest.mark.parametrize("bad, match", [
    ({"model": {"w": np.zeros(2)}}, r"the value of 'model' is not a tensor but a dict.*chainrule\.save"),
    ({1: np.zeros(2)}, r"keys must be str, got 1"),
    (5, r"expected a chainrule nn\.Module or a state dict, got int"),
])
def test_save_torch_weights_refuses_what_torch_cannot_load(bad, match, tmp_path):
    with pytest.raises(TypeError, match=match):
        cio.save_torch_weights(bad, tmp_path / "x.safetensors")
    assert not (tmp_path / "x.safetensors").exists()


def test_a_full_training_checkpoint_points_to_its_model_entry(tmp_path):
    model = net(chainrule)
    chainrule.save({"model": model.state_dict(), "epoch": 3}, tmp_path / "ckpt.safetensors")
    with pytest.raises(TypeError, match=r"value of 'model' .* is not a tensor but a OrderedDict.*chainrule\.load\(path\)\['model'\]"):
        cio.load_torch_weights(model, tmp_path / "ckpt.safetensors")
    assert cio.load_torch_weights(model, chainrule.load(tmp_path / "ckpt.safetensors")["model"]).ok


def test_bad_sources_and_models(tmp_path):
    with pytest.raises(TypeError, match=r"expected a \.safetensors path, a state dict .* got list"):
        cio.load_torch_weights(net(chainrule), [1, 2])
    with pytest.raises(TypeError, match=r"expected a chainrule nn\.Module as the model, got dict"):
        cio.load_torch_weights({}, {})
    with pytest.raises(cio.CheckpointNotFoundError):
        cio.load_torch_weights(net(chainrule), tmp_path / "nope.safetensors")
    torch.save(net(torch), tmp_path / "model.pt")  # a whole pickled module: refused, nothing is run
    with pytest.raises(cio.CheckpointError, match=r"refused.*state_dict\(\)"):
        cio.load_torch_weights(net(chainrule), tmp_path / "model.pt")
    torch.save(net(torch).state_dict(), tmp_path / "weights.pt")  # a torch.save state dict: read safely
    assert cio.load_torch_weights(net(chainrule), tmp_path / "weights.pt").ok


def test_torch_dtypes_without_a_numpy_equivalent_are_a_clear_error():
    sd = {"weight": torch.zeros(2, 2, dtype=torch.float8_e4m3fn), "bias": torch.zeros(2)}
    with pytest.raises(TypeError, match=r"'weight' .* has dtype torch\.float8_e4m3fn.*v\.float\(\)"):
        cio.load_torch_weights(chainrule.nn.Linear(2, 2), sd)
