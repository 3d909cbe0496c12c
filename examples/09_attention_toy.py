"""A small attention model learns to sort (or reverse) a sequence of tokens.

Self-attention lets every position look at every other one: with queries Q = X W_q, keys K = X W_k
and values V = X W_v, each output row is a weighted mean of the value rows,
    Attention(Q, K, V) = softmax(Q Kᵀ / √d) V,
where the weights softmax(q·k / √d) are large for keys that match the query. Attention by itself
ignores order (permuting the inputs permutes the outputs), so a learned positional embedding is
added to each token's embedding. To reverse, position i attends to position L − 1 − i (attention
by position); to sort, each token must compare itself with all the others to find its rank
(attention by content). One ``nn.TransformerEncoderLayer`` (multi-head attention + a small MLP,
each with a residual connection and LayerNorm) and a linear read-out per position learn either.

Run:  python examples/09_attention_toy.py [sort|reverse]
"""

from __future__ import annotations

import sys
import time

import chainrule as cr
from chainrule import nn, optim


class SequenceModel(nn.Module):
    def __init__(self, vocab: int, length: int, d_model: int = 32, nhead: int = 4) -> None:
        super().__init__()
        self.token = nn.Embedding(vocab, d_model)
        self.position = nn.Embedding(length, d_model)  # one learned vector per position
        self.encoder = nn.TransformerEncoderLayer(
            d_model, nhead, dim_feedforward=2 * d_model, dropout=0.0, batch_first=True
        )
        self.readout = nn.Linear(d_model, vocab)

    def forward(self, tokens: cr.Tensor) -> cr.Tensor:  # (B, L) int64 -> (B, L, vocab) scores
        positions = cr.arange(tokens.shape[1])
        h = self.token(tokens) + self.position(positions)
        return self.readout(self.encoder(h))


def batch(task: str, size: int, vocab: int, length: int) -> tuple[cr.Tensor, cr.Tensor]:
    x = cr.randint(0, vocab, (size, length))
    return x, (x.sort(dim=1).values if task == "sort" else x.flip(1))


def main(
    task: str = "sort",
    steps: int = 400,
    vocab: int = 10,
    length: int = 8,
    batch_size: int = 64,
    seed: int = 0,
) -> dict:
    if task not in ("sort", "reverse"):
        raise ValueError(f"task must be 'sort' or 'reverse', got {task!r}")
    start = time.perf_counter()
    cr.manual_seed(seed)
    model = SequenceModel(vocab, length)
    loss_fn = nn.CrossEntropyLoss()
    optimizer = optim.Adam(model.parameters(), lr=3e-3)
    for step in range(1, steps + 1):
        x, y = batch(task, batch_size, vocab, length)
        loss = loss_fn(model(x).reshape(-1, vocab), y.reshape(-1))  # every position is a classification
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        if step % 100 == 0:
            print(f"step {step:4d}   loss {loss.item():.4f}")

    model.eval()
    x, y = batch(task, 1000, vocab, length)  # fresh sequences the model has never seen
    with cr.no_grad():
        pred = model(x).argmax(-1)
    token_acc = (pred == y).float().mean().item()
    seq_acc = (pred == y).all(1).float().mean().item()
    print(f"example: {x[0].tolist()} -> {pred[0].tolist()}")
    return {"token_accuracy": token_acc, "sequence_accuracy": seq_acc, "final_loss": loss.item(),
            "seconds": time.perf_counter() - start}  # fmt: skip


if __name__ == "__main__":
    task = sys.argv[1] if len(sys.argv) > 1 else "sort"
    result = main(task)
    print(f"{task}: {result['sequence_accuracy']:.1%} of new sequences exactly right "
          f"({result['token_accuracy']:.1%} of tokens) in {result['seconds']:.1f} s")  # fmt: skip
