"""Every public name has a docstring: ``help()`` is how a reader meets the library.

The walk is generic (modules are found at run time), so names added later are checked too:
every public module of the package (no path component starting with ``_``), every name it exports
(``__all__``, else every public name defined in the package), and, for each public class (``Tensor``
included), every public method and property it defines. A method that overrides a documented base
method inherits its docstring, as ``help()`` shows it.
"""

from __future__ import annotations

import importlib
import inspect
import pkgutil
import types

import pytest

import chainrule

# Optional dependencies a subpackage may need at import; a module that cannot be imported for want
# of one of these is skipped (and named in the skip message), anything else is an error.
_OPTIONAL = {"onnx", "onnxruntime", "mpi4py", "matplotlib", "PIL", "torch"}


def _public_modules() -> tuple[list[types.ModuleType], list[str]]:
    """Import every public module of chainrule; return (modules, names skipped for a missing extra)."""
    modules = [chainrule]
    skipped = []
    for info in pkgutil.walk_packages(chainrule.__path__, "chainrule.", onerror=lambda name: None):
        if any(part.startswith("_") for part in info.name.split(".")):
            continue
        try:
            modules.append(importlib.import_module(info.name))
        except ModuleNotFoundError as e:
            if (e.name or "").split(".")[0] not in _OPTIONAL:
                raise
            skipped.append(f"{info.name} (needs {e.name})")
    return modules, skipped


def _ours(obj: object) -> bool:
    return (getattr(obj, "__module__", None) or "").split(".")[0] == "chainrule"


def _exported(module: types.ModuleType) -> list[tuple[str, object]]:
    """The module's public names: ``__all__`` if it has one, else public names defined in chainrule."""
    names = getattr(module, "__all__", None)
    if names is None:
        names = [n for n, v in vars(module).items() if not n.startswith("_") and _ours(v)]
    return [(n, getattr(module, n)) for n in names if hasattr(module, n)]


def _documented(obj: object) -> bool:
    return bool((inspect.getdoc(obj) or "").strip())


def _members(cls: type) -> list[tuple[str, object]]:
    """Public methods and properties ``cls`` itself defines (inherited ones are checked on their class)."""
    out = []
    for name, raw in vars(cls).items():
        if name.startswith("_"):
            continue
        if isinstance(raw, (staticmethod, classmethod)):
            raw = raw.__func__
        if isinstance(raw, property) or inspect.isfunction(raw):
            out.append((name, getattr(cls, name) if not isinstance(raw, property) else raw))
    return out


def _member_documented(cls: type, name: str, member: object) -> bool:
    if isinstance(member, property):
        if (member.__doc__ or "").strip():
            return True
        # an overriding property inherits the base property's docstring, as help() shows it
        return any(
            isinstance(vars(base).get(name), property) and (vars(base)[name].__doc__ or "").strip()
            for base in cls.__mro__[1:]
        )
    return _documented(member)


def undocumented_public_names() -> tuple[list[str], list[str]]:
    """Module-qualified public names without a docstring, and the modules skipped."""
    modules, skipped = _public_modules()
    return _undocumented(modules), skipped


def _undocumented(modules: list[types.ModuleType]) -> list[str]:
    missing: set[str] = set()
    seen: set[int] = set()  # exported objects already checked
    walked: set[int] = set()  # classes whose own members were checked
    for module in modules:
        if not (module.__doc__ or "").strip():
            missing.add(f"{module.__name__} (module)")
        for name, obj in _exported(module):
            if isinstance(obj, types.ModuleType) or not (inspect.isclass(obj) or callable(obj)):
                continue  # submodules are walked themselves; constants (dtypes, generators) are data
            if not _ours(obj) or id(obj) in seen:
                continue
            seen.add(id(obj))
            where = f"{obj.__module__}.{getattr(obj, '__qualname__', name)}"
            label = f"{module.__name__}.{name}" + (
                "" if where == f"{module.__name__}.{name}" else f" [{where}]"
            )
            if not _documented(obj):
                missing.add(label)
            if inspect.isclass(obj):
                for cls in obj.__mro__:  # private bases too: their members are public on obj
                    if not _ours(cls) or id(cls) in walked:
                        continue
                    walked.add(id(cls))
                    for mname, member in _members(cls):
                        if not _member_documented(cls, mname, member):
                            missing.add(f"{cls.__module__}.{cls.__qualname__}.{mname}")
    return sorted(missing)


def test_every_public_name_has_a_docstring() -> None:
    missing, skipped = undocumented_public_names()
    if missing:
        pytest.fail(
            f"{len(missing)} public names have no docstring (add a short one: formula, shapes, "
            f"PyTorch difference; skipped modules: {skipped or 'none'}):\n  " + "\n  ".join(missing),
            pytrace=False,
        )


def test_tensor_methods_share_the_op_docstring() -> None:
    """``Tensor.exp`` documents itself with ``chainrule.exp``'s docstring, not a second copy of the text."""
    for name in ("exp", "sum", "view", "matmul", "gather", "softmax", "add_", "clamp_", "clip_"):
        op_doc = inspect.getdoc(getattr(chainrule, name.rstrip("_")))
        assert op_doc, name
        assert op_doc in inspect.getdoc(getattr(chainrule.Tensor, name)), name
    # a method with a docstring of its own keeps it
    assert inspect.getdoc(chainrule.Tensor.to) != inspect.getdoc(chainrule.ops.cast)


def test_the_walk_finds_every_kind_of_undocumented_name() -> None:
    """The check itself reports an undocumented function, class, method, property and module."""
    module = types.ModuleType("chainrule.fake_public_module")

    def undocumented(x: int) -> int:
        return x

    class Documented:
        """A class."""

        def method(self) -> None:
            pass

        @property
        def prop(self) -> int:
            return 0

        def documented(self) -> None:
            """A method."""

    class Bare:
        def method(self) -> None:
            pass

    class Child(Bare):
        """Listed before its base: the base is still checked once, with its members."""

        def method(self) -> None:  # overrides an undocumented method: nothing to inherit
            pass

    for obj in (undocumented, Documented, Bare, Child):
        obj.__module__ = module.__name__
    module.__all__ = ["undocumented", "Documented", "Child", "Bare"]
    module.undocumented, module.Documented, module.Bare, module.Child = undocumented, Documented, Bare, Child
    name = module.__name__
    assert _undocumented([module]) == sorted(
        [
            f"{name} (module)",
            f"{name}.undocumented [{name}.{undocumented.__qualname__}]",
            f"{name}.Bare [{name}.{Bare.__qualname__}]",
            f"{name}.{Bare.__qualname__}.method",
            f"{name}.{Child.__qualname__}.method",
            f"{name}.{Documented.__qualname__}.method",
            f"{name}.{Documented.__qualname__}.prop",
        ]
    )
