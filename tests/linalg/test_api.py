"""chainrule.linalg's surface: what torch.linalg has that we lack is exactly the documented list; every
public function is exercised by an op case and documented."""

from __future__ import annotations

import inspect
import pathlib

import pytest

import chainrule as cr

# Documented in README's "Documented differences": complex spectra (eig), Bunch-Kaufman (ldl).
NOT_PROVIDED = {"eig", "eigvals", "ldl_factor", "ldl_factor_ex", "ldl_solve"}


def test_torch_linalg_names_are_all_provided_but_the_documented_ones() -> None:
    torch = pytest.importorskip("torch", reason="PyTorch (test extra torch==2.13.0) is the oracle")
    theirs = {n for n in dir(torch.linalg) if not n.startswith("_") and callable(getattr(torch.linalg, n))}
    assert theirs - set(cr.linalg.__all__) == NOT_PROVIDED
    readme = (pathlib.Path(__file__).parents[2] / "README.md").read_text()
    for name in NOT_PROVIDED - {"ldl_factor_ex"}:
        assert f"`{name}" in readme or f"/`{name}`" in readme, name


def test_every_linalg_function_has_an_op_case() -> None:
    cases = "".join(p.read_text() for p in (pathlib.Path(__file__).parents[1] / "ops").glob("cases_linalg_*.py"))
    missing = [n for n in cr.linalg.__all__ if n != "LinAlgError" and f".linalg.{n}(" not in cases]
    assert not missing, f"linalg functions without an op case: {missing}"


@pytest.mark.parametrize("name", [n for n in cr.linalg.__all__ if n != "LinAlgError"])
def test_documented_and_annotated(name: str) -> None:
    fn = getattr(cr.linalg, name)
    assert inspect.getdoc(fn), name
    assert "return" in fn.__annotations__, name
