"""What one MiniLM fine-tuning step costs, and what freezing the lowest layers saves (2026-12-07).

A batch of 32 random token ids, 34 tokens each (about the corpus's bucketed length), through the packaged
all-MiniLM-L6-v2 on this process's threads: the forward alone (eval and train mode: dropout costs), then
forward and backward with the token embeddings frozen (as stage 1 trains) and 0, 3 or 5 of its 6 layers
frozen as well. Run it with the AVX2 cap of docs/EXPERIMENTS.md in front to see an AVX2 CPU's costs.
"""

import time

import torch

from sendclf.encoders import resolve_encoder
from sendclf.models.transformer_net import load_encoder

BATCH, TOKENS, THREADS, WARM_UP, REPEATS = 32, 34, 2, 2, 8


def seconds(step) -> float:
    for _ in range(WARM_UP):
        step()
    start = time.perf_counter()
    for _ in range(REPEATS):
        step()
    return (time.perf_counter() - start) / REPEATS


def main() -> None:
    torch.manual_seed(0)
    torch.set_num_threads(THREADS)
    ids = torch.randint(1000, 20000, (BATCH, TOKENS))
    mask = torch.ones_like(ids)
    for frozen in (None, 0, 3, 5):
        _, encoder = load_encoder(resolve_encoder(None))
        if frozen is None:
            for mode in ("eval", "train"):
                getattr(encoder, mode)()
                with torch.no_grad():
                    cost = seconds(lambda net=encoder: net(input_ids=ids, attention_mask=mask))
                print(f"forward only, {mode} mode: {cost:.3f} s")
            continue
        encoder.train()
        encoder.get_input_embeddings().weight.requires_grad_(False)
        for layer in encoder.encoder.layer[:frozen]:
            layer.requires_grad_(False)

        def step(net=encoder):
            net(input_ids=ids, attention_mask=mask).last_hidden_state.mean(dim=1).sum().backward()

        print(f"forward and backward, {frozen} layers frozen: {seconds(step):.3f} s")


if __name__ == "__main__":
    main()
