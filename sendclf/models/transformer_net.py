"""The transformer's torch half: one `nn.Module`, the loss, one step loop, and the hardware choices.

`TransformerNet` holds encoder, mean pooling, dropout and the two cosine heads, so a model is one
`state_dict()`. Examples are tokenised once and batched by length (little padding). One loop, `run_steps`,
serves both stages: probing (heads alone, on cached sentence vectors) and fine-tuning (encoder and heads),
with the learning rate from a plain `lr_at(step)`.

Imported only to train, or to predict with the torch runtime: the ONNX runtime path never imports torch.
"""

from __future__ import annotations

import logging
import os
import platform
import sys
import warnings
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch
from torch import nn
from tqdm.auto import tqdm

from sendclf.errors import SendclfError
from sendclf.machine import cpu_threads

os.environ.setdefault("HF_HUB_OFFLINE", "1")

# A length-sorted window spans this many batches: batches hold sentences of like length, yet the order
# of batches (and what shares a batch) still changes every epoch.
BUCKET_BATCHES = 50
_warned_slow_bfloat16 = False


# ---- hardware: device and precision, read from what torch reports at run time ------------------------

def native_bfloat16() -> bool:
    """True where the CPU does bfloat16 arithmetic in hardware (AVX-512 BF16 or AMX tiles on x86; the
    oneDNN bf16 check elsewhere). Without it torch emulates bfloat16, 7-17x slower than float32."""
    try:
        if platform.machine().lower() in ("x86_64", "amd64"):
            return bool(torch.cpu._is_avx512_bf16_supported() or torch.cpu._is_amx_tile_supported())
        return bool(torch.ops.mkldnn._is_mkldnn_bf16_supported())
    except (AttributeError, RuntimeError):
        return False


def resolve_device(device: str) -> str:
    if device == "auto":
        return "cuda" if torch.cuda.is_available() else "cpu"
    if device == "cuda" and not torch.cuda.is_available():
        raise SendclfError("device: cuda, but torch sees no CUDA device")
    return device


def resolve_precision(precision: str, device: str) -> str:
    """`auto` -> bfloat16 only where the hardware does it natively, else float32. An explicit bfloat16
    on a CPU without it is honoured, with one warning that it will be slow."""
    global _warned_slow_bfloat16
    native = torch.cuda.is_bf16_supported() if device == "cuda" else native_bfloat16()
    if precision == "auto":
        return "bfloat16" if native else "float32"
    if precision == "bfloat16" and not native and not _warned_slow_bfloat16:
        _warned_slow_bfloat16 = True
        warnings.warn("bfloat16 was asked for, but this CPU has no native bfloat16 (AVX-512 BF16 / AMX): "
                      "torch emulates it, 7-17x slower than float32; use `auto` or float32",
                      stacklevel=2)
    return precision


@contextmanager
def torch_session(threads: int, seed: int | None = None):
    """Fixed thread count and deterministic kernels (and a seed), restored afterwards."""
    old_threads, old_deterministic = torch.get_num_threads(), torch.are_deterministic_algorithms_enabled()
    torch.set_num_threads(cpu_threads(threads))
    torch.use_deterministic_algorithms(True)
    if seed is not None:
        torch.manual_seed(seed)
    try:
        yield
    finally:
        torch.set_num_threads(old_threads)
        torch.use_deterministic_algorithms(old_deterministic)


def load_encoder(path: str | Path):
    """Tokenizer and encoder from a local directory, quietly and without touching the network."""
    from transformers import AutoModel, AutoTokenizer
    from transformers.utils import logging as hf_logging

    if not Path(path).is_dir():
        raise SendclfError(f"{path}: encoder directory not found")
    bars = hf_logging.is_progress_bar_enabled()
    hf_logging.disable_progress_bar()  # the per-tensor "Loading weights" bar is noise
    try:
        tokenizer = AutoTokenizer.from_pretrained(str(path), local_files_only=True)
        encoder = AutoModel.from_pretrained(str(path), local_files_only=True, attn_implementation="eager")
    finally:
        if bars:
            hf_logging.enable_progress_bar()
    return tokenizer, encoder


# ---- the model --------------------------------------------------------------------------------------

class CosineHead(nn.Linear):
    """Logits = scale x cosine(sentence vector, class vector) + bias (Chen et al. 2019). MiniLM was
    trained so that cosines carry meaning; a theme cannot win on a vector norm grown from a few examples."""

    def __init__(self, width: int, n_classes: int, scale: float):
        super().__init__(width, n_classes)
        self.scale = scale

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        cosine = nn.functional.normalize(x, dim=-1) @ nn.functional.normalize(self.weight, dim=-1).T
        return self.scale * cosine + self.bias


class Heads(nn.Module):
    """Dropout on the sentence vector, then the polarity and theme heads."""

    def __init__(self, width: int, n_polarities: int, n_themes: int, dropout: float, scale: float):
        super().__init__()
        self.dropout = nn.Dropout(dropout)
        self.polarity = CosineHead(width, n_polarities, scale)
        self.themes = CosineHead(width, n_themes, scale)

    def forward(self, pooled: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        pooled = self.dropout(pooled)
        return self.polarity(pooled), self.themes(pooled)


class TransformerNet(nn.Module):
    """Encoder -> mean of the token vectors over the attention mask -> dropout -> polarity and theme heads."""

    def __init__(self, encoder: nn.Module, n_polarities: int, n_themes: int, dropout: float, scale: float):
        super().__init__()
        self.encoder = encoder
        self.head = Heads(encoder.config.hidden_size, n_polarities, n_themes, dropout, scale)

    def embed(self, input_ids: torch.Tensor, attention_mask: torch.Tensor) -> torch.Tensor:
        hidden = self.encoder(input_ids=input_ids, attention_mask=attention_mask).last_hidden_state
        mask = attention_mask.unsqueeze(-1).to(hidden.dtype)
        return ((hidden * mask).sum(dim=1) / mask.sum(dim=1).clamp(min=1e-9)).float()

    def forward(self, input_ids: torch.Tensor, attention_mask: torch.Tensor):
        return self.head(self.embed(input_ids, attention_mask))


class Pooler(nn.Module):
    """Encoder and pooling alone: what is exported to ONNX (the heads stay in float32 outside it)."""

    def __init__(self, net: TransformerNet):
        super().__init__()
        self.net = net

    def forward(self, input_ids: torch.Tensor, attention_mask: torch.Tensor) -> torch.Tensor:
        return self.net.embed(input_ids, attention_mask)


# ---- examples, batches and the loss -------------------------------------------------------------------

@dataclass
class Examples:
    """Rows tokenised once, with targets; the masks say which head a row teaches (a label phrase
    teaches one head only)."""

    ids: list[list[int]]
    polarity: torch.Tensor  # (n, n_polarities) float: one-hot for a label, a teacher's probabilities
    themes: torch.Tensor  # (n, n_themes) float
    polarity_mask: torch.Tensor  # (n,) float
    theme_mask: torch.Tensor  # (n,) float
    weight: torch.Tensor  # (n,) float


@dataclass
class LossWeights:
    """Balanced polarity class weights and clipped per-theme positive weights, from the labelled rows."""

    polarity: torch.Tensor
    themes: torch.Tensor
    theme_loss_weight: float

    @classmethod
    def from_labels(cls, polarity: np.ndarray, themes: np.ndarray, n_polarities: int, max_pos_weight: float,
                    theme_loss_weight: float) -> LossWeights:
        counts = np.bincount(polarity, minlength=n_polarities).astype(np.float64)
        class_weight = np.where(counts > 0, len(polarity) / (n_polarities * np.maximum(counts, 1)), 0.0)
        positives = themes.sum(axis=0).astype(np.float64)
        pos_weight = np.clip((len(themes) - positives) / np.maximum(positives, 1), 1.0, max_pos_weight)
        as_tensor = lambda a: torch.tensor(a, dtype=torch.float32)  # noqa: E731
        return cls(as_tensor(class_weight), as_tensor(pos_weight), theme_loss_weight)


def loss_fn(polarity_logits: torch.Tensor, theme_logits: torch.Tensor, ex: Examples, rows: torch.Tensor,
            w: LossWeights) -> torch.Tensor:
    """Weighted polarity cross-entropy + weighted theme BCE, each averaged over the rows that teach it.
    Targets may be soft (a teacher's probabilities): the class weights then apply in expectation."""
    y = ex.polarity[rows]
    p_weight = ex.weight[rows] * ex.polarity_mask[rows]
    t_weight = ex.weight[rows] * ex.theme_mask[rows]
    ce = nn.functional.cross_entropy(polarity_logits, y, weight=w.polarity, reduction="none")
    polarity_loss = (p_weight * ce).sum() / (p_weight * (y @ w.polarity)).sum().clamp(min=1e-9)
    bce = nn.functional.binary_cross_entropy_with_logits(theme_logits, ex.themes[rows], pos_weight=w.themes,
                                                         reduction="none").mean(dim=1)
    theme_loss = (t_weight * bce).sum() / t_weight.sum().clamp(min=1e-9)
    return polarity_loss + w.theme_loss_weight * theme_loss


def length_batches(lengths: np.ndarray, batch_size: int, epochs: int, rng: np.random.Generator
                   ) -> list[np.ndarray]:
    """Every epoch: shuffle, sort windows of BUCKET_BATCHES batches by length, cut, shuffle the batches."""
    batches = []
    window = batch_size * BUCKET_BATCHES
    for _ in range(epochs):
        order = rng.permutation(len(lengths))
        epoch = []
        for start in range(0, len(order), window):
            chunk = order[start:start + window]
            chunk = chunk[np.argsort(lengths[chunk], kind="stable")]
            epoch += [chunk[i:i + batch_size] for i in range(0, len(chunk), batch_size)]
        batches += [epoch[i] for i in rng.permutation(len(epoch))]
    return batches


def collate(ids: list[list[int]], rows, pad_id: int) -> tuple[torch.Tensor, torch.Tensor]:
    width = max(len(ids[i]) for i in rows)
    input_ids = torch.full((len(rows), width), pad_id, dtype=torch.long)
    mask = torch.zeros((len(rows), width), dtype=torch.long)
    for j, i in enumerate(rows):
        input_ids[j, :len(ids[i])] = torch.tensor(ids[i])
        mask[j, :len(ids[i])] = 1
    return input_ids, mask


def lr_at(step: int, total: int, warmup: int) -> float:
    """Linear warm-up over `warmup` steps, then linear decay to zero at `total`."""
    return min((step + 1) / max(1, warmup), (total - step) / max(1, total - warmup))


def parameter_groups(named: list[tuple[str, nn.Parameter]], lr: float, weight_decay: float) -> list[dict]:
    """AdamW groups: no weight decay on biases and norms."""
    no_decay = [p for n, p in named if n.endswith("bias") or "norm" in n.lower()]
    decay = [p for n, p in named if not (n.endswith("bias") or "norm" in n.lower())]
    return [{"params": decay, "lr": lr, "base_lr": lr, "weight_decay": weight_decay},
            {"params": no_decay, "lr": lr, "base_lr": lr, "weight_decay": 0.0}]


def run_steps(groups: list[dict], batches: list[np.ndarray], step_loss, *, warmup_ratio: float,
              grad_clip: float, desc: str, show_progress: bool) -> None:
    """The one training loop: for each batch, set the learning rate, take the loss, step AdamW."""
    optimizer = torch.optim.AdamW(groups)
    parameters = [p for group in groups for p in group["params"]]
    warmup = round(warmup_ratio * len(batches))
    bar = tqdm(total=len(batches), desc=desc, unit="step", file=sys.stderr, leave=False,
               disable=not show_progress)
    for step, rows in enumerate(batches):
        for group in optimizer.param_groups:
            group["lr"] = group["base_lr"] * lr_at(step, len(batches), warmup)
        loss = step_loss(torch.from_numpy(rows))
        loss.backward()
        nn.utils.clip_grad_norm_(parameters, grad_clip)
        optimizer.step()
        optimizer.zero_grad(set_to_none=True)
        bar.update()
        if step % 10 == 0:
            bar.set_postfix(loss=f"{loss.item():.3f}", refresh=False)
    bar.close()


def embed_ids(net: TransformerNet, ids: list[list[int]], pad_id: int, batch_size: int, precision: str,
              device: str) -> np.ndarray:
    """Sentence vectors without dropout, batching sentences of like length."""
    out = np.zeros((len(ids), net.encoder.config.hidden_size), dtype=np.float32)
    order = np.argsort([len(x) for x in ids], kind="stable")
    was_training = net.training
    net.eval()
    autocast = torch.autocast(device, dtype=torch.bfloat16, enabled=precision == "bfloat16")
    with torch.inference_mode(), autocast:
        for start in range(0, len(ids), batch_size):
            rows = order[start:start + batch_size]
            input_ids, mask = collate(ids, rows, pad_id)
            out[rows] = net.embed(input_ids.to(device), mask.to(device)).cpu().numpy()
    net.train(was_training)
    return out


def export_onnx(net: TransformerNet, tokenizer, directory: Path) -> Path:
    """The encoder and pooling as ONNX, its MatMuls quantised to int8 per output channel (the heads
    stay outside, in float32). Returns the quantised file.

    The weights use 7 bits (`reduce_range`). CPUs without VNNI (AVX2, and AVX-512 without VNNI) multiply
    u8 activations by s8 weights and add each pair of products into int16, which saturates with 8-bit
    weights: all-mpnet-base-v2's vectors came out at cosine 0.02 to float32 there. With 7 bits a pair
    stays inside int16, so the same file is faithful on every x86 CPU (mpnet 0.90, MiniLM 0.99, as with 8
    bits on VNNI) at the fast kernels' speed; u8 weights or exact u8 arithmetic were as faithful but ran at
    float32 speed (docs/EXPERIMENTS.md, 2026-12-07)."""
    from onnxruntime.quantization import QuantType, quantize_dynamic

    directory.mkdir(parents=True, exist_ok=True)
    full, quantised = directory / "encoder.float32.onnx", directory / "encoder.int8.onnx"
    sample = tokenizer(["an example sentence", "short"], padding=True, return_tensors="pt")
    pooler = Pooler(net).eval().cpu()
    with warnings.catch_warnings(), torch.no_grad():
        warnings.simplefilter("ignore")  # the TorchScript exporter's tracer warnings
        torch.onnx.export(pooler, (sample["input_ids"], sample["attention_mask"]), str(full),
                          input_names=["input_ids", "attention_mask"], output_names=["pooled"],
                          dynamic_axes={"input_ids": {0: "batch", 1: "tokens"},
                                        "attention_mask": {0: "batch", 1: "tokens"}, "pooled": {0: "batch"}},
                          opset_version=17, dynamo=False)
        logging.disable(logging.WARNING)  # the quantiser's advice to pre-process, printed on every export
        try:
            quantize_dynamic(str(full), str(quantised), weight_type=QuantType.QInt8, per_channel=True,
                             reduce_range=True, op_types_to_quantize=["MatMul"])
        finally:
            logging.disable(logging.NOTSET)
    full.unlink()
    return quantised
