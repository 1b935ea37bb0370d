"""The one interface every model implements, so nothing downstream branches on the kind of model.

A model turns sentences into probabilities (`predict_proba`); turning theme probabilities into a theme
list is shared here (`decide_themes`) so every model follows the same rule: each theme whose probability
reaches its threshold, the most likely theme if none does, and `other` never beside a real theme.
"""

from __future__ import annotations

import importlib
import json
from abc import ABC, abstractmethod
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, ClassVar

import numpy as np

from sendclf.config import from_dict, to_dict
from sendclf.errors import SendclfError
from sendclf.labels import LabelSet

META_FILE = "model.json"

# kind -> "module:Class", imported only when that kind is used (the TF-IDF path never imports torch).
REGISTRY = {
    "majority": "sendclf.models.majority:MajorityClassifier",
    "tfidf": "sendclf.models.tfidf:TfidfClassifier",
    "transformer": "sendclf.models.transformer:TransformerClassifier",
    "ensemble": "sendclf.models.ensemble:EnsembleClassifier",
}


@dataclass
class Targets:
    """A labelled dataset as arrays: what `fit` learns from."""

    texts: list[str]
    polarity: np.ndarray  # (n,) class index
    themes: np.ndarray  # (n, n_themes) multi-hot
    main_theme: np.ndarray  # (n,) index of the first (main) gold theme
    groups: np.ndarray  # (n,) local area: the unit that cross-validation holds out
    written: np.ndarray | None = None  # (n,) bool: a written-corpus sentence, training data only
    ids: list[str] | None = None  # sentence ids, for evidence

    def __post_init__(self):
        if self.written is None:
            self.written = np.zeros(len(self.texts), dtype=bool)
        if self.ids is None:
            self.ids = [str(i) for i in range(len(self.texts))]

    @classmethod
    def from_dataset(cls, dataset, labels: LabelSet, written: bool = False) -> Targets:
        themes = np.zeros((len(dataset), len(labels.themes)), dtype=np.float32)
        for row, theme_ids in enumerate(dataset["themes"]):
            themes[row, theme_ids] = 1.0
        return cls(
            texts=list(dataset["text"]),
            polarity=np.asarray(dataset["polarity"], dtype=np.int64),
            themes=themes,
            main_theme=np.asarray([t[0] for t in dataset["themes"]], dtype=np.int64),
            groups=np.asarray(dataset["area"], dtype=object),
            written=np.full(len(dataset), written),
            ids=list(dataset["id"]),
        )

    def subset(self, mask: np.ndarray) -> Targets:
        index = np.flatnonzero(mask) if mask.dtype == bool else mask
        return Targets([self.texts[i] for i in index], self.polarity[index], self.themes[index],
                       self.main_theme[index], self.groups[index], self.written[index],
                       [self.ids[i] for i in index])

    def __add__(self, other: Targets) -> Targets:
        arrays = (np.concatenate([getattr(self, f), getattr(other, f)])
                  for f in ("polarity", "themes", "main_theme", "groups", "written"))
        return Targets(self.texts + other.texts, *arrays, self.ids + other.ids)


@dataclass
class Prediction:
    polarity: str
    polarity_scores: dict[str, float]
    themes: list[str]
    theme_scores: dict[str, float]


def softmax(z: np.ndarray) -> np.ndarray:
    """Row-wise softmax; a logit of -inf (a class never seen in training) gets probability 0."""
    e = np.exp(z - z.max(axis=1, keepdims=True))
    return e / e.sum(axis=1, keepdims=True)


def with_temperature(probs: np.ndarray, temperature: float) -> np.ndarray:
    """softmax(log p / T): T > 1 softens overconfident scores; the argmax, so every decision, is unchanged."""
    return softmax(np.log(np.clip(probs, 1e-12, 1.0)) / temperature)


def decide_themes(theme_probs: np.ndarray, thresholds: np.ndarray, no_theme: int) -> np.ndarray:
    """Multi-hot decisions: every theme at or above its threshold, and always the most likely one.

    If the most likely theme is `other` it stands alone; otherwise `other` is dropped.
    """
    rows = np.arange(len(theme_probs))
    best = theme_probs.argmax(axis=1)
    chosen = theme_probs >= thresholds
    chosen[rows, best] = True
    other_best = best == no_theme
    chosen[other_best] = False
    chosen[other_best, no_theme] = True
    chosen[~other_best, no_theme] = False
    return chosen


class Classifier(ABC):
    """Sentence -> (polarity probabilities, theme probabilities), plus saving and loading."""

    kind: ClassVar[str]
    config_class: ClassVar[type]

    def __init__(self, config: Any, labels: LabelSet):
        self.config = config
        self.labels = labels
        self.thresholds = np.full(len(labels.themes), getattr(config, "theme_threshold", 0.5))
        self.temperature = 1.0  # polarity calibration, fitted on out-of-fold predictions by train.py
        self.show_progress = True  # long fits show a progress bar on stderr unless told to be quiet
        self.notes: list[str] = []  # what a user should hear once about how this model serves here

    @abstractmethod
    def fit(self, data: Targets) -> Classifier:
        """Learn from labelled sentences; may tune thresholds, but only on `data`."""

    @abstractmethod
    def predict_proba(self, texts: list[str]) -> tuple[np.ndarray, np.ndarray]:
        """(n, n_polarities) softmax probabilities and (n, n_themes) independent theme probabilities."""

    @abstractmethod
    def save_weights(self, directory: Path) -> None:
        """Write the fitted parameters in a format that runs no code when loaded."""

    @abstractmethod
    def load_weights(self, directory: Path) -> None:
        """Read what `save_weights` wrote."""

    @classmethod
    def serving_options(cls, directory: Path | None = None) -> dict[str, dict]:
        """Name -> config overrides for each way the model in `directory` can predict on this machine
        (benchmarked)."""
        return {"default": {}}

    def hardware(self) -> dict[str, str]:
        """Where and in what arithmetic the model trains and predicts (recorded in metrics.json)."""
        return {"device": "cpu", "runtime": "numpy", "inference_precision": "float32"}

    def decide(self, theme_probs: np.ndarray) -> np.ndarray:
        return decide_themes(theme_probs, self.thresholds, self.labels.no_theme_index)

    def calibrated_proba(self, texts: list[str]) -> tuple[np.ndarray, np.ndarray]:
        """`predict_proba` with the polarity scores calibrated by the model's temperature."""
        polarity_probs, theme_probs = self.predict_proba(texts)
        if self.temperature != 1.0 and len(polarity_probs):
            polarity_probs = with_temperature(polarity_probs, self.temperature)
        return polarity_probs, theme_probs

    def predict(self, texts: list[str]) -> list[Prediction]:
        polarity_probs, theme_probs = self.calibrated_proba(texts)
        chosen = self.decide(theme_probs)
        scores = lambda names, probs: {n: round(float(p), 4) for n, p in zip(names, probs, strict=True)}  # noqa: E731
        predictions = []
        for p_probs, t_probs, t_chosen in zip(polarity_probs, theme_probs, chosen, strict=True):
            order = [i for i in np.argsort(-t_probs) if t_chosen[i]]
            predictions.append(Prediction(
                polarity=self.labels.polarity_ids[int(p_probs.argmax())],
                polarity_scores=scores(self.labels.polarity_ids, p_probs),
                themes=[self.labels.theme_ids[i] for i in order],
                theme_scores=scores(self.labels.theme_ids, t_probs),
            ))
        return predictions

    # ---- evidence: the training sentences nearest to a new one, in the model's own space ----------

    def embed(self, texts: list[str]):
        """The model's own vectors for `texts` (dense or sparse rows), or None if it has none."""
        return None

    def reasons(self, texts: list[str]) -> list[list[dict]] | None:
        """What in each sentence pushed its polarity decision, where the model can say (TF-IDF n-grams)."""
        return None

    def remember(self, data: Targets) -> None:
        """Keep the training sentences, their labels and vectors, to show as evidence later."""
        vectors = self.embed(data.texts)
        if vectors is None:
            return
        from sendclf.evidence import Memory

        themes = [[self.labels.theme_ids[t] for t in dict.fromkeys([int(main), *np.flatnonzero(row)])]
                  for main, row in zip(data.main_theme, data.themes, strict=True)]  # the main theme first
        self.memory = Memory.build(data.ids, data.texts, [self.labels.polarity_ids[p] for p in data.polarity],
                                   themes, vectors)

    def evidence(self, texts: list[str]) -> list[dict] | None:
        """Per sentence: its nearest remembered training sentences, and the model's reasons if any."""
        memory = getattr(self, "memory", None)
        if memory is None:
            return None
        nearest = memory.nearest(self.embed(texts))
        reasons = self.reasons(texts)
        return [{"nearest": n, **({} if reasons is None else {"ngrams": r})}
                for n, r in zip(nearest, reasons or [None] * len(texts), strict=True)]

    def save(self, directory: Path) -> None:
        """Write the model, then its manifest (`sendclf.manifest`): the files written and their hashes."""
        from sendclf.manifest import write_manifest

        directory.mkdir(parents=True, exist_ok=True)
        if getattr(self, "memory", None) is not None:
            self.memory.save(directory)
        meta = {"kind": self.kind, "config": to_dict(self.config), "labels": self.labels.to_dict(),
                "thresholds": [float(t) for t in self.thresholds], "temperature": self.temperature}
        (directory / META_FILE).write_text(json.dumps(meta, indent=2), encoding="utf-8")
        self.save_weights(directory)
        write_manifest(directory, self.kind)


def model_class(kind: str) -> type[Classifier]:
    if kind not in REGISTRY:
        raise SendclfError(f"unknown model kind {kind!r} (known: {', '.join(REGISTRY)})")
    module, name = REGISTRY[kind].split(":")
    return getattr(importlib.import_module(module), name)


def build_model(kind: str, config: Any, labels: LabelSet) -> Classifier:
    return model_class(kind)(config, labels)


def load_model(directory: Path, overrides: dict | None = None) -> Classifier:
    """Load any trained model from its directory: the kind is read from `model.json`. `overrides`
    replace saved settings that only change how it predicts (see `serving_options`).

    The folder is checked against its manifest first, so a missing, truncated or changed file is one line
    naming it; anything that still fails to load is one line too, never a traceback."""
    from sendclf.manifest import MANIFEST_FILE, retrain_command, verify

    meta_path = directory / META_FILE
    if not directory.is_dir():
        raise SendclfError(f"{directory}: no such model folder")
    if not meta_path.is_file() and not (directory / MANIFEST_FILE).is_file():
        raise SendclfError(f"{directory}: no trained model here (no {META_FILE}); "
                           f"train one with `{retrain_command(directory)}`")
    manifest = verify(directory)
    kind = manifest.get("kind")
    retrain = f"retrain it with `{retrain_command(directory, kind)}`"
    try:
        meta = json.loads(meta_path.read_text(encoding="utf-8"))
        cls = model_class(meta["kind"])
        config = from_dict(cls.config_class, meta["config"], source=str(meta_path), complete=True)
    except SendclfError as error:
        raise SendclfError(f"{error}: saved by another version of sendclf; {retrain}") from None
    except (ValueError, KeyError, TypeError) as error:
        raise SendclfError(f"{meta_path}: not a model description this sendclf reads ({error}); "
                           f"{retrain}") from None
    if overrides:
        config = replace(config, **overrides)
    try:
        model = cls(config, LabelSet.from_dict(meta["labels"], source=str(meta_path)))
        model.thresholds = np.asarray(meta["thresholds"], dtype=np.float64)
        model.temperature = float(meta.get("temperature", 1.0))
        model.load_weights(directory)
        from sendclf.evidence import Memory

        model.memory = Memory.load(directory)
    except SendclfError:
        raise
    except Exception as error:  # noqa: BLE001 - whatever a library raises on a bad file, say it in one line
        reason = (str(error).strip().splitlines() or [""])[0][:200]
        raise SendclfError(f"{directory}: cannot load the model ({error.__class__.__name__}: {reason}); "
                           f"re-copy the whole model folder, or {retrain}") from None
    return model
