"""The Jacobian of an MLP is the product of its layers' Jacobians: the chain rule, as matrices.

For the seed's column-form MLP  x → z₁ = W₁x + b₁ → h₁ = σ(z₁) → z₂ = W₂h₁ + b₂ → h₂ = σ(z₂) → y = W₃h₂ + b₃,
each layer's Jacobian is a matrix: ∂z/∂x = W for an affine layer and ∂h/∂z = diag(σ′(z)) for an
elementwise activation. The chain rule multiplies them:

    ∂y/∂x = W₃ · diag(σ′(z₂)) · W₂ · diag(σ′(z₁)) · W₁

Reverse mode (``func.jacrev``: one backward per output, rows of J, i.e. vectors multiplied from the
left) and forward mode (``func.jacfwd``: one dual-number forward pass per input, columns of J,
vectors multiplied from the right) evaluate the same product in opposite orders. The example builds
the product by hand and checks both — plus ``autograd.functional.jacobian`` in forward mode and a
single Jacobian-vector product ``func.jvp`` — against it (float64), for tanh and for the sigmoid.

Run:  python examples/15_mlp_jacobian.py
"""

from __future__ import annotations

import chainrule as cr
from chainrule import nn


def layer_product(model: nn.Sequential, x: cr.Tensor, dsigma) -> cr.Tensor:
    """W₃ · diag(σ′(z₂)) · W₂ · diag(σ′(z₁)) · W₁, with the z's from a forward pass of ``x``."""
    J = cr.eye(x.shape[0], dtype=x.dtype)
    h = x
    with cr.no_grad():
        for layer in model:
            if isinstance(layer, nn.Linear):
                J = layer.weight @ J  # ∂z/∂h = W
                h = layer(h)
            else:
                J = cr.diag(dsigma(h)) @ J  # ∂σ(z)/∂z = diag(σ′(z)), h holds z here
                h = layer(h)
    return J


def main(seed: int = 0) -> dict:
    cr.manual_seed(seed)
    derivatives = {
        "tanh": (nn.Tanh, lambda z: 1 - cr.tanh(z) ** 2),
        "sigmoid": (nn.Sigmoid, lambda z: cr.sigmoid(z) * (1 - cr.sigmoid(z))),
    }
    errors = {}
    for name, (act, dsigma) in derivatives.items():
        model = nn.Sequential(nn.Linear(4, 6), act(), nn.Linear(6, 5), act(), nn.Linear(5, 3)).double()
        x = cr.randn(4, dtype=cr.float64)
        J = layer_product(model, x, dsigma)
        J_rev = cr.func.jacrev(model)(x)
        J_fwd = cr.func.jacfwd(model)(x)
        J_fm = cr.autograd.functional.jacobian(model, x, strategy="forward-mode", vectorize=True)
        v = cr.randn(4, dtype=cr.float64)
        _, Jv = cr.func.jvp(model, (x,), (v,))
        err = max(
            (J_rev - J).abs().max().item(),
            (J_fwd - J).abs().max().item(),
            (J_fm - J).abs().max().item(),
            (Jv - J @ v).abs().max().item(),
        )
        errors[name] = err
        print(f"{name}: J is {tuple(J.shape)}; jacrev, jacfwd, jacobian(forward-mode) and jvp agree with "
              f"W₃·diag(σ′(z₂))·W₂·diag(σ′(z₁))·W₁ to {err:.1e}")  # fmt: skip
        assert J_rev.shape == J_fwd.shape == (3, 4)
        assert err < 1e-12, (name, err)
    return errors


if __name__ == "__main__":
    main()
