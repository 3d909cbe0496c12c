"""The habits of real scripts: formatting losses, endless samplers, device/backend plumbing, constants, types.

Each name is checked against PyTorch's own answer on this (CPU-only) machine where PyTorch gives one.
"""

from __future__ import annotations

import itertools
import math
import pickle
import subprocess
import sys
import tracemalloc
import warnings

import numpy as np
import pytest

import chainrule
import chainrule.utils.data as cdata

torch = pytest.importorskip("torch", reason="PyTorch (test extra torch==2.13.0) is the oracle")


# --- Tensor.__format__ -------------------------------------------------------------------------------------------
@pytest.mark.parametrize("spec", ["", ".4f", "+.2f", "10.3e", "g", ">8", ".1%"])
@pytest.mark.parametrize("value", [1.23456, -0.5, 1e-7, 3.0])
def test_format_zero_d_float_like_pytorch(spec: str, value: float) -> None:
    assert format(chainrule.tensor(value), spec) == format(torch.tensor(value), spec)
    assert format(chainrule.tensor(value, dtype=chainrule.float64), spec) == format(
        torch.tensor(value, dtype=torch.float64), spec)


@pytest.mark.parametrize("spec", ["", "d", "5d", "+d", "x"])
def test_format_zero_d_int_and_bool(spec: str) -> None:
    assert format(chainrule.tensor(42), spec) == format(torch.tensor(42), spec)
    assert f"{chainrule.tensor(True)}" == f"{torch.tensor(True)}"


def test_format_loss_with_grad_and_one_element_tensors() -> None:
    w = chainrule.tensor([0.5, 2.0], requires_grad=True)
    loss = (w * w).sum()
    assert f"loss {loss:.4f}" == "loss 4.2500"
    assert f"{chainrule.tensor([2.0]):+.2f}" == "+2.00"  # one element, a spec: its value
    assert f"{chainrule.tensor([[7.25]]):.1f}" == "7.2"
    assert f"{chainrule.tensor([1.5])}" == str(chainrule.tensor([1.5]))  # no spec: as str()
    p = chainrule.nn.Parameter(chainrule.tensor(1.5))
    assert f"{p}" == str(p) and f"{p:.2f}" == "1.50"
    for lib in (chainrule, torch):
        with pytest.raises(TypeError, match="unsupported format string"):
            format(lib.ones(2), ".2f")


# --- lazy samplers ------------------------------------------------------------------------------------------------
def test_endless_random_sampler_costs_nothing_until_iterated() -> None:
    tracemalloc.start()
    try:
        sampler = cdata.RandomSampler(range(50), replacement=True, num_samples=10**10)
        assert len(sampler) == 10**10
        loader = cdata.DataLoader(cdata.TensorDataset(chainrule.arange(50.0)), batch_size=16, sampler=sampler)
        it = iter(loader)
        first = [next(it)[0] for _ in range(5)]
        tracemalloc.reset_peak()
        for _ in range(2000):
            next(it)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 2_000_000  # 32,000 indices drawn; an eager 10**10 draw would need 80 GB
    assert all(b.shape == (16,) and 0 <= float(b.min()) and float(b.max()) < 50 for b in first)


def test_endless_weighted_sampler_is_lazy_and_follows_the_weights() -> None:
    weights = [0.0, 1.0, 0.0, 3.0, 0.0]
    sampler = cdata.WeightedRandomSampler(weights, num_samples=10**10)
    draws = np.array(list(itertools.islice(iter(sampler), 40_000)))
    assert set(np.unique(draws)) == {1, 3}  # zero weights are never drawn
    assert abs(np.mean(draws == 3) - 0.75) < 0.02


@pytest.mark.parametrize("make", [
    lambda g: cdata.RandomSampler(range(10), replacement=True, num_samples=100, generator=g),
    lambda g: cdata.RandomSampler(range(10), num_samples=25, generator=g),
    lambda g: cdata.WeightedRandomSampler([1.0, 2.0, 3.0], 100, generator=g),
    lambda g: cdata.WeightedRandomSampler([1.0, 2.0, 3.0, 4.0], 3, replacement=False, generator=g),
])
def test_samplers_are_reproducible(make) -> None:
    a = list(make(chainrule.Generator().manual_seed(3)))
    b = list(make(chainrule.Generator().manual_seed(3)))
    c = list(make(chainrule.Generator().manual_seed(4)))
    assert a == b and a != c
    chainrule.manual_seed(7)
    d = list(make(None))
    chainrule.manual_seed(7)
    e = list(make(None))
    assert d == e


def test_random_sampler_without_replacement_repeats_whole_permutations() -> None:
    out = list(cdata.RandomSampler(range(4), num_samples=10))
    assert len(out) == 10 and sorted(out[:4]) == sorted(out[4:8]) == [0, 1, 2, 3] and len(set(out[8:])) == 2


def test_lazy_draws_do_not_depend_on_other_random_ops() -> None:
    """Without a generator, one pass draws from a private stream seeded when it starts (as PyTorch)."""
    chainrule.manual_seed(0)
    plain = list(cdata.RandomSampler(range(9), replacement=True, num_samples=70))
    chainrule.manual_seed(0)
    mixed = []
    for i in cdata.RandomSampler(range(9), replacement=True, num_samples=70):
        mixed.append(i)
        chainrule.rand(3)  # e.g. dropout between batches
    assert plain == mixed


# --- device and backend plumbing -------------------------------------------------------------------------------------
def test_default_device() -> None:
    assert str(chainrule.get_default_device()) == str(torch.get_default_device()) == "cpu"
    chainrule.set_default_device("cpu")
    chainrule.set_default_device(chainrule.device("cpu"))
    chainrule.set_default_device(None)
    for dev in ("cuda", "cuda:0", "mps"):
        with pytest.raises(RuntimeError, match="CPU only"):
            chainrule.set_default_device(dev)
    with chainrule.device("cpu"):
        assert chainrule.ones(1).device == chainrule.device("cpu")
    with pytest.raises(RuntimeError, match="CPU only"), chainrule.device("cuda"):
        pass


def test_accelerator_answers_like_pytorch_on_cpu() -> None:
    acc = chainrule.accelerator
    assert acc.is_available() is torch.accelerator.is_available() is False
    assert acc.current_accelerator() is torch.accelerator.current_accelerator() is None
    assert acc.device_count() == torch.accelerator.device_count() == 0
    assert acc.memory_allocated() == acc.max_memory_allocated() == 0
    acc.synchronize()
    acc.empty_cache()
    with pytest.raises(RuntimeError, match="CPU only"):
        acc.set_device_index(0)


def test_cudnn_flags_assignable_with_pytorch_defaults() -> None:
    cudnn, tcudnn = chainrule.backends.cudnn, torch.backends.cudnn
    for name in ("enabled", "benchmark", "deterministic", "allow_tf32"):
        assert getattr(cudnn, name) == getattr(tcudnn, name), name
    assert cudnn.is_available() is tcudnn.is_available() is False
    assert cudnn.version() is tcudnn.version() is None
    saved = (cudnn.deterministic, cudnn.benchmark)
    try:
        cudnn.deterministic, cudnn.benchmark = True, False
        import chainrule.backends.cudnn as again

        assert again.deterministic is True and again.benchmark is False
        with cudnn.flags(enabled=False, deterministic=False):
            assert cudnn.enabled is False and cudnn.deterministic is False
        assert cudnn.enabled is True and cudnn.deterministic is True
    finally:
        cudnn.deterministic, cudnn.benchmark = saved


def test_mps_cuda_backends_and_version() -> None:
    assert chainrule.backends.mps.is_available() is torch.backends.mps.is_available() is False
    assert chainrule.backends.mps.is_built() is torch.backends.mps.is_built() is False
    assert chainrule.backends.cuda.is_built() is torch.backends.cuda.is_built() is False
    m, tm = chainrule.backends.cuda.matmul, torch.backends.cuda.matmul
    assert m.allow_tf32 == tm.allow_tf32 is False
    assert m.allow_fp16_reduced_precision_reduction == tm.allow_fp16_reduced_precision_reduction
    assert chainrule.version.cuda is torch.version.cuda is None
    assert chainrule.version.hip is torch.version.hip is None


def test_float32_matmul_precision() -> None:
    assert chainrule.get_float32_matmul_precision() == "highest"
    try:
        for p in ("high", "medium", "highest"):
            chainrule.set_float32_matmul_precision(p)
            assert chainrule.get_float32_matmul_precision() == p
            assert chainrule.backends.cuda.matmul.allow_tf32 is (p != "highest")
        with pytest.warns(UserWarning, match="no effect"):
            chainrule.set_float32_matmul_precision("bogus")
        assert chainrule.get_float32_matmul_precision() == "highest"
    finally:
        chainrule.set_float32_matmul_precision("highest")
    a = chainrule.randn(8, 8)
    np.testing.assert_array_equal((a @ a).numpy(), a.numpy() @ a.numpy())  # float32 stays IEEE float32


def test_deterministic_algorithms() -> None:
    try:
        assert chainrule.are_deterministic_algorithms_enabled() is False
        chainrule.use_deterministic_algorithms(True)
        assert chainrule.are_deterministic_algorithms_enabled() is True
        assert chainrule.get_deterministic_debug_mode() == 2
        chainrule.use_deterministic_algorithms(True, warn_only=True)
        assert chainrule.is_deterministic_algorithms_warn_only_enabled() is True
        assert chainrule.get_deterministic_debug_mode() == 1
        chainrule.set_deterministic_debug_mode("default")
        assert chainrule.are_deterministic_algorithms_enabled() is False
        with pytest.raises(TypeError):
            chainrule.use_deterministic_algorithms("yes")
    finally:
        chainrule.use_deterministic_algorithms(False)


def test_cuda_module() -> None:
    cuda = chainrule.cuda
    assert cuda.is_available() is torch.cuda.is_available() is False
    assert cuda.device_count() == torch.cuda.device_count() == 0
    assert cuda.is_bf16_supported() is torch.cuda.is_bf16_supported() is False
    assert cuda.memory_allocated() == cuda.max_memory_allocated() == cuda.memory_reserved() == 0
    assert cuda.get_arch_list() == torch.cuda.get_arch_list() == []
    for noop in (cuda.synchronize, cuda.empty_cache, cuda.reset_peak_memory_stats, cuda.seed, cuda.seed_all):
        assert noop() is None
    cuda.manual_seed(0)
    cuda.manual_seed_all(0)
    for needs_gpu in (cuda.current_device, cuda.get_device_name, lambda: cuda.set_device(0), cuda.init):
        with pytest.raises(RuntimeError, match="CPU only"):
            needs_gpu()


def test_jit_names() -> None:
    jit = chainrule.jit
    assert jit.is_scripting() is torch.jit.is_scripting() is False
    assert jit.is_tracing() is torch.jit.is_tracing() is False

    class Net(chainrule.nn.Module):
        scale: jit.Final[float] = 2.0

        @jit.ignore
        def helper(self, x):
            return x + 1

        @jit.unused
        def unused(self, x):
            return x

        @jit.export
        def forward(self, x):
            return self.helper(x) * self.scale

    assert Net()(chainrule.ones(2)).tolist() == [4.0, 4.0]
    assert jit.ignore(drop=True)(len) is len
    assert jit.annotate(list, [1]) == [1]
    assert jit.Attribute(3, int) == torch.jit.Attribute(3, int) == (3, int)
    assert not isinstance(Net(), jit.ScriptModule)
    for call in (lambda: jit.script(Net()), lambda: jit.trace(Net(), chainrule.ones(2)), lambda: jit.load("m.pt")):
        with pytest.raises(RuntimeError, match=r"chainrule\.compile.*chainrule\.onnx\.export"):
            call()


def test_autocast_context_managers_and_decorators_keep_float32() -> None:
    x = chainrule.randn(4, 3)
    lin = chainrule.nn.Linear(3, 2)
    regions = [chainrule.autocast("cpu"), chainrule.autocast("cpu", dtype=chainrule.bfloat16),
               chainrule.amp.autocast("cuda"), chainrule.amp.autocast(device_type="cpu", enabled=False),
               chainrule.cpu.amp.autocast(), chainrule.cuda.amp.autocast(dtype=chainrule.float16)]
    for region in regions:
        with region as entered:
            assert entered is region
            y = lin(x)
        assert y.dtype is chainrule.float32
        np.testing.assert_array_equal(y.detach().numpy(), lin(x).detach().numpy())

    @chainrule.autocast("cpu")
    def f(a):
        return a @ a.T

    assert f(x).dtype is chainrule.float32
    assert f.__name__ == "f"
    with pytest.raises(ValueError, match="device_type"):
        chainrule.autocast(device_type=3)
    with pytest.raises(RuntimeError, match="invalid device"):
        chainrule.autocast("xpu2")
    assert chainrule.is_autocast_enabled() is False
    from chainrule.cuda.amp import GradScaler, autocast  # the legacy import line of many scripts

    assert issubclass(autocast, chainrule.amp.autocast) and issubclass(GradScaler, chainrule.amp.GradScaler)


def test_grad_scaler_is_pytorchs_disabled_pass_through() -> None:
    torch.manual_seed(0)
    tlin = torch.nn.Linear(3, 1)
    clin = chainrule.nn.Linear(3, 1)
    clin.load_state_dict({k: chainrule.tensor(v.detach().numpy()) for k, v in tlin.state_dict().items()})
    x = np.random.default_rng(0).standard_normal((5, 3)).astype(np.float32)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # PyTorch: "CUDA is not available. Disabling."
        tscaler = torch.amp.GradScaler("cuda")
    cscaler = chainrule.amp.GradScaler("cuda")
    topt = torch.optim.SGD(tlin.parameters(), lr=0.1)
    copt = chainrule.optim.SGD(clin.parameters(), lr=0.1)
    for lib, lin, opt, scaler in ((torch, tlin, topt, tscaler), (chainrule, clin, copt, cscaler)):
        for _ in range(3):
            opt.zero_grad()
            loss = lin(lib.tensor(x)).pow(2).mean()
            scaled = scaler.scale(loss)
            assert scaled is loss
            scaled.backward()
            scaler.unscale_(opt)
            scaler.step(opt)
            scaler.update()
        assert scaler.get_scale() == 1.0 and scaler.is_enabled() is False and scaler.state_dict() == {}
    for k, v in tlin.state_dict().items():
        np.testing.assert_allclose(clin.state_dict()[k].numpy(), v.numpy(), rtol=1e-6, atol=1e-7)
    assert cscaler.get_growth_factor() == 2.0 and cscaler.get_backoff_factor() == 0.5
    assert cscaler.get_growth_interval() == 2000
    assert cscaler.scale([1, (2,)]) == [1, (2,)]
    cscaler.load_state_dict({"scale": 4.0})
    assert cscaler.get_scale() == 1.0


def test_compiler_basics() -> None:
    assert chainrule.compiler.is_compiling() is torch.compiler.is_compiling() is False

    @chainrule.compiler.disable
    def g(a):
        return a

    assert g(3) == 3 and chainrule.compiler.disable(recursive=False)(len) is len


# --- constants, finfo/iinfo, typed constructors, memory formats ------------------------------------------------------
def test_constants() -> None:
    for name in ("inf", "pi", "e"):
        assert getattr(chainrule, name) == getattr(torch, name)
    assert math.isnan(chainrule.nan) and chainrule.newaxis is torch.newaxis is None
    assert chainrule.ones(3)[:, chainrule.newaxis].shape == (3, 1)


@pytest.mark.parametrize("name", ["float16", "float32", "float64", None])
def test_finfo_fields_match_pytorch(name: str | None) -> None:
    ours = chainrule.finfo(getattr(chainrule, name)) if name else chainrule.finfo()
    theirs = torch.finfo(getattr(torch, name)) if name else torch.finfo()
    for field in ("bits", "eps", "max", "min", "tiny", "smallest_normal", "resolution", "dtype"):
        assert getattr(ours, field) == getattr(theirs, field), field
        assert type(getattr(ours, field)) is type(getattr(theirs, field)), field
    assert repr(ours) == repr(theirs)


@pytest.mark.parametrize("name", ["uint8", "int8", "int16", "int32", "int64"])
def test_iinfo_fields_match_pytorch(name: str) -> None:
    ours, theirs = chainrule.iinfo(getattr(chainrule, name)), torch.iinfo(getattr(torch, name))
    for field in ("bits", "max", "min", "dtype"):
        assert getattr(ours, field) == getattr(theirs, field), field
    assert repr(ours) == repr(theirs)


def test_finfo_iinfo_errors() -> None:
    for lib in (chainrule, torch):
        with pytest.raises(TypeError):
            lib.finfo(lib.int32)
        with pytest.raises(TypeError):
            lib.iinfo(lib.float32)
        with pytest.raises(TypeError):
            lib.iinfo(lib.bool)
    assert chainrule.finfo(float).dtype == torch.finfo(float).dtype == "float64"


_TYPED = ["FloatTensor", "DoubleTensor", "LongTensor", "IntTensor", "BoolTensor", "ByteTensor", "HalfTensor",
          "ShortTensor", "CharTensor"]


@pytest.mark.parametrize("name", _TYPED)
def test_typed_constructors_match_pytorch(name: str) -> None:
    ours, theirs = getattr(chainrule, name), getattr(torch, name)
    for args in [(2, 3), (0,), (chainrule.Size([4]),)]:
        targs = tuple(torch.Size(a) if isinstance(a, chainrule.Size) else a for a in args)
        a, b = ours(*args), theirs(*targs)
        assert tuple(a.shape) == tuple(b.shape) and a.dtype.name == str(b.dtype).removeprefix("torch.")
    data = [[1, 0, 3], [4, 5, 1]] if name != "BoolTensor" else [[True, False], [False, True]]
    np.testing.assert_array_equal(ours(data).numpy(), theirs(data).numpy())
    np.testing.assert_array_equal(ours((1, 2)).numpy(), theirs((1, 2)).numpy())  # a tuple is data, not a size
    assert tuple(ours().shape) == tuple(theirs().shape) == (0,)
    assert isinstance(ours(data), ours) and isinstance(theirs(data), theirs)
    others = [getattr(chainrule, n) for n in _TYPED if n != name]
    assert not any(isinstance(ours(data), other) for other in others)
    assert isinstance(ours([1]), chainrule.Tensor)
    assert issubclass(ours, chainrule.Tensor) is issubclass(theirs, torch.Tensor) is False


def test_typed_isinstance_and_type_switches() -> None:
    x = chainrule.ones(2)
    assert isinstance(x, chainrule.FloatTensor) and not isinstance(x, chainrule.DoubleTensor)
    assert isinstance(chainrule.nn.Parameter(chainrule.ones(1)), chainrule.FloatTensor)
    assert isinstance(chainrule.tensor([1]), chainrule.LongTensor)
    assert not isinstance(x, chainrule.cuda.FloatTensor) and not isinstance(3, chainrule.FloatTensor)
    assert x.type(chainrule.LongTensor).dtype is chainrule.int64
    assert x.type("torch.DoubleTensor").dtype is chainrule.float64
    assert chainrule.LongTensor([1.7, -2.2]).tolist() == torch.LongTensor([1.7, -2.2]).tolist()
    with pytest.raises(TypeError, match="data must be a sequence"):
        chainrule.FloatTensor(2.5)
    with pytest.raises(TypeError, match="CPU only"):
        chainrule.cuda.FloatTensor(2)
    with pytest.raises(RuntimeError, match="CPU only"):
        x.type(chainrule.cuda.FloatTensor)


def test_set_default_tensor_type() -> None:
    try:
        chainrule.set_default_tensor_type(chainrule.DoubleTensor)
        assert chainrule.tensor([1.0]).dtype is chainrule.float64
        chainrule.set_default_tensor_type("torch.FloatTensor")
        assert chainrule.tensor([1.0]).dtype is chainrule.float32
        with pytest.raises(RuntimeError, match="CPU only"):
            chainrule.set_default_tensor_type("torch.cuda.FloatTensor")
        with pytest.raises(TypeError):
            chainrule.set_default_tensor_type(chainrule.LongTensor)
    finally:
        chainrule.set_default_dtype(chainrule.float32)


def test_memory_formats_are_accepted() -> None:
    assert repr(chainrule.channels_last) == "chainrule.channels_last"
    for fmt in ("preserve_format", "contiguous_format", "channels_last", "channels_last_3d"):
        assert isinstance(getattr(chainrule, fmt), chainrule.memory_format)
        assert pickle.loads(pickle.dumps(getattr(chainrule, fmt))) is getattr(chainrule, fmt)
    x = chainrule.randn(2, 3, 4, 5)
    tx = torch.tensor(x.numpy())
    for y in (x.to(memory_format=chainrule.channels_last), x.contiguous(memory_format=chainrule.channels_last),
              x.clone(memory_format=chainrule.preserve_format), chainrule.empty_like(x, memory_format=chainrule.channels_last)):
        assert y.shape == x.shape
    np.testing.assert_array_equal(x.to(memory_format=chainrule.channels_last).numpy(),
                                  tx.to(memory_format=torch.channels_last).numpy())
    assert x.is_contiguous() and not x.is_contiguous(memory_format=chainrule.channels_last)
    assert x.is_contiguous(memory_format=chainrule.channels_last) == tx.is_contiguous(memory_format=torch.channels_last)
    nhwc = chainrule.tensor(np.ascontiguousarray(x.numpy().transpose(0, 2, 3, 1))).permute(0, 3, 1, 2)
    assert nhwc.is_contiguous(memory_format=chainrule.channels_last)
    model = chainrule.nn.Conv2d(3, 2, 1)
    assert model.to(memory_format=chainrule.channels_last) is model


def test_small_top_level_questions_match_pytorch() -> None:
    for shapes in [((2, 1), (3,)), ((), (4, 1, 2), (1, 5, 1)), ((0, 1), (3,)), (5, (5,))]:
        assert tuple(chainrule.broadcast_shapes(*shapes)) == tuple(torch.broadcast_shapes(*shapes))
    for lib in (chainrule, torch):
        with pytest.raises(RuntimeError):
            lib.broadcast_shapes((2,), (3,))
    names = ["float32", "float64", "int64", "int8", "uint8", "bool", "float16"]
    for a, b in itertools.product(names, names):
        assert chainrule.can_cast(getattr(chainrule, a), getattr(chainrule, b)) == torch.can_cast(
            getattr(torch, a), getattr(torch, b)), (a, b)
    for data in ([1], [0.0], [[True]]):
        assert chainrule.is_nonzero(chainrule.tensor(data)) == torch.is_nonzero(torch.tensor(data))
    for data in ([1, 2], []):
        for lib in (chainrule, torch):
            with pytest.raises(RuntimeError, match="ambiguous"):
                lib.is_nonzero(lib.tensor(data))
    assert chainrule.is_same_size(chainrule.ones(2, 3), chainrule.zeros(2, 3))
    assert not chainrule.is_same_size(chainrule.ones(2, 3), chainrule.zeros(3, 2))
    assert chainrule.is_storage(chainrule.ones(1)) is torch.is_storage(torch.ones(1)) is False
    assert chainrule.is_complex(chainrule.ones(1)) is torch.is_complex(torch.ones(1)) is False
    assert chainrule.typename(chainrule.ones(1)) == "chainrule.FloatTensor" and chainrule.typename(3) == torch.typename(3)
    for lib in (chainrule, torch):
        lib._assert(True, "fine")
        with pytest.raises(AssertionError, match="boom"):
            lib._assert(False, "boom")
    assert chainrule.set_flush_denormal(True) is False  # not supported by NumPy: PyTorch's "unsupported" answer
    try:
        chainrule.set_warn_always(True)
        assert chainrule.is_warn_always_enabled() is True
        chainrule.set_anomaly_enabled(True)
        assert chainrule.is_anomaly_enabled() and chainrule.autograd.is_anomaly_enabled()
    finally:
        chainrule.set_warn_always(False)
        chainrule.set_anomaly_enabled(False)
    assert chainrule.is_warn_always_enabled() is torch.is_warn_always_enabled() is False


def test_plumbing_does_not_load_at_import() -> None:
    """The plumbing modules load on first use, so ``import chainrule`` stays light."""
    code = ("import sys, chainrule; mods = ['chainrule.backends', 'chainrule.jit', 'chainrule.amp', "
            "'chainrule.accelerator', 'chainrule.compiler']; print([m for m in mods if m in sys.modules]); "
            "chainrule.backends.cudnn.deterministic = True; print(chainrule.autocast.__module__)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.split("\n")
    assert out[0] == "[]" and out[1] == "chainrule.amp.autocast_mode"


@pytest.mark.torch
def test_device_and_layout_predicates_match_a_cpu_tensor_of_pytorch():
    torch = pytest.importorskip("torch")
    names = ["is_cuda", "is_cpu", "is_mps", "is_xpu", "is_meta", "is_quantized", "is_sparse", "is_mkldnn",
             "is_nested", "is_ipu", "is_mtia", "is_vulkan", "is_xla", "is_maia"]
    ours, theirs = chainrule.zeros(3), torch.zeros(3)
    assert {n: getattr(ours, n) for n in names} == {n: getattr(theirs, n) for n in names}


@pytest.mark.torch
def test_indexing_with_a_range_as_pytorch():
    torch = pytest.importorskip("torch")
    a = np.arange(12.0).reshape(3, 4)
    x, t = chainrule.tensor(a, requires_grad=True), torch.tensor(a, requires_grad=True)
    for idx in [range(2), (range(2), range(1, 3)), (slice(None), range(0, 4, 2))]:
        y, u = x[idx], t[idx]
        np.testing.assert_array_equal(y.detach().numpy(), u.detach().numpy())
        y.sum().backward(); u.sum().backward()
        np.testing.assert_array_equal(x.grad.numpy(), t.grad.numpy())
