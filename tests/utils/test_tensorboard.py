"""SummaryWriter's event files, read back with Google's protobuf runtime and a CRC-32C written here."""

from __future__ import annotations

import glob
import os
import struct

import numpy as np
import pytest

import chainrule
from chainrule.utils.tensorboard import SummaryWriter
from chainrule.utils.tensorboard._records import crc32c

protobuf = pytest.importorskip("google.protobuf", reason="protobuf (installed with the test extra's onnx) decodes")


def _messages() -> dict:
    """TensorBoard's Event schema (the fields used), declared here and compiled by protobuf."""
    from google.protobuf import descriptor_pb2, descriptor_pool, message_factory

    F = descriptor_pb2.FieldDescriptorProto
    spec = {
        "Dim": [("size", 1, F.TYPE_INT64, None, False)],
        "Shape": [("dim", 2, F.TYPE_MESSAGE, "Dim", True)],
        "Tensor": [("dtype", 1, F.TYPE_INT32, None, False), ("tensor_shape", 2, F.TYPE_MESSAGE, "Shape", False),
                   ("float_val", 5, F.TYPE_FLOAT, None, True), ("double_val", 6, F.TYPE_DOUBLE, None, True),
                   ("string_val", 8, F.TYPE_BYTES, None, True)],
        "PluginData": [("plugin_name", 1, F.TYPE_STRING, None, False), ("content", 2, F.TYPE_BYTES, None, False)],
        "Metadata": [("plugin_data", 1, F.TYPE_MESSAGE, "PluginData", False)],
        "Histo": [("min", 1, F.TYPE_DOUBLE, None, False), ("max", 2, F.TYPE_DOUBLE, None, False),
                  ("num", 3, F.TYPE_DOUBLE, None, False), ("sum", 4, F.TYPE_DOUBLE, None, False),
                  ("sum_squares", 5, F.TYPE_DOUBLE, None, False), ("bucket_limit", 6, F.TYPE_DOUBLE, None, True),
                  ("bucket", 7, F.TYPE_DOUBLE, None, True)],
        "Image": [("height", 1, F.TYPE_INT32, None, False), ("width", 2, F.TYPE_INT32, None, False),
                  ("colorspace", 3, F.TYPE_INT32, None, False), ("encoded_image_string", 4, F.TYPE_BYTES, None, False)],
        "Value": [("tag", 1, F.TYPE_STRING, None, False), ("simple_value", 2, F.TYPE_FLOAT, None, False),
                  ("image", 4, F.TYPE_MESSAGE, "Image", False),
                  ("histo", 5, F.TYPE_MESSAGE, "Histo", False), ("tensor", 8, F.TYPE_MESSAGE, "Tensor", False),
                  ("metadata", 9, F.TYPE_MESSAGE, "Metadata", False)],
        "Summary": [("value", 1, F.TYPE_MESSAGE, "Value", True)],
        "SessionLog": [("status", 1, F.TYPE_INT32, None, False)],
        "Event": [("wall_time", 1, F.TYPE_DOUBLE, None, False), ("step", 2, F.TYPE_INT64, None, False),
                  ("file_version", 3, F.TYPE_STRING, None, False), ("summary", 5, F.TYPE_MESSAGE, "Summary", False),
                  ("session_log", 6, F.TYPE_MESSAGE, "SessionLog", False)],
    }
    fd = descriptor_pb2.FileDescriptorProto(name="cr_test_events.proto", package="crtest", syntax="proto3")
    for name, fields in spec.items():
        m = fd.message_type.add(name=name)
        for fname, num, ftype, sub, rep in fields:
            f = m.field.add(name=fname, number=num, type=ftype,
                            label=F.LABEL_REPEATED if rep else F.LABEL_OPTIONAL)
            if sub:
                f.type_name = f".crtest.{sub}"
    pool = descriptor_pool.DescriptorPool()
    pool.Add(fd)
    return {n: message_factory.GetMessageClass(pool.FindMessageTypeByName(f"crtest.{n}")) for n in spec}


MSG = _messages()


def _crc_bitwise(data: bytes) -> int:
    """CRC-32C bit by bit (reflected Castagnoli polynomial), independent of the writer's table."""
    crc = 0xFFFFFFFF
    for b in data:
        crc ^= b
        for _ in range(8):
            crc = (crc >> 1) ^ (0x82F63B78 & -(crc & 1))
    return crc ^ 0xFFFFFFFF


def _masked(data: bytes) -> int:
    c = _crc_bitwise(data)
    return (((c >> 15) | (c << 17)) + 0xA282EAD8) & 0xFFFFFFFF


def _events(log_dir) -> list:
    """Every Event in the single event file of ``log_dir``, its framing and CRCs checked."""
    (path,) = glob.glob(os.path.join(log_dir, "events.out.tfevents.*"))
    raw, pos, out = open(path, "rb").read(), 0, []
    while pos < len(raw):
        header = raw[pos : pos + 8]
        (n,) = struct.unpack("<Q", header)
        assert struct.unpack("<I", raw[pos + 8 : pos + 12])[0] == _masked(header)
        data = raw[pos + 12 : pos + 12 + n]
        assert struct.unpack("<I", raw[pos + 12 + n : pos + 16 + n])[0] == _masked(data)
        out.append(MSG["Event"].FromString(data))
        pos += 16 + n
    return out


def test_crc32c_check_value() -> None:
    assert crc32c(b"123456789") == 0xE3069283 == _crc_bitwise(b"123456789")  # the published check value


def test_scalars_text_and_file_header(tmp_path) -> None:
    with SummaryWriter(tmp_path, purge_step=5) as w:
        assert w.get_logdir() == str(tmp_path)
        w.add_scalar("Loss/train", chainrule.tensor(0.25), 1)
        w.add_scalar("Loss/train", np.float64(0.125), global_step=chainrule.tensor(2), walltime=123.5)
        w.add_scalar("lr", 1e-3, 3, new_style=True)
        w.add_scalar("lr64", 1 / 3, 3, new_style=True, double_precision=True)
        w.add_text("notes", "hello **world**", 4)
    ev = _events(tmp_path)
    assert ev[0].file_version == "brain.Event:2" and ev[0].wall_time > 1e9
    assert ev[1].step == 5 and ev[1].session_log.status == 1  # START: TensorBoard purges steps >= 5
    scalars = [(e.step, e.summary.value[0].tag, e.summary.value[0].simple_value) for e in ev[2:4]]
    assert scalars == [(1, "Loss/train", 0.25), (2, "Loss/train", 0.125)] and ev[3].wall_time == 123.5
    lr = ev[4].summary.value[0]
    assert lr.metadata.plugin_data.plugin_name == "scalars" and lr.tensor.dtype == 1
    assert list(lr.tensor.float_val) == [pytest.approx(1e-3, rel=1e-7)]
    assert list(ev[5].summary.value[0].tensor.double_val) == [1 / 3] and ev[5].summary.value[0].tensor.dtype == 2
    text = ev[6].summary.value[0]
    assert text.tag == "notes/text_summary" and text.metadata.plugin_data.plugin_name == "text"
    assert list(text.tensor.string_val) == [b"hello **world**"] and text.tensor.dtype == 7
    assert [d.size for d in text.tensor.tensor_shape.dim] == [1]


def test_add_scalars_writes_one_run_per_key(tmp_path) -> None:
    w = SummaryWriter(str(tmp_path))
    w.add_scalars("run/loss", {"train": 1.5, "val": chainrule.tensor([2.5])}, 7)
    w.close()
    for key, value in [("train", 1.5), ("val", 2.5)]:
        (e,) = [e for e in _events(tmp_path / f"run_loss_{key}") if e.HasField("summary")]
        assert (e.step, e.summary.value[0].tag, e.summary.value[0].simple_value) == (7, "run/loss", value)


@pytest.mark.parametrize(("bins", "max_bins"), [("tensorflow", None), (10, None), ("auto", None), (40, 7)])
def test_histogram_buckets_count_the_values(tmp_path, bins, max_bins) -> None:
    values = np.random.default_rng(0).normal(0.5, 2.0, 1000)
    with SummaryWriter(tmp_path) as w:
        w.add_histogram("w", chainrule.tensor(values), 3, bins=bins, max_bins=max_bins)
    (e,) = [e for e in _events(tmp_path) if e.HasField("summary")]
    h = e.summary.value[0].histo
    assert (h.min, h.max, h.num) == (values.min(), values.max(), 1000)
    assert h.sum == pytest.approx(values.sum()) and h.sum_squares == pytest.approx((values**2).sum())
    limits, counts = np.array(h.bucket_limit), np.array(h.bucket)
    assert len(limits) == len(counts) and np.all(np.diff(limits) > 0) and counts.sum() == 1000
    assert counts[0] > 0 and counts[-1] > 0  # empty buckets at the ends are dropped
    lower = np.concatenate([[-np.inf], limits[:-1]])
    inside = [((values >= lo) & (values < hi)).sum() for lo, hi in zip(lower, limits)]
    inside[-1] += (values == limits[-1]).sum()  # NumPy's last bucket is closed on the right
    assert inside == counts.tolist()
    if max_bins is not None:
        assert len(counts) <= max_bins
    if bins == "tensorflow":  # TensorBoard's exponential edges: neighbours 1.1x apart
        pos = limits[limits > 1e-3]
        np.testing.assert_allclose(pos[1:] / pos[:-1], 1.1)


def test_buffering_flush_and_reopen_after_close(tmp_path) -> None:
    w = SummaryWriter(tmp_path, max_queue=3)
    w.add_scalar("a", 1.0, 0)
    assert len(_events(tmp_path)) == 1  # only the header is on disk: the event waits in the queue
    w.add_scalar("a", 2.0, 1)
    w.add_scalar("a", 3.0, 2)  # the third queued event flushes
    assert [e.summary.value[0].simple_value for e in _events(tmp_path)[1:]] == [1.0, 2.0, 3.0]
    w.add_scalar("a", 4.0, 3)
    w.flush()
    assert len(_events(tmp_path)) == 5
    w.close()
    w.add_scalar("a", 5.0, 4)  # as PyTorch's: writing after close starts a new event file
    w.close()
    assert len(glob.glob(os.path.join(tmp_path, "events.out.tfevents.*"))) == 2


def test_default_log_dir_and_bad_input(tmp_path, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    w = SummaryWriter(comment="_lr0.1")
    assert w.get_logdir().startswith("runs" + os.sep) and w.get_logdir().endswith("_lr0.1")
    assert os.path.isdir(w.get_logdir())
    with pytest.raises(ValueError, match=r"add_scalar: scalar_value should be a single number.*\(3,\)"):
        w.add_scalar("x", chainrule.zeros(3), 0)
    with pytest.raises(ValueError, match="add_histogram: the input for tag 'h' has no element"):
        w.add_histogram("h", np.zeros(0), 0)
    with pytest.warns(UserWarning, match="add_graph: chainrule cannot write TensorBoard graphs"):
        w.add_graph(chainrule.nn.Linear(2, 2), chainrule.zeros(1, 2))
    w.close()


def _png_pixels(value) -> np.ndarray:
    """The image of a Summary.Value, decoded by Pillow, checked against the Image message's fields."""
    PIL = pytest.importorskip("PIL.Image", reason="Pillow (in the test extra) decodes the PNG")
    import io

    pixels = np.asarray(PIL.open(io.BytesIO(value.image.encoded_image_string)))
    assert pixels.shape == (value.image.height, value.image.width, value.image.colorspace)
    return pixels


def test_images_as_torch_converts_them(tmp_path) -> None:
    rng = np.random.default_rng(1)
    chw = rng.uniform(-0.2, 1.2, (3, 5, 7)).astype(np.float32)
    gray = rng.integers(0, 256, (4, 6), dtype=np.uint8)
    batch = rng.uniform(0, 1, (10, 1, 2, 3))
    with SummaryWriter(tmp_path) as w:
        w.add_image("rgb", chainrule.tensor(chw), 0)
        w.add_image("hwc", chw.transpose(1, 2, 0), 1, dataformats="HWC")
        w.add_image("gray", gray, 2, dataformats="HW")
        w.add_images("grid", batch, 3)
        with pytest.raises(ValueError, match=r"add_image: an image of shape \(3, 5, 7\) does not match dataformats 'HW'"):
            w.add_image("bad", chw, 0, dataformats="HW")
        with pytest.raises(ValueError, match="add_image: images need 1, 3 or 4 channels, got 5"):
            w.add_image("bad", np.zeros((5, 2, 2)), 0)
    ev = {e.summary.value[0].tag: e.summary.value[0] for e in _events(tmp_path) if e.HasField("summary")}
    expected = (chw.transpose(1, 2, 0) * 255).clip(0, 255).astype(np.uint8)  # floats are in [0, 1], clipped
    np.testing.assert_array_equal(_png_pixels(ev["rgb"]), expected)
    np.testing.assert_array_equal(_png_pixels(ev["hwc"]), expected)
    np.testing.assert_array_equal(_png_pixels(ev["gray"]), np.stack([gray] * 3, axis=2))  # uint8 kept as is
    grid = _png_pixels(ev["grid"])
    assert grid.shape == (4, 24, 3)  # 10 images of 2x3 in rows of 8
    tile = (batch[9, 0] * 255).clip(0, 255).astype(np.uint8)
    np.testing.assert_array_equal(grid[2:4, 3:6, 1], tile)
    assert not grid[2:4, 6:].any()  # the rest of the last row is black


def test_matplotlib_figure(tmp_path) -> None:
    matplotlib = pytest.importorskip("matplotlib", reason="matplotlib draws the figure")
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig = plt.figure(figsize=(2, 1), dpi=50)
    fig.patch.set_facecolor((1.0, 0.0, 0.0))
    with SummaryWriter(tmp_path) as w:
        w.add_figure("fig", fig, 0)
    assert not plt.fignum_exists(fig.number)  # closed, as PyTorch's close=True
    (value,) = [e.summary.value[0] for e in _events(tmp_path) if e.HasField("summary")]
    pixels = _png_pixels(value)
    assert pixels.shape == (50, 100, 3) and (pixels == [255, 0, 0]).all()


def test_tensorboards_own_reader_loads_the_file(tmp_path) -> None:
    ea_mod = pytest.importorskip("tensorboard.backend.event_processing.event_accumulator",
                                 reason="the optional tensorboard package reads event files")
    with SummaryWriter(tmp_path) as w:
        for step in range(3):
            w.add_scalar("loss", 1.0 / (step + 1), step)
        w.add_histogram("w", np.arange(10.0), 0)
    acc = ea_mod.EventAccumulator(str(tmp_path))
    acc.Reload()
    assert [(s.step, s.value) for s in acc.Scalars("loss")] == [(0, 1.0), (1, 0.5), (2, pytest.approx(1 / 3))]
    assert acc.Histograms("w")[0].histogram_value.num == 10


@pytest.mark.parametrize("n, weighted", [(127, False), (11, True)])
def test_pr_curve_counts_every_threshold(tmp_path, n: int, weighted: bool) -> None:
    rng = np.random.default_rng(3)
    labels = rng.integers(0, 2, 200)
    preds = np.clip(labels * 0.3 + rng.random(200) * 0.7, 0, 1).astype(np.float32)
    preds[:3] = [0.0, 1.0, 0.5]
    w = rng.random(200) if weighted else np.ones(200)
    with SummaryWriter(tmp_path) as writer:
        writer.add_pr_curve("pr", chainrule.tensor(labels), chainrule.tensor(preds), 7, num_thresholds=n,
                            weights=w if weighted else None)  # fmt: skip
    (value,) = _events(tmp_path)[-1].summary.value
    assert value.tag == "pr" and value.metadata.plugin_data.plugin_name == "pr_curves"
    assert value.metadata.plugin_data.content == bytes([0x08, 0x00, 0x10, n])  # version 0, num_thresholds n
    assert value.tensor.dtype == 1 and [d.size for d in value.tensor.tensor_shape.dim] == [6, n]
    got = np.array(value.tensor.float_val).reshape(6, n)
    for i in range(n):  # brute force: positive at threshold i/(n-1) when floor(p (n-1)) >= i
        pos = np.floor(preds.astype(np.float64) * (n - 1)) >= i
        tp, fp = (w * labels)[pos].sum(), (w * (1 - labels))[pos].sum()
        fn, tn = (w * labels)[~pos].sum(), (w * (1 - labels))[~pos].sum()
        want = [tp, fp, tn, fn, tp / max(tp + fp, 1e-7), tp / max(tp + fn, 1e-7)]
        np.testing.assert_allclose(got[:, i], want, rtol=1e-5, atol=1e-5)
    with pytest.raises(ValueError, match="predictions must lie in"):
        SummaryWriter(tmp_path / "bad").add_pr_curve("x", [1, 0], [1.5, 0.2])
