"""A character-level language model: a GRU reads Shakespeare one character at a time and learns to write.

A sequence is a higher-rank tensor (time × batch × features) and a recurrent network reads it step by step,
carrying a state h_t that summarizes what it has seen:
    r = σ(W_ir x_t + W_hr h_{t−1} + b_r),  z = σ(W_iz x_t + W_hz h_{t−1} + b_z)
    n = tanh(W_in x_t + b_in + r ⊙ (W_hn h_{t−1} + b_hn)),  h_t = (1 − z) ⊙ n + z ⊙ h_{t−1}
The update gate z decides how much of the old state to keep, the reset gate r how much of it to use in
the candidate n. A linear read-out of h_t scores the next character; training minimizes the cross-entropy
−log p(c_{t+1} | c_1 … c_t) over windows of the bundled text (~200,000 characters, public domain), and the
gradient reaches every step through backpropagation through time (the fused GRU op's backward). A
uniform guess costs log(62) ≈ 4.1 nats per character; the model gets well below 2, and sampling it
character by character (temperature 0.8) writes speaker names, line breaks and mostly real words.

Run:  python examples/char_language_model.py [steps]
"""

from __future__ import annotations

import sys
import time

import numpy as np

import chainrule as cr
from chainrule import nn, optim
from chainrule.datasets import CharVocab, load_text, text_windows


class CharModel(nn.Module):
    """Embedding -> GRU -> Linear: next-character scores for every position."""

    def __init__(self, vocab: int, embed: int = 32, hidden: int = 192, layers: int = 1) -> None:
        super().__init__()
        self.embed = nn.Embedding(vocab, embed)
        self.rnn = nn.GRU(embed, hidden, num_layers=layers, batch_first=True)
        self.head = nn.Linear(hidden, vocab)

    def forward(self, ids: cr.Tensor, h: cr.Tensor | None = None) -> tuple[cr.Tensor, cr.Tensor]:
        out, h = self.rnn(self.embed(ids), h)
        return self.head(out), h


def sample(model: CharModel, vocab: CharVocab, prompt: str, n: int, temperature: float = 0.8,
           seed: int = 0) -> str:
    """Generate ``n`` characters after ``prompt``, feeding each sampled character back in."""
    rng = np.random.default_rng(seed)
    model.eval()
    out = []
    with cr.no_grad():
        logits, h = model(cr.tensor(vocab.encode(prompt)[None]))
        for _ in range(n):
            p = (logits[0, -1] / temperature).softmax(0).numpy().astype(np.float64)
            c = int(rng.choice(len(p), p=p / p.sum()))
            out.append(c)
            logits, h = model(cr.tensor([[c]]), h)
    model.train()
    return vocab.decode(out)


def main(steps: int = 500, seq_len: int = 64, batch_size: int = 32, seed: int = 0) -> dict:
    start = time.perf_counter()
    cr.manual_seed(seed)
    text = load_text()
    vocab = CharVocab.from_text(text)
    ids = vocab.encode(text)
    split = int(0.9 * len(ids))
    train_ids, val_ids = ids[:split], ids[split:]
    rng = np.random.default_rng(seed)
    model = CharModel(len(vocab))
    optimizer = optim.Adam(model.parameters(), lr=4e-3)
    loss_fn = nn.CrossEntropyLoss()
    val_x, val_y = text_windows(val_ids, seq_len, np.arange(0, len(val_ids) - seq_len - 1, seq_len)[:128])

    def evaluate() -> float:
        model.eval()
        with cr.no_grad():
            logits, _ = model(cr.tensor(val_x))
            loss = loss_fn(logits.reshape(-1, len(vocab)), cr.tensor(val_y.reshape(-1))).item()
        model.train()
        return loss

    first_val = evaluate()
    for step in range(1, steps + 1):
        x, y = text_windows(train_ids, seq_len, rng.integers(0, len(train_ids) - seq_len - 1, batch_size))
        logits, _ = model(cr.tensor(x))
        loss = loss_fn(logits.reshape(-1, len(vocab)), cr.tensor(y.reshape(-1)))
        optimizer.zero_grad()
        loss.backward()
        nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        optimizer.step()
        if step % 100 == 0 or step == steps:
            print(f"step {step:4d}  train loss {loss.item():.3f}")
    val_loss = evaluate()
    text_out = sample(model, vocab, "ROMEO:\n", 400, seed=seed)
    words = {w.strip(".,;:!?'-").lower() for w in text.split()}
    generated = [w.strip(".,;:!?'-").lower() for w in text_out.split()]
    generated = [w for w in generated if w]
    real = sum(w in words for w in generated) / max(1, len(generated))
    print(f"validation loss {first_val:.2f} -> {val_loss:.2f} nats/char; {real:.0%} of sampled words are real")
    print("sample:\nROMEO:\n" + text_out)
    return {"val_loss_start": first_val, "val_loss": val_loss, "real_word_fraction": real, "sample": text_out,
            "seconds": time.perf_counter() - start}


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 500)
