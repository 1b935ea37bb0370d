"""The one interface every model implements, so nothing downstream branches on the kind of model.

A model turns sentences into probabilities (`predict_proba`); turning theme probabilities into a theme
list is shared here (`decide_themes`) so every model follows the same rule: each theme whose probability
reaches its threshold, the most likely theme if none does, and `other` never beside a real theme.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from pathlib import Path
from typing import Any, ClassVar

import numpy as np

from sendclf.evidence import Memory
from sendclf.labels import LabelSet
from sendclf.models.folder import save_model
from sendclf.targets import Targets


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

    def decisions(self, polarity_probs: np.ndarray, theme_probs: np.ndarray) -> list[tuple[str, list[str]]]:
        """Per sentence: the polarity id, and the ids of the themes `decide` chooses, most likely first."""
        chosen = self.decide(theme_probs)
        return [(self.labels.polarity_ids[int(p.argmax())],
                 [self.labels.theme_ids[i] for i in np.argsort(-t) if c[i]])
                for p, t, c in zip(polarity_probs, theme_probs, chosen, strict=True)]

    # ---- evidence: the training sentences nearest to a new one, in the model's own space ----------

    def embed(self, texts: list[str]):
        """The model's own vectors for `texts` (dense or sparse rows), or None if it has none."""
        return None

    def reasons(self, texts: list[str], polarity: list[str] | None = None) -> list[list[dict]] | None:
        """What in each sentence pushed it towards `polarity` (the label it was given; by default this
        model's own choice), where the model can say (TF-IDF n-grams)."""
        return None

    def remember(self, data: Targets) -> None:
        """Keep the training sentences, their labels and vectors, to show as evidence later."""
        vectors = self.embed(data.texts)
        if vectors is None:
            return
        themes = [[self.labels.theme_ids[t] for t in dict.fromkeys([int(main), *np.flatnonzero(row)])]
                  for main, row in zip(data.main_theme, data.themes, strict=True)]  # the main theme first
        self.memory = Memory.build(data.ids, data.texts, [self.labels.polarity_ids[p] for p in data.polarity],
                                   themes, vectors)

    def evidence(self, texts: list[str], polarity: list[str] | None = None) -> list[dict] | None:
        """Per sentence: its nearest remembered training sentences, and the model's reasons for the
        polarity it was given (an ensemble's label may not be its member's), if any."""
        memory = getattr(self, "memory", None)
        if memory is None:
            return None
        nearest = memory.nearest(self.embed(texts))
        reasons = self.reasons(texts, polarity)
        return [{"nearest": n, **({} if reasons is None else {"ngrams": r})}
                for n, r in zip(nearest, reasons or [None] * len(texts), strict=True)]

    def save(self, directory: Path) -> None:
        """Write the model folder (`models.folder`): `models.registry.load_model` reads it back."""
        save_model(self, directory)
