"""The higher-order examples run and reach their stated outcome."""

from __future__ import annotations

import importlib.util
from pathlib import Path

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"


def _load(name: str):
    spec = importlib.util.spec_from_file_location(name, EXAMPLES / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_11_newton_converges_in_a_handful_of_steps_with_the_closed_form_hessian() -> None:
    r = _load("11_newton_logistic_regression").main()
    assert r["hessian_err"] < 1e-12  # autograd's Hessian is XᵀSX/N
    assert r["newton_steps"] <= 10
    assert r["gd_steps"] >= 10 * r["newton_steps"]
    assert 0.25 < r["loss"] < 0.35


def test_12_gradient_penalty_gradient_matches_finite_differences_and_training_moves_norms_to_one() -> None:
    r = _load("12_gradient_penalty").main()
    assert r["fd_err"] < 1e-6  # ∂penalty/∂θ through ∇ₓD, against central differences
    assert r["gap_after"] < 0.5 * r["gap_before"]
    assert r["wasserstein"] > 1.0


def test_14_maml_meta_gradient_matches_finite_differences_and_meta_training_helps() -> None:
    r = _load("14_maml_inner_step").main()
    assert r["fd_err"] < 1e-6  # through the inner SGD step, Hessian term included
    assert r["first_order_gap"] > 1e-3  # first-order MAML is a different gradient
    assert r["after"] < 0.8 * r["before"]


def test_15_mlp_jacobian_is_the_product_of_layer_jacobians() -> None:
    errors = _load("15_mlp_jacobian").main()
    assert set(errors) == {"tanh", "sigmoid"}
    assert max(errors.values()) < 1e-12


def test_13_per_sample_gradients_with_vmap_equal_a_loop_of_single_example_gradients() -> None:
    r = _load("13_per_sample_gradients").main()
    assert r["n"] == 64 and r["max_err"] < 1e-6 and r["norm_err"] < 1e-5
    assert r["mean_err"] < 1e-6  # their mean is the ordinary batch gradient
    assert r["clipped_norm_max"] <= 1.5 + 1e-5
