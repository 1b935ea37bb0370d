"""The majority-class reference: what a model scores by always predicting the most frequent labels."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from sendclf.models.base import Classifier
from sendclf.targets import Targets

WEIGHTS = "majority.json"


@dataclass
class MajorityConfig:
    theme_threshold: float = 0.5


class MajorityClassifier(Classifier):
    kind = "majority"
    config_class = MajorityConfig

    def fit(self, data: Targets) -> MajorityClassifier:
        counts = np.bincount(data.polarity, minlength=len(self.labels.polarities))
        self.polarity_prior = counts / len(data.texts)
        self.theme_prior = data.themes.mean(axis=0)
        return self

    def predict_proba(self, texts: list[str]) -> tuple[np.ndarray, np.ndarray]:
        n = len(texts)
        return np.tile(self.polarity_prior, (n, 1)), np.tile(self.theme_prior, (n, 1))

    def save_weights(self, directory: Path) -> None:
        weights = {"polarity_prior": self.polarity_prior.tolist(), "theme_prior": self.theme_prior.tolist()}
        (directory / WEIGHTS).write_text(json.dumps(weights), encoding="utf-8")

    def load_weights(self, directory: Path) -> None:
        weights = json.loads((directory / WEIGHTS).read_text(encoding="utf-8"))
        self.polarity_prior = np.asarray(weights["polarity_prior"])
        self.theme_prior = np.asarray(weights["theme_prior"])
