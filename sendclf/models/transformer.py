"""A small sentence transformer (all-MiniLM-L6-v2), fine-tuned once, with cosine heads fitted per model.

Two stages, because the written corpus is training data that no fold ever scores:
  1. the encoder is fine-tuned (after a short head-only probe) on the rows that are never scored: the
     written corpus and the label contract's phrases. Every cross-validation fold and the final model
     share this stage, so it runs once per `sendclf train` and is cached in the process. Without a written
     corpus there is nothing unscored to learn from, so each fit fine-tunes on all its rows instead;
  2. the heads (polarity softmax, one sigmoid per theme, both cosine classifiers) are trained on the
     sentence vectors of every training row, seeds included, with the encoder frozen: seconds per fold.

Serving, CV included, embeds with `runtime`: ONNX Runtime with the encoder's MatMuls quantised to int8 per
channel (the default: fast, and it never imports torch), or torch as the reference, in the precision the
hardware does natively. The heads always run in float32 numpy, and they are trained on the vectors of the
runtime that serves them. Nothing is ever fetched from a hub.

Int8 kernels differ between CPUs (with VNNI or without), and an int8 encoder can be faithful on one and
garbage on another (`transformer_net.export_onnx`). So every folder carries a fingerprint: float32 vectors
of a few training sentences. Whatever runtime serves must reproduce them, or the model is not used.
"""

from __future__ import annotations

import copy
import hashlib
import json
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

import numpy as np

from sendclf.config import to_dict
from sendclf.encoders import MINILM, resolve_encoder
from sendclf.errors import ModelFolderError, SendclfError
from sendclf.machine import cpu_flags, cpu_threads
from sendclf.models.base import Classifier, softmax
from sendclf.soft_targets import SoftTargets
from sendclf.targets import Targets

ENCODER_DIR = "encoder"  # encoder weights (safetensors), its config and the tokenizer files
ONNX_FILE = "encoder.int8.onnx"  # inside ENCODER_DIR
FINGERPRINT_FILE = "fingerprint.json"  # inside ENCODER_DIR: float32 reference vectors (`Fingerprint`)
HEADS_FILE = "heads.safetensors"
TORCH_WEIGHTS = "model.safetensors"  # inside ENCODER_DIR, only when the torch runtime may serve
WORKER_CHUNK = 8  # sentences handed to an ONNX worker thread at a time
RUNTIMES = ("onnx-int8", "torch")


@dataclass
class TransformerConfig:
    """configs/transformer.yaml and transformer-large.yaml name only the settings that differ from these."""

    # The packaged MiniLM (or null, the same), all-mpnet-base-v2, or a local model folder; never downloaded.
    encoder: str | None = MINILM
    seed: int = 13
    threads: int = 0  # CPU threads; 0 = $SENDCLF_THREADS if set, else every core this process may use
    device: Literal["auto", "cpu", "cuda"] = "auto"  # where torch trains: auto = CUDA if present
    max_length: int = 128  # tokens per sentence, longer ones truncated (the longest labelled one has 76)
    batch_size: int = 32  # length-bucketed: sentences of like length share a batch
    epochs: int = 2  # stage 1 fine-tuning epochs over the unscored rows
    encoder_lr: float = 5e-5  # the pretrained encoder moves slowly ...
    head_lr: float = 5e-3  # ... the fresh heads quickly
    weight_decay: float = 0.01
    warmup_ratio: float = 0.1  # share of the steps with a linear warm-up, then linear decay to 0
    grad_clip: float = 1.0
    dropout: float = 0.1  # on the pooled sentence embedding, before the heads
    theme_loss_weight: float = 3.0  # relative to the polarity loss (1 -> 3: CV theme macro-F1 +0.05)
    cosine_scale: float = 20.0  # heads score the cosine to each class vector, times this, plus a bias
    max_pos_weight: float = 10.0  # cap on a theme's negatives/positives weight in the BCE
    label_example_weight: float = 1.0  # a label phrase's weight in the loss, relative to a sentence
    seed_weight: float = 3.0  # a real (seed) sentence's weight relative to a written one, in stage 2
    probe_epochs: int = 20  # head-only epochs on frozen sentence vectors (stage 1 start, and stage 2)
    head_batch_size: int = 32  # sentence vectors per step of those head-only epochs
    # auto: bfloat16 only where the CPU does it natively (AVX-512 BF16 or AMX), else float32
    train_precision: Literal["auto", "float32", "bfloat16"] = "auto"
    inference_precision: Literal["auto", "float32", "bfloat16"] = "auto"  # the same, for the torch runtime
    # What embeds sentences when predicting: ONNX Runtime with int8 encoder MatMuls and float32 heads, or
    # torch, the reference.
    runtime: Literal["onnx-int8", "torch"] = "onnx-int8"
    theme_threshold: float = 0.5  # used as is when configs/evaluate.yaml does not tune it
    inference_batch_size: int = 16  # torch only: the ONNX runtime runs each sentence alone
    save_torch_encoder: bool = False  # also keep the float32 encoder, for the torch runtime (bench)
    fingerprint_sentences: int = 24  # training sentences whose float32 vectors the folder keeps
    # Mean cosine to those vectors that a runtime must reach to serve. Faithful int8 measured 0.90-0.99
    # (mpnet-MiniLM, docs/EXPERIMENTS.md); a saturating one 0.02; a damaged encoder file lower still.
    fingerprint_min_cosine: float = 0.8
    # Distillation: a file of unlabelled sentences with a teacher's probabilities (`sendclf distill`),
    # relative to the repository, that stage 1 also learns from; null = none.
    distill_targets: str | None = None
    distill_weight: float = 1.0  # a distilled sentence's weight in the loss, relative to a written one


def cosine_logits(x: np.ndarray, weight: np.ndarray, bias: np.ndarray, scale: float) -> np.ndarray:
    """The heads at prediction time, in float32 numpy: the same arithmetic as `CosineHead`."""
    x = x / np.maximum(np.linalg.norm(x, axis=1, keepdims=True), 1e-12)
    weight = weight / np.maximum(np.linalg.norm(weight, axis=1, keepdims=True), 1e-12)
    return scale * x @ weight.T + bias


class OnnxEmbedder:
    """Sentence vectors from the int8 ONNX encoder: onnxruntime and tokenizers only, no torch.

    Dynamic quantisation gives each run's activations one int8 scale, so a sentence batched with others
    would get a vector that depends on them (MiniLM: cosine down to 0.98, 6 of 120 seed sentences changed
    main theme). Each sentence therefore runs alone, unpadded, on one thread; `workers` run side by side,
    which is as fast as batching on 2 cores and gives a vector that does not depend on the other
    inputs. It can depend on the CPU's int8 kernels: `faithful_onnx` checks that.
    """

    def __init__(self, encoder_dir: Path, max_length: int, workers: int, exact_u8: bool = False):
        import onnxruntime as ort
        from tokenizers import Tokenizer

        self.tokenizer = Tokenizer.from_file(str(encoder_dir / "tokenizer.json"))
        self.tokenizer.no_padding()
        self.tokenizer.enable_truncation(max_length)
        options = ort.SessionOptions()
        options.intra_op_num_threads = 1
        options.inter_op_num_threads = 1
        options.log_severity_level = 3
        if exact_u8:  # CPUs without VNNI then multiply in exact u8 x u8 (slower) instead of saturating
            options.add_session_config_entry("session.x64quantprecision", "1")
        self.exact_u8 = exact_u8
        self.session = ort.InferenceSession(str(encoder_dir / ONNX_FILE), options,
                                            providers=["CPUExecutionProvider"])
        self.workers = cpu_threads(workers)
        self.width = self.session.get_outputs()[0].shape[-1]

    def _one(self, ids: list[int]) -> np.ndarray:
        input_ids = np.asarray([ids], dtype=np.int64)
        feeds = {"input_ids": input_ids, "attention_mask": np.ones_like(input_ids)}
        return self.session.run(None, feeds)[0][0]

    def embed(self, texts: list[str]) -> np.ndarray:
        from concurrent.futures import ThreadPoolExecutor

        ids = [e.ids for e in self.tokenizer.encode_batch(list(texts))]
        if not ids:
            return np.zeros((0, self.width), np.float32)
        with ThreadPoolExecutor(self.workers) as pool:  # onnxruntime releases the GIL while it runs
            return np.stack(list(pool.map(self._one, ids, chunksize=WORKER_CHUNK)))


class TorchEmbedder:
    """Sentence vectors from the torch encoder: the reference runtime."""

    def __init__(self, net, tokenizer, config: TransformerConfig, device: str):
        from sendclf.models import transformer_net as tn

        self.net, self.tokenizer, self.config, self.device = net, tokenizer, config, device
        self.precision = tn.resolve_precision(config.inference_precision, device)

    def embed(self, texts: list[str]) -> np.ndarray:
        from sendclf.models import transformer_net as tn

        ids = self.tokenizer(list(texts), truncation=True, max_length=self.config.max_length)["input_ids"]
        with tn.torch_session(self.config.threads):
            return tn.embed_ids(self.net, ids, self.tokenizer.pad_token_id or 0,
                                self.config.inference_batch_size, self.precision, self.device)


class CachedEmbedder:
    """Remembers every vector it made: folds that share an encoder embed each sentence once."""

    def __init__(self, embedder):
        self.embedder, self.vectors = embedder, {}

    def embed(self, texts: list[str]) -> np.ndarray:
        missing = list(dict.fromkeys(t for t in texts if t not in self.vectors))
        if missing:
            self.vectors.update(zip(missing, self.embedder.embed(missing), strict=True))
        width = next(iter(self.vectors.values())).shape[0] if self.vectors else 0
        return np.stack([self.vectors[t] for t in texts]) if texts else np.zeros((0, width), np.float32)


@dataclass
class Fingerprint:
    """Float32 vectors of a few fixed training sentences, saved with the model. A runtime that does not
    reproduce them (int8 that saturates on this CPU, a damaged encoder file) must not label anything."""

    texts: list[str]
    vectors: np.ndarray
    min_cosine: float

    @classmethod
    def of(cls, net, tokenizer, texts: list[str], config: TransformerConfig) -> Fingerprint:
        from sendclf.models import transformer_net as tn

        ids = tokenizer(texts, truncation=True, max_length=config.max_length)["input_ids"]
        vectors = tn.embed_ids(net, ids, tokenizer.pad_token_id or 0, config.inference_batch_size, "float32",
                               next(net.parameters()).device.type)
        return cls(list(texts), vectors.astype(np.float32), config.fingerprint_min_cosine)

    def cosine(self, embedder) -> float:
        """Mean cosine between `embedder`'s vectors of the fingerprint sentences and the saved ones."""
        found = embedder.embed(self.texts)
        unit = lambda v: v / np.maximum(np.linalg.norm(v, axis=1, keepdims=True), 1e-12)  # noqa: E731
        return float((unit(found) * unit(self.vectors)).sum(axis=1).mean())

    def save(self, path: Path) -> None:
        path.write_text(json.dumps({"texts": self.texts, "min_cosine": self.min_cosine,
                                    "vectors": np.round(self.vectors, 6).tolist()}), encoding="utf-8")

    @classmethod
    def load(cls, path: Path) -> Fingerprint:
        raw = json.loads(path.read_text(encoding="utf-8"))
        return cls(raw["texts"], np.asarray(raw["vectors"], np.float32), float(raw["min_cosine"]))


def fingerprint_texts(texts: list[str], n: int) -> list[str]:
    """`n` sentences spread evenly through the training rows: fixed for fixed data."""
    return [texts[i] for i in np.linspace(0, len(texts) - 1, min(n, len(texts))).round().astype(int)]


def faithful_onnx(encoder_dir: Path, fingerprint: Fingerprint, config: TransformerConfig,
                  where: str) -> tuple[OnnxEmbedder, str | None]:
    """The int8 ONNX embedder if it reproduces the fingerprint on this CPU, else the same file with exact
    u8 arithmetic (and a note saying so); neither: a one-line error, so nothing is labelled with it."""
    embedder = OnnxEmbedder(encoder_dir, config.max_length, config.threads)
    first = fingerprint.cosine(embedder)
    if first >= fingerprint.min_cosine:
        return embedder, None
    exact = OnnxEmbedder(encoder_dir, config.max_length, config.threads, exact_u8=True)
    second = fingerprint.cosine(exact)
    if second >= fingerprint.min_cosine:
        return exact, (f"{where}: its int8 encoder is not faithful with this CPU's fast kernels (cosine "
                       f"{first:.2f} to its reference vectors; CPU flags: {cpu_flags()}); serving it with "
                       f"exact u8 arithmetic instead (cosine {second:.2f}, slower)")
    raise SendclfError(f"{where}: its int8 encoder does not reproduce its reference vectors on this CPU "
                       f"(cosine {max(first, second):.2f}, needs {fingerprint.min_cosine}; CPU flags: "
                       f"{cpu_flags()}), so it would label wrongly")


@dataclass
class Encoder:
    """Stage 1's result: the fine-tuned net (with the heads it ended with), its tokenizer and ONNX export,
    and one caching embedder per runtime, which the heads train on and predict with."""

    net: object
    tokenizer: object
    onnx_dir: tempfile.TemporaryDirectory
    device: str
    train_precision: str
    fingerprint: Fingerprint
    embedders: dict = field(default_factory=dict)
    key: str = ""  # what it was fine-tuned from and on (`_stage_one_key`): stage 2's cache builds on it
    notes: list[str] = field(default_factory=list)  # a runtime switched for fidelity, said once

    def embedder(self, config: TransformerConfig) -> CachedEmbedder:
        if config.runtime not in self.embedders:
            if config.runtime == "onnx-int8":
                inner, note = faithful_onnx(Path(self.onnx_dir.name), self.fingerprint, config,
                                            "the freshly fine-tuned encoder")
                self.notes += [note] if note else []
            else:
                inner = TorchEmbedder(self.net, self.tokenizer, config, self.device)
            self.embedders[config.runtime] = CachedEmbedder(inner)
        return self.embedders[config.runtime]


_stage_one: dict[str, Encoder] = {}  # at most one entry: the encoder the current training run shares
# Stage 2's heads by what they were fitted on: an ensemble's transformer member repeats, fold for fold, the
# fits of the transformer trained before it in the same process; identical inputs give identical heads.
_stage_two: dict[str, dict[str, np.ndarray]] = {}
# Settings that only the heads or serving use: changing them reuses a stage 1 already computed.
STAGE_TWO_KEYS = ("threads", "theme_threshold", "inference_batch_size", "inference_precision", "runtime",
                  "seed_weight", "save_torch_encoder", "fingerprint_min_cosine")


def _stage_two_key(config: TransformerConfig, stage_one: str, rows: Targets) -> str:
    settings = {k: v for k, v in to_dict(config).items() if k in STAGE_TWO_KEYS}
    payload = json.dumps([settings, stage_one, rows.texts, rows.polarity.tolist(), rows.themes.tolist(),
                          rows.written.tolist()])
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()


def _stage_one_key(config: TransformerConfig, encoder_path: str, rows: Targets, soft_digest: str = "") -> str:
    settings = {k: v for k, v in to_dict(config).items() if k not in STAGE_TWO_KEYS}
    payload = json.dumps([settings, encoder_path, rows.texts, rows.polarity.tolist(), rows.themes.tolist(),
                          soft_digest])
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()


class TransformerClassifier(Classifier):
    kind = "transformer"
    config_class = TransformerConfig

    # ---- training --------------------------------------------------------------------------------

    def fit(self, data: Targets) -> TransformerClassifier:
        from sendclf.models import transformer_net as tn

        c = self.config
        unscored = data.subset(data.written) if data.written.any() else data
        with tn.torch_session(c.threads, c.seed):
            self.encoder = self._stage_one(unscored)
            key = _stage_two_key(c, self.encoder.key, data)
            if key not in _stage_two:
                examples, weights = self._examples(data, self.encoder.tokenizer)
                head = copy.deepcopy(self.encoder.net.head)
                vectors = self.encoder.embedder(c).embed(self._texts(data))
                self._fit_heads(head, vectors, examples, weights, "heads")
                _stage_two[key] = {k: v.detach().numpy().copy() for k, v in head.state_dict().items()}
        self.arrays = {k: v.copy() for k, v in _stage_two[key].items()}
        self.notes = list(self.encoder.notes)
        return self

    def _texts(self, data: Targets, soft: SoftTargets | None = None) -> list[str]:
        phrases = [f"{p.name}. {p.description}" for p in self.labels.polarities]
        return list(data.texts) + (soft.texts if soft else []) + phrases + self.labels.theme_phrases()[0]

    def _examples(self, data: Targets, tokenizer, soft: SoftTargets | None = None):
        """The labelled rows, a teacher's soft rows if any, then the label contract's words: each polarity's
        description teaches that polarity, each phrase of a theme's description that theme (a theme seen
        once still has words)."""
        import torch

        from sendclf.models import transformer_net as tn

        n_polarities, n_themes = len(self.labels.polarities), len(self.labels.themes)
        phrases, phrase_theme = self.labels.theme_phrases()
        n_soft = len(soft.texts) if soft else 0
        n, n_extra = len(data.texts) + n_soft, n_polarities + len(phrases)
        one_hot = np.eye(n_polarities, dtype=np.float32)
        polarity = np.vstack([one_hot[data.polarity], *([soft.polarity] if soft else []), one_hot,
                              np.zeros((len(phrases), n_polarities), np.float32)])
        themes = np.vstack([data.themes, *([soft.themes] if soft else []),
                            np.zeros((n_polarities, n_themes), np.float32),
                            np.eye(n_themes, dtype=np.float32)[phrase_theme]])
        polarity_mask = np.r_[np.ones(n + n_polarities), np.zeros(len(phrases))]
        theme_mask = np.r_[np.ones(n), np.zeros(n_polarities), np.ones(len(phrases))]
        real = np.where(data.written, 1.0, self.config.seed_weight)
        weight = np.r_[real, np.full(n_soft, self.config.distill_weight),
                       np.full(n_extra, self.config.label_example_weight)]
        texts = self._texts(data, soft)
        ids = tokenizer(texts, truncation=True, max_length=self.config.max_length)["input_ids"]
        as_float = lambda a: torch.tensor(a, dtype=torch.float32)  # noqa: E731
        examples = tn.Examples(ids, as_float(polarity), as_float(themes), as_float(polarity_mask),
                               as_float(theme_mask), as_float(weight))
        weights = tn.LossWeights.from_labels(data.polarity, data.themes, n_polarities,
                                             self.config.max_pos_weight, self.config.theme_loss_weight)
        return examples, weights

    def _fit_heads(self, head, vectors: np.ndarray, examples, weights, desc: str) -> None:
        """Stage 2 (and stage 1's probe): the heads alone, on fixed sentence vectors."""
        import torch

        from sendclf.models import transformer_net as tn

        c = self.config
        x = torch.from_numpy(np.ascontiguousarray(vectors, dtype=np.float32))
        batches = tn.length_batches(np.zeros(len(x)), c.head_batch_size, c.probe_epochs,
                                    np.random.default_rng(c.seed))
        head.train()
        tn.run_steps(tn.parameter_groups(list(head.named_parameters()), c.head_lr, c.weight_decay), batches,
                     lambda rows: tn.loss_fn(*head(x[rows]), examples, rows, weights),
                     warmup_ratio=0.0, grad_clip=c.grad_clip, desc=desc, show_progress=False)
        head.eval()

    def _stage_one(self, unscored: Targets) -> Encoder:
        """The encoder fine-tuned on the unscored rows: computed once, then shared by every fit with the
        same config and rows (all CV folds and the final model of one training run)."""
        from sendclf.paths import ROOT

        c = self.config
        encoder_path = resolve_encoder(c.encoder)
        soft = SoftTargets.load(ROOT / c.distill_targets, self.labels) if c.distill_targets else None
        key = _stage_one_key(c, encoder_path, unscored, soft.digest if soft else "")
        if key not in _stage_one:
            _stage_one.clear()
            _stage_two.clear()
            _stage_one[key] = self._fine_tune(encoder_path, unscored, key, soft)
        return _stage_one[key]

    def _fine_tune(self, encoder_path: str, data: Targets, key: str, soft: SoftTargets | None) -> Encoder:
        import torch

        from sendclf.models import transformer_net as tn

        c = self.config
        device = tn.resolve_device(c.device)
        precision = tn.resolve_precision(c.train_precision, device)
        tokenizer, encoder = tn.load_encoder(encoder_path)
        # The token embedding table stays as pretrained: words seen in training would drift away from the
        # unseen words they resemble, and it is half the encoder's parameters.
        encoder.get_input_embeddings().weight.requires_grad_(False)
        net = tn.TransformerNet(encoder, len(self.labels.polarities), len(self.labels.themes), c.dropout,
                                c.cosine_scale).to(device)
        examples, weights = self._examples(data, tokenizer, soft)
        pad_id = tokenizer.pad_token_id or 0

        # Linear probing first, so fine-tuning starts from sensible heads instead of random ones.
        vectors = tn.embed_ids(net, examples.ids, pad_id, c.inference_batch_size, precision, device)
        self._fit_heads(net.head, vectors, examples, weights, "probe")

        lengths = np.array([len(x) for x in examples.ids])
        batches = tn.length_batches(lengths, c.batch_size, c.epochs, np.random.default_rng(c.seed))

        def step_loss(rows: torch.Tensor) -> torch.Tensor:
            input_ids, mask = tn.collate(examples.ids, rows.numpy(), pad_id)
            with torch.autocast(device, dtype=torch.bfloat16, enabled=precision == "bfloat16"):
                polarity_logits, theme_logits = net(input_ids.to(device), mask.to(device))
            return tn.loss_fn(polarity_logits.float().cpu(), theme_logits.float().cpu(), examples, rows,
                              weights)

        net.train()
        named = [(n, p) for n, p in net.named_parameters() if p.requires_grad]
        groups = (tn.parameter_groups([(n, p) for n, p in named if n.startswith("encoder.")], c.encoder_lr,
                                      c.weight_decay)
                  + tn.parameter_groups([(n, p) for n, p in named if not n.startswith("encoder.")],
                                        c.head_lr, c.weight_decay))
        tn.run_steps(groups, batches, step_loss, warmup_ratio=c.warmup_ratio, grad_clip=c.grad_clip,
                     desc=f"fine-tune ({precision}, {device})", show_progress=self.show_progress)
        net.eval()
        onnx_dir = tempfile.TemporaryDirectory(prefix="sendclf-onnx-")
        tn.export_onnx(net, tokenizer, Path(onnx_dir.name))
        tokenizer.save_pretrained(onnx_dir.name)
        texts = fingerprint_texts(data.texts, c.fingerprint_sentences)
        fingerprint = Fingerprint.of(net, tokenizer, texts, c)
        return Encoder(net, tokenizer, onnx_dir, device, precision, fingerprint, key=key)

    # ---- inference -------------------------------------------------------------------------------

    @classmethod
    def serving_options(cls, directory: Path | None = None) -> dict[str, dict]:
        """ONNX int8 always; torch where the folder kept the float32 encoder (`save_torch_encoder`)."""
        from sendclf.models.transformer_net import native_bfloat16

        options = {"onnx-int8": {"runtime": "onnx-int8"}}
        if directory is not None and not (directory / ENCODER_DIR / TORCH_WEIGHTS).is_file():
            return options
        options["torch float32"] = {"runtime": "torch", "inference_precision": "float32"}
        if native_bfloat16():
            options["torch bfloat16"] = {"runtime": "torch", "inference_precision": "bfloat16"}
        return options

    def hardware(self) -> dict[str, str]:
        serving = self._serving if hasattr(self, "_serving") else self.encoder.embedder(self.config).embedder
        int8 = ("int8 encoder MatMuls (7-bit weights), float32 heads"
                + (", exact u8 arithmetic" if getattr(serving, "exact_u8", False) else ""))
        info = {"runtime": self.config.runtime, "inference_precision": getattr(serving, "precision", int8),
                "cpu_flags": cpu_flags()}
        if hasattr(self, "encoder"):
            info.update(device=self.encoder.device, train_precision=self.encoder.train_precision)
        return info

    def _vectors(self, texts: list[str]) -> np.ndarray:
        """Sentence vectors from the serving runtime, as the heads see them."""
        if hasattr(self, "_serving"):
            return self._serving.embed(texts)
        if hasattr(self, "encoder"):
            return self.encoder.embedder(self.config).embed(texts)
        raise SendclfError("transformer model is not fitted or loaded")

    def embed(self, texts: list[str]) -> np.ndarray:
        """The vectors of `texts`; those of the last `predict_proba` call are handed over once instead of
        being computed again (evidence asks for the vectors of the sentences just classified)."""
        last, self._last = getattr(self, "_last", None), None
        if last is not None and last[0] == list(texts):
            return last[1]
        return self._vectors(texts)

    def predict_proba(self, texts: list[str]) -> tuple[np.ndarray, np.ndarray]:
        texts = list(texts)
        if not texts:
            return (np.zeros((0, len(self.labels.polarities)), np.float32),
                    np.zeros((0, len(self.labels.themes)), np.float32))
        x = self._vectors(texts)
        self._last = (texts, x)
        a, scale = self.arrays, self.config.cosine_scale
        polarity = softmax(cosine_logits(x, a["polarity.weight"], a["polarity.bias"], scale))
        themes = 1.0 / (1.0 + np.exp(-cosine_logits(x, a["themes.weight"], a["themes.bias"], scale)))
        return polarity.astype(np.float32), themes.astype(np.float32)

    # ---- saving and loading ----------------------------------------------------------------------

    def save_weights(self, directory: Path) -> None:
        import shutil

        from safetensors.numpy import save_file

        target = directory / ENCODER_DIR
        if self.config.save_torch_encoder or self.config.runtime == "torch":
            self.encoder.net.encoder.save_pretrained(target)
        self.encoder.tokenizer.save_pretrained(target)
        shutil.copy(Path(self.encoder.onnx_dir.name) / ONNX_FILE, target / ONNX_FILE)
        self.encoder.fingerprint.save(target / FINGERPRINT_FILE)
        save_file({k: np.ascontiguousarray(v) for k, v in self.arrays.items()}, str(directory / HEADS_FILE))

    def load_weights(self, directory: Path) -> None:
        from safetensors.numpy import load_file

        c = self.config
        self.arrays = load_file(str(directory / HEADS_FILE))
        fingerprint = Fingerprint.load(directory / ENCODER_DIR / FINGERPRINT_FILE)
        if c.runtime == "onnx-int8":
            self._serving, note = faithful_onnx(directory / ENCODER_DIR, fingerprint, c, str(directory))
            self.notes += [note] if note else []
            return
        if not (directory / ENCODER_DIR / TORCH_WEIGHTS).is_file():
            raise ModelFolderError(f"{directory}: this model keeps only its int8 ONNX encoder, not the "
                                   f"float32 one the torch runtime needs", recopy=False,
                                   retrain_options="--set save_torch_encoder=true")
        from sendclf.models import transformer_net as tn

        tokenizer, encoder = tn.load_encoder(directory / ENCODER_DIR)
        device = tn.resolve_device(c.device)
        net = tn.TransformerNet(encoder, len(self.labels.polarities), len(self.labels.themes), c.dropout,
                                c.cosine_scale).to(device).eval()
        self._serving = TorchEmbedder(net, tokenizer, c, device)
        cosine = fingerprint.cosine(self._serving)
        if cosine < fingerprint.min_cosine:
            raise SendclfError(f"{directory}: its torch encoder does not reproduce its reference vectors "
                               f"(cosine {cosine:.2f}, needs {fingerprint.min_cosine})")
