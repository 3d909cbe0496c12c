"""Data pipeline: datasets, samplers, DataLoader batching/collation vs PyTorch, transforms."""

from __future__ import annotations

import collections

import numpy as np
import pytest

import chainrule
from chainrule.utils import data as cdata
from chainrule.utils.data import transforms as T

torch = pytest.importorskip("torch", reason="PyTorch (test extra torch==2.13.0) is the oracle")
tdata = torch.utils.data

X = np.arange(30, dtype=np.float32).reshape(10, 3)
Y = np.arange(10, dtype=np.int64) % 3


def _same(a, b) -> None:
    """Structural equality of a chainrule batch and a torch batch."""
    if isinstance(b, torch.Tensor):
        assert isinstance(a, chainrule.Tensor)
        assert str(a.dtype).split(".")[-1] == str(b.dtype).split(".")[-1]
        np.testing.assert_array_equal(a.numpy(), b.numpy())
    elif isinstance(b, dict):
        assert a.keys() == b.keys()
        for k in b:
            _same(a[k], b[k])
    elif isinstance(b, (list, tuple)):
        assert type(a) is type(b) and len(a) == len(b)
        for x, y in zip(a, b):
            _same(x, y)
    else:
        assert a == b


class _Order(list):
    """A fixed index order used as the sampler in both libraries."""


@pytest.mark.parametrize("batch_size", [1, 3, 4, 10, 12])
@pytest.mark.parametrize("drop_last", [False, True])
def test_tensor_dataset_batches_match_torch(batch_size, drop_last) -> None:
    order = [7, 2, 9, 0, 4, 4, 1, 8, 3, 6, 5]
    cr = cdata.DataLoader(cdata.TensorDataset(chainrule.tensor(X), chainrule.tensor(Y)), batch_size=batch_size,
                          sampler=order, drop_last=drop_last)
    th = tdata.DataLoader(tdata.TensorDataset(torch.tensor(X), torch.tensor(Y)), batch_size=batch_size,
                          sampler=order, drop_last=drop_last)
    assert len(cr) == len(th)
    cb, tb = list(cr), list(th)
    assert len(cb) == len(tb)
    for a, b in zip(cb, tb):
        _same(a, b)


Point = collections.namedtuple("Point", ["x", "label"])


class _Mixed(cdata.Dataset):
    """Samples of every kind default_collate handles: tensors, arrays, numbers, strings, dicts, namedtuples."""

    def __init__(self, lib):
        self.lib = lib

    def __len__(self):
        return 5

    def __getitem__(self, i):
        return {
            "t": self.lib.tensor(X[i]),
            "a": X[i] * 2,
            "n": int(i),
            "f": float(i) / 2,
            "b": bool(i % 2),
            "s": f"item{i}",
            "tuple": (self.lib.tensor(float(i)), i),
            "point": Point(X[i][:2], i),
        }


class _TorchMixed(tdata.Dataset):
    def __init__(self):
        self.inner = _Mixed(torch)

    def __len__(self):
        return 5

    def __getitem__(self, i):
        return self.inner[i]


def test_default_collate_matches_torch() -> None:
    cr = list(cdata.DataLoader(_Mixed(chainrule), batch_size=2))
    th = list(tdata.DataLoader(_TorchMixed(), batch_size=2))
    assert len(cr) == len(th) == 3
    for a, b in zip(cr, th):
        _same(a, b)


def test_batch_size_none_converts_without_batching() -> None:
    ds = cdata.TensorDataset(chainrule.tensor(X))
    items = list(cdata.DataLoader(ds, batch_size=None))
    assert len(items) == 10 and items[0][0].shape == (3,)


def test_shuffle_is_deterministic_under_a_seed_and_covers_every_sample() -> None:
    ds = cdata.TensorDataset(chainrule.tensor(X), chainrule.tensor(Y))
    chainrule.manual_seed(3)
    first = [yb.tolist() for _, yb in cdata.DataLoader(ds, batch_size=4, shuffle=True)]
    chainrule.manual_seed(3)
    again = [yb.tolist() for _, yb in cdata.DataLoader(ds, batch_size=4, shuffle=True)]
    assert first == again
    g1, g2 = chainrule.Generator().manual_seed(5), chainrule.Generator().manual_seed(5)
    xs1 = [xb.numpy().copy() for xb, _ in cdata.DataLoader(ds, batch_size=3, shuffle=True, generator=g1)]
    xs2 = [xb.numpy().copy() for xb, _ in cdata.DataLoader(ds, batch_size=3, shuffle=True, generator=g2)]
    for a, b in zip(xs1, xs2):
        np.testing.assert_array_equal(a, b)
    rows = np.concatenate(xs1)
    assert sorted(rows[:, 0].tolist()) == sorted(X[:, 0].tolist())
    loader = cdata.DataLoader(ds, batch_size=10, shuffle=True, generator=g1)
    epoch1, epoch2 = next(iter(loader))[1].tolist(), next(iter(loader))[1].tolist()
    assert sorted(epoch1) == sorted(epoch2)


def test_fast_path_equals_per_sample_path() -> None:
    ds = cdata.TensorDataset(chainrule.tensor(X), chainrule.tensor(Y))
    sub = cdata.Subset(ds, [9, 1, 5, 3])
    fast = list(cdata.DataLoader(sub, batch_size=3))
    slow = list(cdata.DataLoader(sub, batch_size=3, collate_fn=lambda b: cdata.default_collate(b)))
    for a, b in zip(fast, slow):
        for x, y in zip(a, b):
            np.testing.assert_array_equal(x.numpy(), y.numpy())


def test_samplers_match_torch_semantics() -> None:
    assert list(cdata.SequentialSampler(range(4))) == list(tdata.SequentialSampler(range(4)))
    for bs, drop in [(3, False), (3, True), (5, False)]:
        assert list(cdata.BatchSampler(range(10), bs, drop)) == list(tdata.BatchSampler(range(10), bs, drop))
        assert len(cdata.BatchSampler(range(10), bs, drop)) == len(tdata.BatchSampler(range(10), bs, drop))
    rs = cdata.RandomSampler(range(7), replacement=True, num_samples=20)
    draws = list(rs)
    assert len(draws) == 20 and all(0 <= d < 7 for d in draws)
    assert sorted(cdata.RandomSampler(range(7))) == list(range(7))
    assert len(list(cdata.RandomSampler(range(3), num_samples=7))) == 7
    w = cdata.WeightedRandomSampler([0.0, 1.0, 0.0, 3.0], num_samples=2000)
    counts = np.bincount(list(w), minlength=4)
    assert counts[0] == counts[2] == 0 and 0.7 < counts[3] / 2000 < 0.8
    no_rep = list(cdata.WeightedRandomSampler([1, 1, 1, 1], 4, replacement=False))
    assert sorted(no_rep) == [0, 1, 2, 3]


def test_datasets_subset_concat_random_split() -> None:
    ds = cdata.TensorDataset(chainrule.tensor(X), chainrule.tensor(Y))
    cat = cdata.ConcatDataset([ds, cdata.Subset(ds, [0, 1])])
    assert len(cat) == 12 and cat[10][1].item() == 0 and cat[-1][1].item() == 1
    parts = cdata.random_split(ds, [7, 3], generator=chainrule.Generator().manual_seed(0))
    assert [len(p) for p in parts] == [7, 3]
    assert sorted(parts[0].indices + parts[1].indices) == list(range(10))
    frac = cdata.random_split(range(10), [0.5, 0.3, 0.2])
    assert [len(p) for p in frac] == [len(p) for p in tdata.random_split(range(10), [0.5, 0.3, 0.2])]
    stacked = cdata.StackDataset(a=ds, b=ds)
    assert set(stacked[0]) == {"a", "b"}


def test_iterable_dataset_batches() -> None:
    class Stream(cdata.IterableDataset):
        def __iter__(self):
            return iter(range(7))

    batches = [b.tolist() for b in cdata.DataLoader(Stream(), batch_size=3)]
    assert batches == [[0, 1, 2], [3, 4, 5], [6]]
    assert [b.tolist() for b in cdata.DataLoader(Stream(), batch_size=3, drop_last=True)] == [[0, 1, 2], [3, 4, 5]]


@pytest.mark.parametrize(
    ("make", "exc", "match"),
    [
        (lambda: cdata.TensorDataset(chainrule.zeros(3, 2), chainrule.zeros(4)), ValueError, "size mismatch"),
        (lambda: cdata.random_split(range(10), [3, 3]), ValueError, "sum of input lengths does not equal"),
        (lambda: cdata.DataLoader(range(4), shuffle=True, sampler=[0, 1]), ValueError, "mutually exclusive"),
        (lambda: cdata.DataLoader(range(4), batch_sampler=[[0]], batch_size=2), ValueError, "mutually exclusive"),
        (lambda: cdata.DataLoader(range(4), num_workers=-1), ValueError, "num_workers option should be non-negative"),
        (lambda: cdata.BatchSampler(range(4), 0, False), ValueError, "batch_size should be a positive integer"),
        (lambda: cdata.RandomSampler(range(4), replacement=1), TypeError, "replacement should be a boolean"),
        (lambda: cdata.WeightedRandomSampler([1.0, -1.0], 2), RuntimeError, "non-negative"),
        (lambda: list(cdata.DataLoader([chainrule.zeros(2), chainrule.zeros(3)], batch_size=2)), RuntimeError, "equal size"),
    ],
)
def test_bad_input(make, exc, match) -> None:
    with pytest.raises(exc, match=match):
        make()


def test_transforms_compose_and_semantics() -> None:
    img = chainrule.tensor(np.arange(2 * 4 * 5, dtype=np.float32).reshape(2, 4, 5) / 40)
    flipped = T.RandomHorizontalFlip(p=1.0)(img)
    np.testing.assert_array_equal(flipped.numpy(), img.numpy()[..., ::-1])
    assert T.RandomHorizontalFlip(p=0.0)(img).numpy().tolist() == img.numpy().tolist()
    crop = T.RandomCrop(4, padding=2)(img)
    assert crop.shape == (2, 4, 4)
    norm = T.Normalize([0.5, 0.25], [2.0, 4.0])(img)
    expected = (img.numpy() - np.array([0.5, 0.25])[:, None, None]) / np.array([2.0, 4.0])[:, None, None]
    np.testing.assert_allclose(norm.numpy(), expected, rtol=1e-6)
    assert norm.dtype == chainrule.float32
    noisy = T.GaussianNoise(sigma=0.05, clip=False)(chainrule.zeros(1, 200, 200))
    assert abs(float(noisy.numpy().std()) - 0.05) < 0.005
    chainrule.manual_seed(1)
    pipeline = T.Compose([T.RandomCrop(4, padding=1), T.RandomHorizontalFlip(), T.Normalize([0.0, 0.0], [1.0, 1.0])])
    a = pipeline(img)
    chainrule.manual_seed(1)
    b = pipeline(img)
    np.testing.assert_array_equal(a.numpy(), b.numpy())
    with pytest.raises(ValueError, match="larger than the input image size"):
        T.RandomCrop(10)(img)
    with pytest.raises(ValueError, match="std evaluated to zero"):
        T.Normalize([0.0], [0.0])


def test_transform_dataset_feeds_a_loader() -> None:
    base = cdata.TensorDataset(chainrule.rand(6, 1, 4, 4), chainrule.arange(6))
    ds = T.TransformDataset(base, T.Compose([T.RandomHorizontalFlip(), T.GaussianNoise(sigma=0.01)]))
    xb, yb = next(iter(cdata.DataLoader(ds, batch_size=4)))
    assert xb.shape == (4, 1, 4, 4) and yb.tolist() == [0, 1, 2, 3]


def test_seed_loop_verbatim_trains_an_mlp() -> None:
    """The seed's training loop, unchanged, drives an MLP on a learnable problem below a loss threshold."""
    nn, optim = chainrule.nn, chainrule.optim
    chainrule.manual_seed(0)
    x = chainrule.randn(512, 2)
    y = ((x[:, 0] * x[:, 1]) > 0).long()  # XOR-like quadrants
    loader = cdata.DataLoader(cdata.TensorDataset(x, y), batch_size=32, shuffle=True)
    model = nn.Sequential(nn.Linear(2, 32), nn.Tanh(), nn.Linear(32, 32), nn.Tanh(), nn.Linear(32, 2))
    loss_fn = nn.CrossEntropyLoss()
    opt = optim.Adam(model.parameters(), lr=1e-2)
    for _epoch in range(15):
        for step, (xb, yb) in enumerate(loader):  # noqa: B007 - the seed's loop, verbatim
            yhat = model(xb); loss = loss_fn(yhat, yb)  # noqa: E702
            loss.backward(); opt.step(); opt.zero_grad()  # noqa: E702
    with chainrule.no_grad():
        final = loss_fn(model(x), y).item()
        accuracy = (model(x).argmax(1) == y).float().mean().item()
    assert step == len(loader) - 1  # the loop really ran over every batch
    assert final < 0.15 and accuracy > 0.95, (final, accuracy)
