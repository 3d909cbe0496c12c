"""The TensorBoard event-file format, written without TensorFlow or the ``tensorboard`` package.

An event file is a sequence of TFRecords; each record is one serialized ``Event`` protocol buffer:

    uint64 length | uint32 masked_crc32c(length bytes) | data | uint32 masked_crc32c(data)

(little-endian; ``masked(c) = ((c >> 15) | (c << 17)) + 0xa282ead8`` mod 2**32, CRC-32C being the
Castagnoli polynomial). The few messages needed are encoded by hand from their field numbers:

    Event          wall_time=1 (double), step=2 (int64), file_version=3 (string), summary=5
    Summary        value=1 (repeated Value)
    Value          tag=1, simple_value=2 (float), image=4, histo=5, tensor=8, metadata=9
    Image          height=1, width=2, colorspace=3 (channels), encoded_image_string=4 (PNG)
    HistogramProto min=1 max=2 num=3 sum=4 sum_squares=5 (doubles), bucket_limit=6, bucket=7 (packed doubles)
    SummaryMetadata plugin_data=1 {plugin_name=1, content=2}
    TensorProto    dtype=1 (DT_STRING = 7), tensor_shape=2 {dim=2 {size=1}}, string_val=8
"""

from __future__ import annotations

import struct
from collections.abc import Sequence
from typing import Any

import numpy as np

_CRC_TABLE: list[int] = []
for _n in range(256):
    _c = _n
    for _ in range(8):
        _c = (_c >> 1) ^ 0x82F63B78 if _c & 1 else _c >> 1
    _CRC_TABLE.append(_c)


def crc32c(data: bytes) -> int:
    """CRC-32C (Castagnoli) of ``data``, table-driven, one byte at a time."""
    crc = 0xFFFFFFFF
    table = _CRC_TABLE
    for b in data:
        crc = table[(crc ^ b) & 0xFF] ^ (crc >> 8)
    return crc ^ 0xFFFFFFFF


def masked_crc(data: bytes) -> int:
    """The masked CRC TFRecord stores (so a CRC of data that itself holds CRCs stays well spread)."""
    c = crc32c(data)
    return (((c >> 15) | (c << 17)) + 0xA282EAD8) & 0xFFFFFFFF


def record(data: bytes) -> bytes:
    """One TFRecord frame around ``data``."""
    header = struct.pack("<Q", len(data))
    return header + struct.pack("<I", masked_crc(header)) + data + struct.pack("<I", masked_crc(data))


# --- protocol buffer wire format -----------------------------------------------------------------
def _varint(n: int) -> bytes:
    n &= 0xFFFFFFFFFFFFFFFF  # negative int64 values take ten bytes, as protobuf writes them
    out = bytearray()
    while True:
        byte = n & 0x7F
        n >>= 7
        if n:
            out.append(byte | 0x80)
        else:
            out.append(byte)
            return bytes(out)


def _key(field: int, wire: int) -> bytes:
    return _varint(field << 3 | wire)


def field_varint(field: int, n: int) -> bytes:
    """An int field (wire type 0)."""
    return _key(field, 0) + _varint(n)


def field_double(field: int, x: float) -> bytes:
    """A double field (wire type 1)."""
    return _key(field, 1) + struct.pack("<d", x)


def field_float(field: int, x: float) -> bytes:
    """A float field (wire type 5)."""
    return _key(field, 5) + struct.pack("<f", x)


def field_bytes(field: int, data: bytes) -> bytes:
    """A string, bytes or sub-message field (wire type 2)."""
    return _key(field, 2) + _varint(len(data)) + data


def packed_doubles(field: int, xs: Sequence[float]) -> bytes:
    """A packed repeated double field."""
    return field_bytes(field, struct.pack(f"<{len(xs)}d", *xs))


def event(wall_time: float, step: int | None = None, *, file_version: str | None = None,
          values: Sequence[bytes] = ()) -> bytes:
    """A serialized ``Event``: a wall time, a step, and either the file version or summary values."""
    out = field_double(1, wall_time)
    if step is not None:
        out += field_varint(2, step)
    if file_version is not None:
        out += field_bytes(3, file_version.encode())
    if values:
        out += field_bytes(5, b"".join(field_bytes(1, v) for v in values))
    return out


def scalar_value(tag: str, x: float) -> bytes:
    """A ``Summary.Value`` holding one float (``simple_value``), what the scalars dashboard reads."""
    return field_bytes(1, tag.encode()) + field_float(2, x)


def histogram_value(tag: str, vmin: float, vmax: float, num: int, total: float, sum_squares: float,
                    limits: Sequence[float], counts: Sequence[float]) -> bytes:
    """A ``Summary.Value`` holding a ``HistogramProto`` (bucket ``i`` counts values up to ``limits[i]``)."""
    histo = (field_double(1, vmin) + field_double(2, vmax) + field_double(3, float(num)) + field_double(4, total)
             + field_double(5, sum_squares) + packed_doubles(6, limits) + packed_doubles(7, counts))
    return field_bytes(1, tag.encode()) + field_bytes(5, histo)


def text_value(tag: str, text: str) -> bytes:
    """A ``Summary.Value`` for the text dashboard: plugin "text", a DT_STRING tensor of shape [1]."""
    metadata = field_bytes(1, field_bytes(1, b"text"))  # plugin_data { plugin_name: "text" }
    shape = field_bytes(2, field_varint(1, 1))  # dim { size: 1 }
    tensor = field_varint(1, 7) + field_bytes(2, shape) + field_bytes(8, text.encode())
    return field_bytes(1, tag.encode()) + field_bytes(8, tensor) + field_bytes(9, metadata)


def png(img: Any) -> bytes:
    """A PNG file of an (H, W, C) uint8 array, C = 1 (gray), 2 (gray+alpha), 3 (RGB) or 4 (RGBA).

    Each row is prefixed by filter type 0 (none) and the whole is deflated (zlib); chunks carry
    their CRC-32 as the PNG specification asks.
    """
    import zlib

    h, w, c = img.shape
    color_type = {1: 0, 2: 4, 3: 2, 4: 6}[c]
    raw = np.concatenate([np.zeros((h, 1), np.uint8), img.reshape(h, w * c)], axis=1).tobytes()

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", w, h, 8, color_type, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(raw, 6)) + chunk(b"IEND", b"")


def image_value(tag: str, img: Any) -> bytes:
    """A ``Summary.Value`` holding an ``Image`` (height=1, width=2, colorspace=3, encoded PNG=4)."""
    h, w, c = img.shape
    image = field_varint(1, h) + field_varint(2, w) + field_varint(3, c) + field_bytes(4, png(img))
    return field_bytes(1, tag.encode()) + field_bytes(4, image)


def pr_curve_value(tag: str, curve: Any) -> bytes:
    """A ``Summary.Value`` for the PR-curves dashboard: plugin "pr_curves" (its data: version 0 and the number
    of thresholds), a DT_FLOAT tensor of shape [6, thresholds] (rows TP, FP, TN, FN, precision, recall)."""
    rows, n = curve.shape
    content = field_varint(1, 0) + field_varint(2, n)  # PrCurvePluginData { version: 0, num_thresholds: n }
    metadata = field_bytes(1, field_bytes(1, b"pr_curves") + field_bytes(2, content))
    shape = field_bytes(2, field_varint(1, rows)) + field_bytes(2, field_varint(1, n))
    floats = np.asarray(curve, "<f4").tobytes()
    tensor = field_varint(1, 1) + field_bytes(2, shape) + field_bytes(5, floats)  # DT_FLOAT, packed float_val
    return field_bytes(1, tag.encode()) + field_bytes(8, tensor) + field_bytes(9, metadata)
