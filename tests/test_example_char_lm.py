"""The character-level language model example trains a GRU on the bundled text and writes mostly real words."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import numpy as np

from chainrule.datasets import CharVocab, load_text, text_windows

EXAMPLE = Path(__file__).resolve().parents[1] / "examples" / "char_language_model.py"


def test_bundled_text_and_vocabulary() -> None:
    text = load_text()
    assert 150_000 < len(text) < 300_000 and text.startswith("First Citizen:")
    vocab = CharVocab.from_text(text)
    assert len(vocab) == 62
    ids = vocab.encode(text[:500])
    assert ids.dtype == np.int64 and vocab.decode(ids) == text[:500]
    x, y = text_windows(ids, 10, np.array([0, 7]))
    assert x.shape == y.shape == (2, 10)
    np.testing.assert_array_equal(y[:, :-1], x[:, 1:])
    np.testing.assert_array_equal(x[1], ids[7:17])


def test_char_language_model_learns_words(capsys) -> None:
    spec = importlib.util.spec_from_file_location("example_char_lm", EXAMPLE)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    result = module.main(steps=300)
    assert result["val_loss_start"] > 4.0  # ≈ log(62): a uniform guess
    assert result["val_loss"] < 2.1  # nats per character on held-out text (measured 1.82)
    assert result["real_word_fraction"] > 0.5  # measured 0.71 of sampled words occur in the text
    assert "\n" in result["sample"]
    assert "validation loss" in capsys.readouterr().out
