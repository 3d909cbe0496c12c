"""``chainrule.Tensor``: a NumPy array plus the bookkeeping autograd needs.

The math lives in ``chainrule.ops``; the methods here and in ``_tensor_methods.py`` are thin calls
into it. ``__slots__`` and the ``_make`` constructor keep the per-tensor cost small, which is most
of what a small model spends.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import numpy as np

from . import _dtype
from ._device import check_device, cpu
from ._format import tensor_repr
from ._tensor_methods import TensorMethods
from .autograd import function as _function
from .autograd.engine import run_backward as _run_backward

__all__ = ["Tensor"]

_new = object.__new__


class Tensor(TensorMethods):
    """A multi-dimensional array with PyTorch's semantics and reverse-mode autograd.

    ``Tensor(data)`` builds a float32 tensor from nested lists (like ``torch.Tensor``);
    ``Tensor(2, 3)`` an uninitialized 2x3 one. Prefer ``chainrule.tensor(data)``, which infers
    the dtype.

    ``help()`` lists the methods in three groups, by the class that defines them:
    here, metadata, autograd state and conversions (``shape``, ``dtype``, ``grad``, ``backward``,
    ``detach``, ``item``, ``numpy``); from ``TensorMethods``, the operators, the in-place methods
    (a trailing ``_``, as ``add_``, writes into the tensor) and dtype conversions (``to``, ``float``);
    from ``TensorOpMethods``, math, reductions, shape and indexing: ``x.exp()`` is
    ``chainrule.exp(x)`` and shows that op's docstring (formula, shapes, PyTorch differences).
    The data is a NumPy array (``numpy()`` shares it); ``view`` copies where PyTorch would refuse.
    """

    __module__ = "chainrule"  # type(t) prints <class 'chainrule.Tensor'>, as PyTorch's <class 'torch.Tensor'>

    __slots__ = (
        "_data",
        "_requires_grad",
        "_grad",
        "_grad_fn",
        "_output_nr",
        "_vc",
        "_hooks",
        "_post_hooks",
        "_retains_grad",
        "__weakref__",
    )
    __array_priority__ = 1000
    __array_ufunc__ = None  # NumPy defers to our reflected operators: ndarray + Tensor -> Tensor

    def __init__(self, *args: Any, dtype: Any = None, device: Any = None) -> None:
        check_device(device, "Tensor")
        if len(args) == 1 and not isinstance(args[0], (int, np.integer)):
            data = args[0]
            data = data._data if isinstance(data, Tensor) else data
            target = _dtype.to_dtype(dtype) if dtype is not None else _dtype.get_default_dtype()
            arr = np.array(data, dtype=target.np)
        else:
            shape = tuple(int(a) for a in args)
            arr = np.empty(shape, dtype=_dtype.to_dtype(dtype).np if dtype else np.float32)
        _init(self, arr)

    @staticmethod
    def _make(data: np.ndarray, requires_grad: bool = False) -> Tensor:
        """Wrap an ndarray without copying (internal; no checks)."""
        t = _new(Tensor)
        t._data = data
        t._requires_grad = requires_grad
        t._grad = None
        t._grad_fn = None
        t._output_nr = 0
        t._vc = None
        t._hooks = None
        t._post_hooks = None
        t._retains_grad = False
        return t

    # --- metadata --------------------------------------------------------------------------------
    @property
    def shape(self) -> Size:
        """The shape as a ``chainrule.Size`` (a tuple of ints)."""
        return Size(self._data.shape)

    def size(self, dim: int | None = None) -> Any:
        """The shape, or the length of dimension ``dim``."""
        if dim is None:
            return Size(self._data.shape)
        return self._data.shape[_dim(dim, self._data.ndim, "size")]

    @property
    def dtype(self) -> _dtype.dtype:
        """The element type (``chainrule.float32``, ``chainrule.int64``...)."""
        return _dtype._FROM_NP[self._data.dtype]

    @property
    def ndim(self) -> int:
        """Number of dimensions (0 for a scalar tensor)."""
        return self._data.ndim

    def dim(self) -> int:
        """Number of dimensions (0 for a scalar tensor); ``ndimension`` is the same."""
        return self._data.ndim

    ndimension = dim

    def numel(self) -> int:
        """Number of elements: the product of the shape (1 for a 0-d tensor); ``nelement`` is the same."""
        return int(self._data.size)

    nelement = numel

    def element_size(self) -> int:
        """Bytes per element (4 for float32)."""
        return int(self._data.itemsize)

    @property
    def itemsize(self) -> int:
        """Bytes per element (4 for float32)."""
        return int(self._data.itemsize)

    @property
    def nbytes(self) -> int:
        """Bytes of all elements: ``numel() * element_size()``."""
        return int(self._data.nbytes)

    @property
    def device(self) -> Any:
        """Always ``device('cpu')``: chainrule computes on the CPU."""
        return cpu

    @property
    def is_cuda(self) -> bool:
        """Always False: chainrule computes on the CPU."""
        return False

    @property
    def is_cpu(self) -> bool:
        """Always True: chainrule computes on the CPU."""
        return True

    # Other devices and layouts PyTorch scripts test for: never, here.
    is_mps = is_xpu = is_ipu = is_mtia = is_vulkan = is_xla = is_maia = is_meta = property(
        lambda self: False, doc="Always False: chainrule computes on the CPU, with no other device.")
    is_quantized = is_sparse = is_mkldnn = is_nested = property(
        lambda self: False, doc="Always False: chainrule tensors are dense, strided NumPy arrays.")

    def is_floating_point(self) -> bool:
        """True for a floating dtype (float16, float32, float64; bfloat16 is stored as float32)."""
        return self._data.dtype.kind == "f"

    def is_contiguous(self, memory_format: Any = None) -> bool:
        """Row-major contiguity (or, for ``channels_last``/``channels_last_3d``, that of the channels-last order)."""
        name = getattr(memory_format, "name", None)
        if name in ("channels_last", "channels_last_3d") and self._data.ndim == (4 if name == "channels_last" else 5):
            return bool(np.moveaxis(self._data, 1, -1).flags.c_contiguous)
        return bool(self._data.flags.c_contiguous)

    def stride(self, dim: int | None = None) -> Any:
        """Steps in elements between neighbours along each dim (a tuple), or along ``dim``.
        Read from the NumPy array: an expanded dim has stride 0, as in PyTorch.
        """
        strides = tuple(s // self._data.itemsize for s in self._data.strides)
        return strides if dim is None else strides[_dim(dim, self._data.ndim, "stride")]

    def data_ptr(self) -> int:
        """Address of the first element (tensors that share memory from the same start share it)."""
        return int(self._data.__array_interface__["data"][0])

    # --- autograd state --------------------------------------------------------------------------
    @property
    def requires_grad(self) -> bool:
        """Whether autograd records operations on this tensor; settable on leaves (floating dtypes only)."""
        return self._requires_grad

    @requires_grad.setter
    def requires_grad(self, value: bool) -> None:
        self.requires_grad_(value)

    def requires_grad_(self, requires_grad: bool = True) -> Tensor:
        """Set ``requires_grad`` in place (leaf tensors of a floating dtype only)."""
        if requires_grad and self._data.dtype.kind != "f":
            raise RuntimeError(
                f"requires_grad_: only Tensors of floating point dtype can require gradients; "
                f"got dtype {self.dtype}. Convert first, e.g. x.float().requires_grad_()."
            )
        if not requires_grad and self._grad_fn is not None:
            raise RuntimeError(
                "requires_grad_: you can only change requires_grad flags of leaf variables. "
                "Use detach() to get a tensor that does not require grad."
            )
        self._requires_grad = bool(requires_grad)
        return self

    @property
    def grad(self) -> Tensor | None:
        """The accumulated gradient ``∂L/∂self`` after ``backward()`` (same shape), or None.
        Reading it on a non-leaf that does not ``retain_grad()`` warns, as in PyTorch.
        """
        if self._grad_fn is not None and not self._retains_grad and self._grad is None:
            _warn_non_leaf_grad()
        return self._grad

    @grad.setter
    def grad(self, value: Tensor | None) -> None:
        if value is not None:
            if not isinstance(value, Tensor):
                raise TypeError(f"grad: expected a Tensor or None, got {type(value).__name__}")
            if value._data.shape != self._data.shape:
                raise RuntimeError(
                    f"grad: assigned grad has data of a different size; expected shape "
                    f"{tuple(self._data.shape)}, got {tuple(value._data.shape)}"
                )
        self._grad = value

    @property
    def grad_fn(self) -> Any:
        """The graph node that produced this tensor (None for leaves and tensors made under ``no_grad``)."""
        return self._grad_fn

    @property
    def is_leaf(self) -> bool:
        """True if no recorded op produced this tensor (``grad_fn is None``); backward fills its ``.grad``."""
        return self._grad_fn is None

    @property
    def retains_grad(self) -> bool:
        """True if ``retain_grad()`` was called on this non-leaf tensor."""
        return self._retains_grad

    @property
    def _version(self) -> int:
        return 0 if self._vc is None else self._vc[0]

    def _version_cell(self) -> list[int]:
        vc = self._vc
        if vc is None:
            vc = self._vc = [0]
        return vc

    def _bump_version(self) -> None:
        if self._vc is None:
            self._vc = [1]
        else:
            self._vc[0] += 1

    def retain_grad(self) -> None:
        """Keep ``.grad`` for this non-leaf tensor after backward."""
        if not self._requires_grad:
            raise RuntimeError("retain_grad: can't retain_grad on Tensor that has requires_grad=False")
        if self._grad_fn is None or self._retains_grad:
            return
        self._retains_grad = True
        ref = _weakref(self)
        _add_node_hook(self, lambda g: _store_retained(ref, g))

    def register_hook(self, hook: Callable[[Tensor], Tensor | None]) -> Any:
        """Call ``hook(grad)`` when this tensor's gradient is computed; it may return a new grad."""
        if not self._requires_grad:
            raise RuntimeError("register_hook: cannot register a hook on a tensor that doesn't require gradient")
        if self._grad_fn is None:
            if self._hooks is None:
                self._hooks = []
            self._hooks.append(hook)
            hooks = self._hooks
        else:
            hooks = _add_node_hook(self, hook)
            hook = hooks[-1]
        return _RemovableHandle(hooks, hook)

    def register_post_accumulate_grad_hook(self, hook: Callable[[Tensor], None]) -> Any:
        """Call ``hook(tensor)`` after a leaf's ``.grad`` has been accumulated."""
        if self._grad_fn is not None:
            raise RuntimeError("register_post_accumulate_grad_hook: only supported on leaf tensors")
        if self._post_hooks is None:
            self._post_hooks = []
        self._post_hooks.append(hook)
        return _RemovableHandle(self._post_hooks, hook)

    def backward(
        self,
        gradient: Any = None,
        retain_graph: bool | None = None,
        create_graph: bool = False,
        inputs: Any = None,
    ) -> None:
        """Accumulate d(self)/d(leaf) · gradient into every leaf's ``.grad``."""
        data = self._data
        if gradient is None and inputs is None and not create_graph and self._grad_fn is not None and data.size == 1:
            # the usual ``loss.backward()``: seed dL/dL = 1 and run the engine directly
            seed = np.array(1, data.dtype) if data.ndim == 0 else np.ones(data.shape, data.dtype)
            _run_backward([self], [seed], bool(retain_graph))
            return
        from .autograd import backward as _backward

        _backward([self], None if gradient is None else [gradient], retain_graph, create_graph, inputs=inputs)

    def detach(self) -> Tensor:
        """The same data, cut from the graph (shares memory and version counter)."""
        t = Tensor._make(self._data)
        t._vc = self._version_cell()
        return t

    def detach_(self) -> Tensor:
        """Cut this tensor from the graph in place (no ``grad_fn``, ``requires_grad=False``); returns it."""
        self._grad_fn = None
        self._requires_grad = False
        return self

    @property
    def data(self) -> Tensor:
        """The same array as a tensor outside autograd (no history, ``requires_grad=False``).
        Assigning ``x.data = t`` swaps the underlying array without recording anything.
        """
        return Tensor._make(self._data)

    @data.setter
    def data(self, value: Tensor) -> None:
        self._data = value._data if isinstance(value, Tensor) else np.asarray(value)

    # --- conversions -----------------------------------------------------------------------------
    def numpy(self, force: bool = False) -> np.ndarray:
        """The underlying array (shared memory). Like PyTorch, refuses a tensor that requires grad."""
        if self._requires_grad and not force:
            raise RuntimeError(
                "numpy: can't call numpy() on Tensor that requires grad. "
                "Use tensor.detach().numpy() instead."
            )
        return self._data

    def item(self) -> Any:
        """The value of a one-element tensor as a Python number; RuntimeError for more elements."""
        if self._data.size != 1:
            raise RuntimeError(
                f"item: a Tensor with {self._data.size} elements cannot be converted to Scalar; "
                f"expected 1 element, got shape {tuple(self._data.shape)}"
            )
        return self._data.item()

    def tolist(self) -> Any:
        """The values as (nested) Python lists of Python numbers; a 0-d tensor gives a number."""
        return self._data.tolist()

    def __array__(self, dtype: Any = None, copy: Any = None) -> np.ndarray:
        """``np.asarray(t)``: the underlying array (shared, not copied, when no dtype is asked)."""
        return self._data if dtype is None else self._data.astype(dtype)

    def cpu(self) -> Tensor:
        """The tensor itself (it is already on the CPU)."""
        return self

    def cuda(self, *args: Any, **kwargs: Any) -> Tensor:
        """Raises RuntimeError: chainrule has no CUDA device (``chainrule.cuda.is_available()`` is False)."""
        check_device("cuda", "Tensor.cuda")
        return self  # pragma: no cover - check_device raises

    def share_memory_(self) -> Tensor:
        """Move the data into shared memory, in place, so other processes see its updates; returns self.

        Forked children share it outright; ``chainrule.multiprocessing`` queues and 'spawn' starts pass
        it by file descriptor (see ``chainrule.multiprocessing``).
        """
        from .multiprocessing._shared import share_memory_

        return share_memory_(self)

    def is_shared(self) -> bool:
        """True once ``share_memory_`` moved the data into shared memory."""
        from .multiprocessing._shared import is_shared

        return is_shared(self)

    # --- Python protocol -------------------------------------------------------------------------
    def __repr__(self) -> str:
        """``tensor([...])`` with PyTorch's number formatting (see ``set_printoptions``)."""
        return tensor_repr(self)

    def __format__(self, format_spec: str) -> str:
        """``f"{loss:.4f}"``: a 0-d Tensor formats its value (also with an empty spec, as PyTorch);
        so does any one-element tensor (or Parameter) given a spec. Otherwise ``str(self)``."""
        if (self._data.ndim == 0 and type(self) is Tensor) or (format_spec and self._data.size == 1):
            return format(self._data.reshape(()).item(), format_spec)
        return object.__format__(self, format_spec)

    def __len__(self) -> int:
        """Size of the first dim; TypeError for a 0-d tensor."""
        if self._data.ndim == 0:
            raise TypeError("len() of a 0-d tensor")
        return self._data.shape[0]

    def __iter__(self) -> Iterator[Tensor]:
        """Iterate over the first dim (``unbind(0)``): each item is a view, recorded by autograd."""
        if self._data.ndim == 0:
            raise TypeError("iteration over a 0-d tensor")
        return iter(self.unbind(0))

    def __bool__(self) -> bool:
        """Truth value of a one-element tensor; RuntimeError for more elements (use ``any``/``all``)."""
        if self._data.size != 1:
            raise RuntimeError(
                f"Boolean value of Tensor with more than one value is ambiguous (shape "
                f"{tuple(self._data.shape)}); use .any() or .all()"
            )
        return bool(self._data)

    def __float__(self) -> float:
        """``float(t)`` of a one-element tensor."""
        return float(self.item())

    def __int__(self) -> int:
        """``int(t)`` of a one-element tensor (truncates toward zero)."""
        return int(self.item())

    def __index__(self) -> int:
        """A one-element integer tensor used as an index (``range(t)``, ``lst[t]``)."""
        if self._data.dtype.kind not in "iub" or self._data.size != 1:
            raise TypeError(
                f"only integer tensors of a single element can be converted to an index; "
                f"got dtype {self.dtype} and shape {tuple(self._data.shape)}"
            )
        return int(self._data.reshape(()))

    def __hash__(self) -> int:
        """Identity hash (tensors can be dict keys and set members; ``==`` is elementwise)."""
        return id(self)

    def __reduce_ex__(self, protocol: Any) -> Any:
        """Pickle support: the data and ``requires_grad`` (no history, no ``.grad``)."""
        return (_rebuild, (self._data, self._requires_grad))

    def __deepcopy__(self, memo: dict[int, Any]) -> Tensor:
        """A deep copy of a leaf: data, ``requires_grad`` and ``.grad``; non-leaves refuse."""
        if self._grad_fn is not None:
            raise RuntimeError(
                "deepcopy: only Tensors created explicitly by the user (graph leaves) support the "
                "deepcopy protocol; call .detach() first"
            )
        t = type(self).__new__(type(self))
        _init(t, self._data.copy())
        t._requires_grad = self._requires_grad
        if self._grad is not None:
            t._grad = Tensor._make(self._grad._data.copy())
        memo[id(self)] = t
        return t


class Size(tuple):  # type: ignore[type-arg]
    """A tensor's shape: a tuple of ints, printed like PyTorch's ``torch.Size``."""

    __module__ = "chainrule"  # chainrule.Size, as torch.Size

    def __repr__(self) -> str:
        return f"chainrule.Size({list(self)})"

    def numel(self) -> int:
        """Number of elements of a tensor of this shape: the product of the sizes (1 for ``Size([])``)."""
        n = 1
        for s in self:
            n *= s
        return n


class _RemovableHandle:
    """What a list-kept hook's ``register_*`` returns (tensor, graph-node and optimizer hooks):
    ``remove()`` unregisters it (a second call does nothing); also a context manager."""

    def __init__(self, hooks: list[Any], hook: Any) -> None:
        self._hooks, self._hook = hooks, hook

    def remove(self) -> None:
        """Unregister the hook."""
        if self._hook in self._hooks:
            self._hooks.remove(self._hook)

    def __enter__(self) -> _RemovableHandle:
        return self

    def __exit__(self, *exc: object) -> None:
        self.remove()


def _init(t: Tensor, arr: np.ndarray) -> None:
    """Initialize every slot (used by ``Tensor.__init__`` and subclasses such as Parameter)."""
    t._data = arr
    t._requires_grad = False
    t._grad = None
    t._grad_fn = None
    t._output_nr = 0
    t._vc = None
    t._hooks = None
    t._post_hooks = None
    t._retains_grad = False


def _rebuild(data: np.ndarray, requires_grad: bool) -> Tensor:
    return Tensor._make(data, requires_grad)


def _dim(dim: int, ndim: int, op: str) -> int:
    """Wrap a possibly negative dim, with PyTorch's IndexError when out of range."""
    n = max(ndim, 1)
    if not -n <= dim < n:
        raise IndexError(
            f"{op}: dimension out of range (expected to be in range of [{-n}, {n - 1}], but got {dim})"
        )
    return dim % n


def _add_node_hook(t: Tensor, hook: Any) -> list[Any]:
    node = t._grad_fn
    if node._hooks is None:
        node._hooks = []
    node._hooks.append((t._output_nr, hook))
    return node._hooks


def _store_retained(ref: Any, g: Tensor) -> None:
    t = ref()
    if t is None:
        return
    if t._grad is None:
        t._grad = Tensor._make(g._data.copy())
    else:
        t._grad = Tensor._make(t._grad._data + g._data)


def _warn_non_leaf_grad() -> None:
    import warnings

    warnings.warn(
        "The .grad attribute of a Tensor that is not a leaf Tensor is being accessed. Its .grad "
        "attribute won't be populated during autograd.backward(). If you indeed want the .grad "
        "field to be populated for a non-leaf Tensor, use .retain_grad() on the non-leaf Tensor.",
        UserWarning,
        stacklevel=3,
    )


from weakref import ref as _weakref  # noqa: E402

_function.Tensor = Tensor  # see autograd/function.py: the ops reach Tensor through this name
