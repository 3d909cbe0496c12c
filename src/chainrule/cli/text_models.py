"""Character-level language models for ``--dataset text`` (``--model rnn|lstm|gru``) and sampling for ``predict``.

The model reads windows of character ids (as the float features the data pipeline carries) and
scores the next character at every position: Embedding -> one recurrent layer per ``--hidden`` width
(dropout between them) -> Linear, returned as (N, vocab, L) so cross-entropy and accuracy treat the
positions like extra dims. ``predict`` reads a prompt from a text file and samples a continuation.
"""

from __future__ import annotations

import os
from typing import Any

import numpy as np

from .. import nn
from ..errors import UserError

__all__ = ["TEXT_MODELS", "CharRNN", "build_text_model", "sample_file"]

TEXT_MODELS = ("rnn", "lstm", "gru")
EMBED = 32
SAMPLE_LENGTH, TEMPERATURE = 300, 0.8


class CharRNN(nn.Module):
    """Embedding -> stacked recurrent layers (RNN, LSTM or GRU, one per width) -> Linear next-character scores."""

    def __init__(self, kind: str, vocab: int, hidden: list[int], dropout: float = 0.0) -> None:
        super().__init__()
        cls = {"rnn": nn.RNN, "lstm": nn.LSTM, "gru": nn.GRU}[kind]
        self.embed = nn.Embedding(vocab, EMBED)
        widths = [EMBED, *hidden]
        self.layers = nn.ModuleList([cls(a, b, batch_first=True) for a, b in zip(widths[:-1], widths[1:])])
        self.drop = nn.Dropout(dropout)
        self.head = nn.Linear(widths[-1], vocab)

    def step(self, ids: Any, states: list[Any] | None = None) -> tuple[Any, list[Any]]:
        """Scores (N, L, vocab) for ids (N, L) from the given per-layer states; returns the new states too."""
        h = self.embed(ids.long())
        new = []
        for i, layer in enumerate(self.layers):
            if i:
                h = self.drop(h)
            h, s = layer(h, None if states is None else states[i])
            new.append(s)
        return self.head(h), new

    def forward(self, ids: Any) -> Any:
        """Next-character scores (N, vocab, L) for each position of ids (N, L)."""
        return self.step(ids)[0].permute(0, 2, 1)


def build_text_model(cfg: dict[str, Any], input_shape: tuple[int, ...], num_classes: int | None) -> CharRNN:
    """The language model of ``cfg`` (checks that the dataset is text and the model recurrent)."""
    kind, data = cfg["model"], cfg["dataset"]
    if kind not in TEXT_MODELS:
        raise UserError(f"The text dataset is a sequence of characters; --model {kind} cannot read it. Use "
                        "--model rnn, lstm or gru.")
    if data != "text":
        raise UserError(f"The {kind} model reads sequences of characters, but {data} is not a text dataset. Use "
                        "--dataset text, or --model mlp for the other datasets.")
    return CharRNN(kind, int(num_classes or 0), list(cfg["hidden"]), cfg["dropout"])


def sample_file(sess: Any, data: dict[str, Any], path: str) -> tuple[str, int]:
    """The prompt in ``path`` followed by a sampled continuation (temperature 0.8, seeded by the run's seed)."""
    from .. import no_grad, tensor

    if not os.path.isfile(path):
        raise UserError(f"The input file {path!r} does not exist. Give --input a text file holding the prompt.")
    try:
        with open(path, encoding="utf-8") as f:
            prompt = f.read()
    except UnicodeDecodeError:
        raise UserError(f"The input {path!r} is not UTF-8 text. Give a text file holding the prompt.") from None
    chars = "".join(data["class_names"])
    index = {c: i for i, c in enumerate(chars)}
    unknown = sorted({c for c in prompt if c not in index})
    if not prompt or unknown:
        what = "is empty" if not prompt else f"has characters the model never saw: {''.join(unknown)!r}"
        raise UserError(f"The prompt in {path!r} {what}. Give text made of the training text's characters.")
    model = sess.model
    model.eval()
    rng = np.random.default_rng(sess.cfg["seed"])
    out = []
    with no_grad():
        logits, states = model.step(tensor([[index[c] for c in prompt]]))
        for _ in range(SAMPLE_LENGTH):
            z = logits.numpy()[0, -1].astype(np.float64) / TEMPERATURE
            p = np.exp(z - z.max())
            c = int(rng.choice(len(p), p=p / p.sum()))
            out.append(chars[c])
            logits, states = model.step(tensor([[c]]), states)
    return prompt + "".join(out) + "\n", 1
