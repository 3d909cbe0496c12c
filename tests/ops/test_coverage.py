"""Every differentiable primitive in chainrule.ops appears in the graph of at least one op case."""

from __future__ import annotations

import inspect
import sys

import chainrule.linalg as linalg_pkg
import chainrule.nn.functional as functional_pkg
import chainrule.ops as ops_pkg
from chainrule.autograd.function import Function

from .cases import CASES
from .harness import graph_ops


def _primitives() -> set[str]:
    names = set()
    for pkg in (ops_pkg, functional_pkg, linalg_pkg):
        names |= _package_primitives(pkg)
    return names


def _package_primitives(pkg: object) -> set[str]:
    """Function subclasses defined in the submodules of ``pkg`` (found via sys.modules, since a
    function such as ``F.linear`` may shadow its submodule's name on the package)."""
    names = set()
    for mod_name, mod in list(sys.modules.items()):
        if mod is not None and mod_name.startswith(pkg.__name__ + "."):
            for _, obj in inspect.getmembers(mod, inspect.isclass):
                if issubclass(obj, Function) and obj is not Function and obj.__module__ == mod.__name__:
                    names.add(obj.__name__)
    return names


def test_every_primitive_has_a_case() -> None:
    covered: set[str] = set()
    for case in CASES:
        covered |= graph_ops(case)
    missing = _primitives() - covered
    assert not missing, f"ops without an op case in tests/ops/cases_*.py: {sorted(missing)}"


# Reached through Tensor methods and operators rather than by name: .to()/.double(), .copy_(), x[i] = v.
_VIA_METHODS = {"cast": ".double(", "copy_from": ".copy_(", "index_put": "__setitem__", "getitem": "]"}


def test_every_public_op_is_exercised() -> None:
    """Each public function of chainrule.ops is called by some case (checked by name in the case source)."""
    sources = "\n".join(inspect.getsource(inspect.getmodule(c.fn)) for c in CASES)
    missing = [n for n in ops_pkg.__all__ if _VIA_METHODS.get(n, "\0") not in sources and f".{n}(" not in sources and f"'{n}'" not in sources and f'"{n}"' not in sources]
    assert not missing, f"public ops never called by an op case: {missing}"
