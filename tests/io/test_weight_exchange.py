"""Weight exchange with PyTorch both ways: same architecture, same weights, same outputs; clear reports."""

from __future__ import annotations

import numpy as np
import pytest

import chainrule
import chainrule.io as cio

torch = pytest.importorskip("torch", reason="PyTorch (test extra torch==2.13.0) is the oracle")
st = pytest.importorskip("safetensors.torch")


# --- the same architectures, written once against the shared API -----------------------------------
def mlp(lib):
    nn = lib.nn
    return nn.Sequential(nn.Linear(6, 16), nn.ReLU(), nn.Linear(16, 16), nn.Tanh(), nn.Linear(16, 3))


def cnn(lib):
    nn = lib.nn
    return nn.Sequential(
        nn.Conv2d(2, 4, 3, padding=1), nn.BatchNorm2d(4), nn.ReLU(), nn.MaxPool2d(2),
        nn.Conv2d(4, 6, 3), nn.BatchNorm2d(6), nn.ReLU(), nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(6, 3),
    )


def resnet(lib):
    nn = lib.nn

    class Block(nn.Module):
        def __init__(self, c):
            super().__init__()
            self.conv1, self.bn1 = nn.Conv2d(c, c, 3, padding=1, bias=False), nn.BatchNorm2d(c)
            self.conv2, self.bn2 = nn.Conv2d(c, c, 3, padding=1, bias=False), nn.BatchNorm2d(c)
            self.act = nn.ReLU()

        def forward(self, x):
            return self.act(x + self.bn2(self.conv2(self.act(self.bn1(self.conv1(x))))))

    class ResNet(nn.Module):
        def __init__(self):
            super().__init__()
            self.stem = nn.Sequential(nn.Conv2d(2, 4, 3, padding=1), nn.BatchNorm2d(4), nn.ReLU())
            self.blocks = nn.ModuleList([Block(4), Block(4)])
            self.head = nn.Sequential(nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(4, 3))

        def forward(self, x):
            x = self.stem(x)
            for block in self.blocks:
                x = block(x)
            return self.head(x)

    return ResNet()


def transformer(lib):
    nn = lib.nn

    class Encoder(nn.Module):
        def __init__(self):
            super().__init__()
            self.embed = nn.Embedding(20, 16)
            layer = nn.TransformerEncoderLayer(d_model=16, nhead=4, dim_feedforward=32, dropout=0.0, batch_first=True)
            self.encoder = nn.TransformerEncoder(layer, num_layers=2, norm=nn.LayerNorm(16), enable_nested_tensor=False)
            self.head = nn.Linear(16, 3)

        def forward(self, ids):
            return self.head(self.encoder(self.embed(ids)))

    return Encoder()


def bag_of_embeddings(lib):
    nn = lib.nn

    class Bag(nn.Module):
        def __init__(self):
            super().__init__()
            self.embed = nn.Embedding(20, 8, padding_idx=0)
            self.norm = nn.LayerNorm(8)
            self.out = nn.Sequential(nn.Linear(8, 8), nn.GELU(), nn.Linear(8, 3))

        def forward(self, ids):
            return self.out(self.norm(self.embed(ids).mean(1)))

    return Bag()


def misc(lib):
    nn = lib.nn
    return nn.Sequential(
        nn.Conv1d(3, 4, 3), nn.BatchNorm1d(4), nn.PReLU(), nn.GroupNorm(2, 4),
        nn.InstanceNorm1d(4, affine=True, track_running_stats=True), nn.ConvTranspose1d(4, 2, 3), nn.Flatten(),
        nn.RMSNorm(20), nn.Linear(20, 3),
    )


ARCHS = {"mlp": mlp, "cnn": cnn, "resnet": resnet, "transformer": transformer, "bag": bag_of_embeddings, "misc": misc}


def _inputs(name):
    rng = np.random.default_rng(7)
    if name in ("transformer", "bag"):
        return rng.integers(0, 20, size=(3, 5))
    shape = {"mlp": (4, 6), "cnn": (3, 2, 8, 8), "resnet": (3, 2, 6, 6), "misc": (3, 3, 10)}[name]
    return rng.standard_normal(shape)


def _random_state(model, seed=0):
    """Random values for every parameter and buffer (running_var positive, batch counts nonzero)."""
    rng = np.random.default_rng(seed)
    out = {}
    for key, value in model.state_dict().items():
        shape = tuple(value.shape)
        if key.endswith("num_batches_tracked"):
            out[key] = np.array(int(rng.integers(1, 100)), dtype=np.int64)
        elif key.endswith("running_var"):
            out[key] = np.abs(rng.standard_normal(shape)) + 0.5
        else:
            out[key] = rng.standard_normal(shape) * 0.5
    return out


def _build(name, lib, dtype):
    model = ARCHS[name](lib)
    model = model.double() if dtype == "float64" else model
    state = _random_state(model)
    cast = {k: v.astype(dtype) if v.dtype.kind == "f" else v for k, v in state.items()}
    model.load_state_dict({k: torch.from_numpy(v) for k, v in cast.items()} if lib is torch else cast)
    return model.eval()


def _run(model, lib, name, dtype):
    x = _inputs(name)
    if lib is torch:
        with torch.no_grad():
            return model(torch.from_numpy(x if x.dtype.kind == "i" else x.astype(dtype))).numpy()
    return model(chainrule.tensor(x if x.dtype.kind == "i" else x.astype(dtype))).detach().numpy()


TOL = {"float64": {"rtol": 1e-12, "atol": 1e-13}, "float32": {"rtol": 1e-5, "atol": 1e-5}}


@pytest.mark.parametrize("dtype", ["float64", "float32"])
@pytest.mark.parametrize("name", list(ARCHS))
def test_torch_to_chainrule_same_outputs(name, dtype, tmp_path):
    torch_model = _build(name, torch, dtype)
    path = tmp_path / "torch.safetensors"
    st.save_file(torch_model.state_dict(), str(path))
    model = ARCHS[name](chainrule)
    model = (model.double() if dtype == "float64" else model).eval()
    report = cio.load_torch_weights(model, path)
    assert report.ok and not report.converted and not report.renamed
    assert report.loaded == list(torch_model.state_dict())
    for key, value in torch_model.state_dict().items():  # bit for bit, buffers included
        np.testing.assert_array_equal(model.state_dict()[key].numpy(), value.numpy(), err_msg=key)
    out = _run(model, chainrule, name, dtype)
    assert out.dtype == np.dtype(dtype)
    np.testing.assert_allclose(out, _run(torch_model, torch, name, dtype), **TOL[dtype])


@pytest.mark.parametrize("dtype", ["float64", "float32"])
@pytest.mark.parametrize("name", list(ARCHS))
def test_chainrule_to_torch_same_outputs(name, dtype, tmp_path):
    model = _build(name, chainrule, dtype)
    path = tmp_path / "chainrule.safetensors"
    cio.save_torch_weights(model, path)
    torch_model = ARCHS[name](torch)
    torch_model = (torch_model.double() if dtype == "float64" else torch_model).eval()
    sd = st.load_file(str(path))
    result = torch_model.load_state_dict(sd, strict=True)
    assert not result.missing_keys and not result.unexpected_keys
    for key, value in torch_model.state_dict().items():
        assert value.dtype == sd[key].dtype, key
        np.testing.assert_array_equal(value.numpy(), model.state_dict()[key].numpy(), err_msg=key)
    np.testing.assert_allclose(_run(torch_model, torch, name, dtype), _run(model, chainrule, name, dtype), **TOL[dtype])


def test_chainrule_save_of_a_state_dict_also_loads_in_torch(tmp_path):
    model = _build("cnn", chainrule, "float32")
    chainrule.save(model.state_dict(), tmp_path / "m.safetensors")
    torch_model = cnn(torch).eval()
    torch_model.load_state_dict(st.load_file(str(tmp_path / "m.safetensors")))
    np.testing.assert_allclose(_run(torch_model, torch, "cnn", "float32"), _run(model, chainrule, "cnn", "float32"),
                               **TOL["float32"])


@pytest.mark.parametrize("as_module", [False, True])
def test_a_loaded_torch_state_dict_or_module_is_a_source(as_module):
    torch_model = _build("resnet", torch, "float32")
    torch_model.stem[0].weight.requires_grad_(True)
    model = resnet(chainrule).eval()
    report = cio.load_torch_weights(model, torch_model if as_module else torch_model.state_dict())
    assert report.ok and "state" in report.source
    np.testing.assert_allclose(_run(model, chainrule, "resnet", "float32"), _run(torch_model, torch, "resnet", "float32"),
                               **TOL["float32"])


@pytest.mark.parametrize("half", ["float16", "bfloat16"])
@pytest.mark.parametrize("source", ["file", "mapping"])
@pytest.mark.parametrize("assign", [False, True])
def test_half_precision_weights_become_the_parameter_dtype(half, source, assign, tmp_path):
    torch_model = _build("cnn", torch, "float32")
    sd = {k: v.to(getattr(torch, half)) if v.is_floating_point() else v for k, v in torch_model.state_dict().items()}
    st.save_file(sd, str(tmp_path / "h.safetensors"))
    model = cnn(chainrule)
    report = cio.load_torch_weights(model, tmp_path / "h.safetensors" if source == "file" else sd, assign=assign)
    floats = [k for k, v in sd.items() if v.is_floating_point()]
    assert report.ok and report.converted == [(k, half, "float32") for k in floats]
    for key, value in sd.items():
        mine = model.state_dict()[key]
        assert mine.dtype is (chainrule.float32 if key in floats else chainrule.int64)
        np.testing.assert_array_equal(mine.numpy(), value.float().numpy() if key in floats else value.numpy())
    assert f"dtype converted ({len(floats)})" in str(report) and f"1.weight {half} -> float32" in str(report)


@pytest.mark.parametrize("assign", [False, True])
def test_float64_weights_into_a_float32_model_follow_load_state_dict(assign, tmp_path):
    torch_model = _build("mlp", torch, "float64")
    st.save_file(torch_model.state_dict(), str(tmp_path / "d.safetensors"))
    model = mlp(chainrule)
    report = cio.load_torch_weights(model, tmp_path / "d.safetensors", assign=assign)
    oracle = mlp(torch)  # PyTorch casts to the parameter's dtype, or takes the file's with assign=True
    oracle.load_state_dict(torch_model.state_dict(), assign=assign)
    for key, value in oracle.state_dict().items():
        assert str(model.state_dict()[key].dtype).rpartition(".")[2] == str(value.dtype).rpartition(".")[2], key
        np.testing.assert_array_equal(model.state_dict()[key].numpy(), value.numpy())
    assert report.converted == ([] if assign else [(k, "float64", "float32") for k in oracle.state_dict()])


# --- prefixes -------------------------------------------------------------------------------------
def _prefixed_file(tmp_path, prefix):
    torch_model = _build("cnn", torch, "float32")
    path = tmp_path / "p.safetensors"
    st.save_file({prefix + k: v for k, v in torch_model.state_dict().items()}, str(path))
    return torch_model, path


@pytest.mark.parametrize("prefix", ["module.", "_orig_mod.", "_orig_mod.module."])
def test_wrapper_prefixes_are_refused_with_a_hint_then_stripped_on_request(prefix, tmp_path):
    torch_model, path = _prefixed_file(tmp_path, prefix)
    model = cnn(chainrule).eval()
    before = {k: v.numpy().copy() for k, v in model.state_dict().items()}
    with pytest.raises(cio.WeightLoadError, match=r"nothing was loaded[\s\S]*strip_prefixes=True") as info:
        cio.load_torch_weights(model, path)
    assert isinstance(info.value, RuntimeError) and info.value.report.loaded == []
    assert "DistributedDataParallel" in str(info.value) or "torch.compile" in str(info.value)
    for key, value in model.state_dict().items():  # all or nothing: nothing changed
        np.testing.assert_array_equal(value.numpy(), before[key])
    report = cio.load_torch_weights(model, path, strip_prefixes=True)
    assert report.ok and report.renamed == {prefix + k: k for k in torch_model.state_dict()}
    # PyTorch's own helper strips the same way
    sd = dict(st.load_file(str(path)))
    for p in prefix.split(".")[:-1]:
        torch.nn.modules.utils.consume_prefix_in_state_dict_if_present(sd, p + ".")
    assert list(sd) == list(report.renamed.values())
    np.testing.assert_allclose(_run(model, chainrule, "cnn", "float32"), _run(torch_model, torch, "cnn", "float32"),
                               **TOL["float32"])


def test_custom_prefix_hint_and_stripping(tmp_path):
    _, path = _prefixed_file(tmp_path, "backbone.")
    model = cnn(chainrule)
    with pytest.raises(cio.WeightLoadError, match=r"prefix 'backbone\.': pass strip_prefixes=\('backbone\.',\)"):
        cio.load_torch_weights(model, path)
    assert cio.load_torch_weights(model, path, strip_prefixes="backbone.").ok
    assert cio.load_torch_weights(model, path, strip_prefixes=("module.", "backbone.")).ok


def test_weights_of_a_part_hint_at_get_submodule(tmp_path):
    part = _build("transformer", torch, "float32").encoder
    st.save_file(part.state_dict(), str(tmp_path / "enc.safetensors"))
    model = transformer(chainrule)
    with pytest.raises(cio.WeightLoadError, match=r"get_submodule\('encoder'\)"):
        cio.load_torch_weights(model, tmp_path / "enc.safetensors")
    assert cio.load_torch_weights(model.get_submodule("encoder"), tmp_path / "enc.safetensors").ok


def test_stripping_that_makes_two_keys_collide_is_an_error():
    with pytest.raises(ValueError, match=r"maps both 'module\.weight' and 'weight' to 'weight'"):
        cio.load_torch_weights(chainrule.nn.Linear(2, 2), {"module.weight": np.zeros((2, 2)), "weight": np.zeros((2, 2))},
                               strip_prefixes=True)


@pytest.mark.parametrize("bad", [[""], 3, ("module.", None)])
def test_bad_strip_prefixes(bad):
    with pytest.raises(TypeError, match="strip_prefixes must be"):
        cio.load_torch_weights(chainrule.nn.Linear(2, 2), {}, strip_prefixes=bad)
