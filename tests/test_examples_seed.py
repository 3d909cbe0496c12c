"""Every example of the seed's sections runs and reaches its stated outcome (examples/01..10)."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import pytest

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"


def _load(name: str):
    spec = importlib.util.spec_from_file_location(f"example_{name}", EXAMPLES / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_every_example_has_a_docstring_and_main() -> None:
    scripts = sorted(EXAMPLES.glob("[0-9][0-9]_*.py"))
    assert [s.name[:2] for s in scripts] == [f"{i:02d}" for i in range(1, 16)]  # numbered 01-15, none missing
    for script in scripts:
        module = _load(script.stem)
        assert module.__doc__ and "Run:" in module.__doc__, script.name
        assert callable(module.main), script.name


def test_01_linear_regression_recovers_the_true_weights(capsys) -> None:
    module = _load("01_linear_regression")
    result = module.main()
    assert result["max_weight_error"] < 0.03
    assert result["w"] == pytest.approx(module.TRUE_W, abs=0.03)
    assert result["b"] == pytest.approx(module.TRUE_B, abs=0.03)
    assert result["final_mse"] < 0.012  # the noise variance is 0.01
    assert "learned w" in capsys.readouterr().out


def test_02_logistic_regression_separates_the_moons_linearly() -> None:
    result = _load("02_logistic_regression").main()
    assert result["train_accuracy"] > 0.83
    assert result["test_accuracy"] > 0.83
    assert result["test_loss"] < 0.35


def test_03_softmax_classification_and_its_gradient() -> None:
    result = _load("03_softmax_classification").main()
    assert result["softmax_grad_error"] < 1e-6  # ∂L/∂z = (softmax(z) − onehot(y)) / N
    assert result["test_accuracy"] > 0.9
    assert result["train_accuracy"] > 0.9


def test_04_backprop_by_hand_matches_autograd(capsys) -> None:
    result = _load("04_backprop_by_hand").main()
    assert result["max_error"] < 1e-12
    assert set(result) >= {"affine_error", "tanh_error", "two_layer_error", "batch_error"}
    assert "e xᵀ" in capsys.readouterr().out


def test_05_mlp_reaches_95_percent_on_digits() -> None:
    result = _load("05_mlp_digits").main()
    assert result["test_accuracy"] >= 0.95
    assert result["val_accuracy"] >= 0.93


def test_06_adam_and_momentum_beat_plain_sgd(tmp_path) -> None:
    out = tmp_path / "curves.png"
    result = _load("06_optimizers").main(out=str(out))
    final = result["final_loss"]
    assert set(final) == {"SGD", "Momentum", "RMSProp", "Adam"}
    assert final["Adam"] < 0.5 * final["SGD"]
    assert final["Momentum"] < 0.5 * final["SGD"]
    assert final["RMSProp"] < final["SGD"]
    assert all(len(c) == 301 for c in result["curves"].values())
    assert len({c[0] for c in result["curves"].values()}) == 1  # the same start for all four
    assert result["plotted"] and out.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_06_skips_the_plot_without_matplotlib(tmp_path, monkeypatch, capsys) -> None:
    monkeypatch.setitem(sys.modules, "matplotlib.figure", None)  # makes the import fail
    out = tmp_path / "curves.png"
    result = _load("06_optimizers").main(steps=3, out=str(out))
    assert not result["plotted"] and not out.exists()
    assert "skipping the plot" in capsys.readouterr().out


def test_07_regularization_lowers_the_validation_loss() -> None:
    results = _load("07_regularization").main()
    plain = results["none"]
    assert plain["train_loss"] < 0.05 < plain["val_loss"] - plain["train_loss"]  # over-fits: a big gap
    for name in ("weight decay", "dropout", "all three"):
        assert results[name]["val_loss"] < plain["val_loss"], name
    assert results["all three"]["val_loss"] < 0.8 * plain["val_loss"]
    assert results["all three"]["test_accuracy"] > plain["test_accuracy"]
    assert results["all three"]["epochs"] < 150  # early stopping stopped it


def test_08_cnn_reaches_95_percent_on_digit_images() -> None:
    result = _load("08_cnn_digits").main()
    assert result["test_accuracy"] >= 0.95


@pytest.mark.parametrize(("task", "steps"), [("sort", 400), ("reverse", 150)])
def test_09_attention_learns_the_sequence_task(task: str, steps: int) -> None:
    result = _load("09_attention_toy").main(task, steps=steps)
    assert result["token_accuracy"] > 0.98
    assert result["sequence_accuracy"] > 0.9


def test_09_rejects_an_unknown_task() -> None:
    with pytest.raises(ValueError, match="sort"):
        _load("09_attention_toy").main("shuffle")


def test_10_residual_layernorm_with_warmup_cosine() -> None:
    result = _load("10_residual_layernorm_warmup").main()
    assert result["final_val_mse"] < 0.05 * result["initial_val_mse"]
    assert result["final_val_mse"] < 0.03
    lrs, warmup = result["lrs"], result["warmup_steps"]
    assert all(a < b for a, b in zip(lrs[:warmup], lrs[1 : warmup + 1]))  # warmup rises ...
    assert result["peak_step"] == warmup and lrs[warmup] == pytest.approx(3e-3)  # ... to the base lr
    assert all(a >= b for a, b in zip(lrs[warmup:], lrs[warmup + 1 :]))  # then decays ...
    assert result["final_lr"] == pytest.approx(1e-5)  # ... to the floor
