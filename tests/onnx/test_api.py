"""export()'s arguments, files, modes and errors."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from typing import Any

import numpy as np
import pytest

import chainrule as cr
import chainrule.nn.functional as F
from chainrule import nn
from chainrule.onnx import TracerWarning, UnsupportedOperatorError

from .harness import Fn, check_export, onnx, ort, session


def _dims(vi: Any) -> list[Any]:
    return [d.dim_param or d.dim_value for d in vi.type.tensor_type.shape.dim]


def test_names_and_default_dynamic_batch() -> None:
    proto, sess = session(nn.Linear(3, 2), cr.randn(4, 3), input_names=["features"], output_names=["logits"])
    assert [i.name for i in sess.get_inputs()] == ["features"]
    assert [o.name for o in sess.get_outputs()] == ["logits"]
    assert _dims(proto.graph.input[0]) == ["batch", 3]
    assert _dims(proto.graph.output[0]) == ["batch", 2]


def test_empty_dynamic_axes_makes_every_dim_static() -> None:
    proto, sess = session(nn.Linear(3, 2), cr.randn(4, 3), dynamic_axes={})
    assert _dims(proto.graph.input[0]) == [4, 3]
    with pytest.raises(Exception, match="dimensions"):
        sess.run(None, {"input": np.zeros((5, 3), np.float32)})


def test_dynamic_axes_labels_and_lists() -> None:
    axes = {"x": {0: "n", 1: "length"}, "y": [0, 1]}
    model = Fn(lambda x: x * 2)
    proto = check_export(
        model, lambda b: cr.randn(b, b + 1), input_names=["x"], output_names=["y"], dynamic_axes=axes
    )
    assert _dims(proto.graph.input[0]) == ["n", "length"]
    assert _dims(proto.graph.output[0]) == ["y_dynamic_axes_0", "y_dynamic_axes_1"]


def test_tuple_inputs_kwargs_and_several_outputs() -> None:
    class Two(nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.a, self.b = nn.Linear(3, 2), nn.Linear(4, 2)

        def forward(self, x: cr.Tensor, y: cr.Tensor, scale: cr.Tensor | None = None) -> Any:
            s = self.a(x) + self.b(y)
            return s * scale, (s.relu(), y.sum(1))

    def make(b: int) -> tuple:
        return cr.randn(b, 3), cr.randn(b, 4), {"scale": cr.rand(b, 1)}

    model = Two()
    proto, sess = session(model, make(2), input_names=["x", "y", "scale"])
    assert [o.name for o in sess.get_outputs()] == ["output_0", "output_1", "output_2"]
    for b in (2, 5):
        x, y, kw = make(b)
        got = sess.run(None, {"x": x.numpy(), "y": y.numpy(), "scale": kw["scale"].numpy()})
        with cr.no_grad():
            s, (r, t) = model(x, y, **kw)
        for g_, w in zip(got, (s, r, t)):
            np.testing.assert_allclose(g_, w.numpy(), rtol=1e-4, atol=1e-5)


def test_multiple_outputs_match() -> None:
    model = Fn(lambda x, y: (x + y, x * y, (x - y).sum(1)))
    check_export(model, lambda b: (cr.randn(b, 3), cr.randn(b, 3)))


def test_writes_a_file_atomically(tmp_path: Path) -> None:
    path = tmp_path / "m.onnx"
    path.write_bytes(b"old")
    model = nn.Sequential(nn.Linear(3, 4), nn.ReLU())
    cr.onnx.export(model, cr.randn(2, 3), path)
    loaded = onnx.load(str(path))
    onnx.checker.check_model(loaded)
    sess = ort.InferenceSession(str(path), providers=["CPUExecutionProvider"])
    x = np.random.randn(6, 3).astype(np.float32)
    np.testing.assert_allclose(
        sess.run(None, {"input": x})[0], model(cr.tensor(x)).detach().numpy(), rtol=1e-5
    )
    assert [p.name for p in tmp_path.iterdir()] == ["m.onnx"]


def test_mode_and_requires_grad_are_restored() -> None:
    model = nn.Sequential(nn.Linear(3, 4), nn.BatchNorm1d(4), nn.Dropout(0.5))
    model.train()
    session(model, cr.randn(5, 3))
    assert model.training and all(m.training for m in model.modules())
    assert all(p.requires_grad for p in model.parameters())
    model.eval()
    session(model, cr.randn(5, 3))
    assert not model.training and not model[2].training
    model.train()
    model[1].eval()  # a frozen BatchNorm inside a training model keeps its own mode
    session(model, cr.randn(5, 3))
    assert [m.training for m in model.modules()] == [True, True, False, True]


def test_export_leaves_chainrule_unpatched() -> None:
    add, relu, call, relu_fn = cr.ops.add, F.relu, nn.Module.__call__, vars(nn.ReLU)["_fn"]
    session(nn.Sequential(nn.Linear(2, 2), nn.ReLU()), cr.randn(2, 2))
    assert cr.ops.add is add and F.relu is relu and nn.Module.__call__ is call
    assert vars(nn.ReLU)["_fn"] is relu_fn and nn.ReLU._fn is relu
    assert "T" not in vars(cr.Tensor) and "float" not in vars(cr.Tensor)


def test_unsupported_operator_names_the_op() -> None:
    with pytest.raises(UnsupportedOperatorError, match="'median'"):
        session(Fn(lambda x: x.median(dim=1).values), cr.randn(2, 3))
    with pytest.raises(UnsupportedOperatorError, match="'pad'.*circular needs opset 19"):
        session(Fn(lambda x: F.pad(x, (1, 1), mode="circular")), cr.randn(2, 3, 4))
    with pytest.raises(UnsupportedOperatorError, match="'max_pool2d'.*return_indices"):
        session(nn.MaxPool2d(2, return_indices=True), cr.randn(1, 1, 4, 4))
    with pytest.raises(UnsupportedOperatorError, match="'randn_like'"):
        session(Fn(lambda x: x + cr.randn_like(x)), cr.randn(2, 3))
    with pytest.raises(UnsupportedOperatorError, match="'div'.*rounding_mode"):
        session(Fn(lambda x: cr.div(x, 2, rounding_mode="floor")), cr.randn(2, 3))


def test_an_op_that_escapes_tracing_is_reported_not_baked_in() -> None:
    exp = cr.ops.exp  # captured before export: the call is not recorded, but its result is detected

    with pytest.raises(UnsupportedOperatorError, match="'Exp'.*could not see"):
        session(Fn(lambda x: exp(x) + 1), cr.randn(2, 3))


def test_bad_arguments_are_named() -> None:
    with pytest.raises(ValueError, match="opset_version"):
        session(nn.Linear(2, 2), cr.randn(1, 2), opset_version=9)
    with pytest.raises(TypeError, match="no Tensor"):
        session(nn.Linear(2, 2), (3,))
    with pytest.raises(ValueError, match="dynamic_axes"):
        session(nn.Linear(2, 2), cr.randn(1, 2), dynamic_axes={"input": [5]})
    with pytest.warns(UserWarning, match=r"dynamic_axes names \['inputs'\]"):
        session(nn.Linear(2, 2), cr.randn(1, 2), dynamic_axes={"inputs": [0]})
    with pytest.raises(ValueError, match="both inputs and outputs"):
        session(nn.Linear(2, 2), (cr.randn(1, 2),), input_names=["a"], output_names=["a"])


def test_unused_input_warns() -> None:
    with pytest.warns(UserWarning, match="input_1.*not used"):
        session(Fn(lambda x, y: x * 2), (cr.randn(2, 2), cr.randn(2, 2)))


def test_import_chainrule_does_not_import_onnx() -> None:
    code = "import sys, chainrule, chainrule.onnx; assert 'onnx' not in sys.modules and 'onnxruntime' not in sys.modules"
    subprocess.run([sys.executable, "-c", code], check=True)


def test_python_values_from_traced_tensors_warn() -> None:
    model = Fn(lambda x: x * 2 if x.sum().item() > -1e9 else x)
    with pytest.warns(TracerWarning, match="Tensor.item"):
        session(model, cr.randn(2, 3))


def test_a_failed_export_restores_everything() -> None:
    model = nn.Sequential(nn.Linear(2, 3), nn.Dropout(0.5), Fn(lambda x: x.median(dim=1).values))
    model.train()
    add, item = cr.ops.add, cr.Tensor.item
    with pytest.raises(UnsupportedOperatorError):
        session(model, cr.randn(2, 2))
    assert cr.ops.add is add and cr.Tensor.item is item
    assert model.training and model[0].weight.requires_grad
    session(nn.Linear(2, 2), cr.randn(2, 2))  # the next export works


def test_export_inside_no_grad() -> None:
    with cr.no_grad():
        check_export(nn.Sequential(nn.Linear(3, 3), nn.GELU()), lambda b: cr.randn(b, 3))
        with pytest.raises(UnsupportedOperatorError, match="'Exp'"):
            exp = cr.ops.exp
            session(Fn(lambda x: exp(x) * 2), cr.randn(2, 3))


@pytest.mark.parametrize("opset", [17, 18, 19, 20, 21])
def test_every_supported_opset(opset: int) -> None:
    model = nn.Sequential(
        nn.Conv2d(2, 4, 3), nn.GroupNorm(2, 4), nn.RMSNorm([4, 3, 3]), nn.Flatten(), nn.LayerNorm(36)
    )
    body = Fn(
        lambda x: (lambda a, b: a.amax(1) * b.mean(1) + F.normalize(a, dim=1).sum(1))(*model(x).chunk(2, 1))
    )
    proto = check_export(body, lambda b: cr.randn(b, 2, 5, 5), opset_version=opset)
    assert proto.opset_import[0].version == opset


def test_missing_onnx_package_is_named() -> None:
    code = (
        "import sys; sys.modules['onnx'] = None\n"
        "import chainrule as cr\n"
        "try:\n"
        "    cr.onnx.export(cr.nn.Linear(2, 2), cr.randn(1, 2), 'never.onnx')\n"
        "except ImportError as e:\n"
        "    assert str(e) == cr.onnx.INSTALL_HINT and 'pip install onnx onnxruntime' in str(e), e\n"
        "else:\n"
        "    raise SystemExit('no ImportError')\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


def test_an_unseen_in_place_write_is_reported() -> None:
    def forward(x: cr.Tensor) -> cr.Tensor:
        y = x * 2
        y.fill_(1.0)  # no ONNX mapping: the graph would silently use y's old value
        return y + x

    with pytest.raises(UnsupportedOperatorError, match="in place"):
        session(Fn(forward), cr.randn(2, 3))


def test_in_place_activation_layers() -> None:
    model = nn.Sequential(nn.Linear(3, 4), nn.ReLU(inplace=True), nn.Linear(4, 4), nn.Hardtanh(inplace=True))
    proto = check_export(model, lambda b: cr.randn(b, 3))
    assert [n.op_type for n in proto.graph.node].count("Relu") == 1


def test_every_handler_key_names_a_real_function() -> None:
    from chainrule.onnx import _trace

    with _trace.tracing(_trace.Graph(17), nn.Linear(1, 1)):  # registers the handlers
        pass
    from chainrule.nn.functional import rnn as FR  # torch.lstm/gru/rnn_*(_cell) live there, outside F.__all__

    spaces = {"ops": set(cr.ops.__all__) | set(_trace._LIKE), "F": set(F.__all__) | set(FR.__all__)}
    spaces["Tensor"] = {"cast", "identity", "T", "mT"}
    dead = [k for k in _trace.HANDLERS if k.split(".", 1)[1] not in spaces[k.split(".", 1)[0]]]
    assert dead == []


def test_torch_compatible_keywords(capsys: pytest.CaptureFixture[str]) -> None:
    proto, _ = session(
        nn.Linear(2, 3), cr.randn(2, 2), export_params=True, do_constant_folding=True, verbose=True
    )
    assert "MatMul" in capsys.readouterr().out
    assert proto.producer_name == "chainrule" and proto.producer_version == cr.__version__
    with pytest.raises(ValueError, match="export_params=False"):
        session(nn.Linear(2, 3), cr.randn(2, 2), export_params=False)


def test_parameter_names_do_not_clash_with_input_and_output_names() -> None:
    class Named(nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.input = nn.Parameter(cr.randn(3))
            self.output = nn.Parameter(cr.randn(3))

        def forward(self, x: cr.Tensor) -> cr.Tensor:
            return x * self.input + self.output

    check_export(Named(), lambda b: cr.randn(b, 3))
