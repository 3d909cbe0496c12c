"""Text for character-level language models: the bundled Shakespeare passages and a character vocabulary.

A language model reads characters c_1 … c_t and predicts c_{t+1}; trained on windows of the text with
the cross-entropy −log p(c_{t+1} | c_≤t), it learns spelling, words and line structure, and can then
be sampled one character at a time.
"""

from __future__ import annotations

import gzip
from dataclasses import dataclass
from importlib import resources

import numpy as np

__all__ = ["load_text", "CharVocab", "text_windows", "load_text_windows"]


def load_text() -> str:
    """The bundled public-domain text (~200,000 characters of Shakespeare's plays; see data/README.md)."""
    with resources.files("chainrule.datasets").joinpath("data/shakespeare.txt.gz").open("rb") as f:
        return gzip.decompress(f.read()).decode("utf-8")


@dataclass
class CharVocab:
    """The sorted distinct characters of a text: ``encode`` maps text to int64 ids, ``decode`` back."""

    chars: str

    @classmethod
    def from_text(cls, text: str) -> CharVocab:
        """The vocabulary of every character that occurs in ``text``."""
        return cls("".join(sorted(set(text))))

    def __len__(self) -> int:
        return len(self.chars)

    def encode(self, text: str) -> np.ndarray:
        """Character ids (int64); ValueError naming the first character outside the vocabulary."""
        index = {c: i for i, c in enumerate(self.chars)}
        try:
            return np.fromiter((index[c] for c in text), np.int64, len(text))
        except KeyError as e:
            raise ValueError(f"CharVocab.encode: character {e.args[0]!r} is not in the vocabulary "
                             f"({len(self.chars)} characters)") from None

    def decode(self, ids: object) -> str:
        """The text of a sequence of ids."""
        return "".join(self.chars[int(i)] for i in np.asarray(ids).reshape(-1))


def text_windows(ids: np.ndarray, seq_len: int, starts: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Inputs ids[s : s+seq_len] and next-character targets ids[s+1 : s+seq_len+1] for each start s: (N, seq_len)."""
    if seq_len < 1 or len(ids) <= seq_len:
        raise ValueError(f"text_windows: expected 1 <= seq_len < len(ids), got seq_len={seq_len}, len={len(ids)}")
    offsets = np.asarray(starts)[:, None] + np.arange(seq_len + 1)
    windows = ids[offsets]
    return windows[:, :-1], windows[:, 1:]


def load_text_windows(seq_len: int = 64) -> tuple[np.ndarray, np.ndarray, str]:
    """The bundled text cut into consecutive windows: inputs (N, seq_len) and next-character targets (N, seq_len)
    as int64 ids, and the vocabulary's characters (the class names)."""
    text = load_text()
    vocab = CharVocab.from_text(text)
    ids = vocab.encode(text)
    x, y = text_windows(ids, seq_len, np.arange(0, len(ids) - seq_len - 1, seq_len))
    return x, y, vocab.chars
