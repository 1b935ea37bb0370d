"""Several models' probabilities averaged: TF-IDF reads words, the transformer meaning, and they make
different mistakes (on real text their average beat either alone).

The members are other shipped models, named in the config and built from their own config files; each is
fitted on exactly the rows the ensemble is given, so the ensemble goes through the same protocol as any
model (cross-validation, threshold tuning, calibration). Its temperature and thresholds are its own,
fitted on the averaged probabilities. Trained in the same process as its members (`sendclf train tfidf
transformer ensemble`), the members' shared stages (the transformer's fine-tuning, TF-IDF's vocabulary)
are reused, so the ensemble costs little more than its members' heads.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from sendclf.errors import SendclfError
from sendclf.labels import LabelSet
from sendclf.models.base import Classifier
from sendclf.models.folder import MEMBERS_DIR
from sendclf.targets import Targets


@dataclass
class EnsembleConfig:
    """configs/ensemble.yaml and ensemble-large.yaml name only the settings that differ from these."""

    # Model names: each member is built from its own configs/<name>.yaml.
    members: list[str] = field(default_factory=lambda: ["tfidf", "transformer"])
    weights: list[float] = field(default_factory=lambda: [0.5, 0.5])  # each member's share
    evidence_from: str = "transformer"  # the member whose vectors find the nearest training sentences
    theme_threshold: float = 0.5  # used as is when configs/evaluate.yaml does not tune it


@dataclass(frozen=True)
class MemberSource:
    """How an ensemble makes its members, given by `models.registry`, which knows every kind."""

    build: Callable[[str, LabelSet], Classifier]  # an untrained model of configs/models.yaml, by name
    load: Callable[[Path], Classifier]  # a trained model's folder


class EnsembleClassifier(Classifier):
    kind = "ensemble"
    config_class = EnsembleConfig

    def __init__(self, config: EnsembleConfig, labels: LabelSet, source: MemberSource):
        super().__init__(config, labels)
        self.source = source
        if len(config.members) != len(config.weights) or not config.members:
            raise SendclfError("ensemble: give one weight per member")
        if min(config.weights) < 0 or sum(config.weights) <= 0:
            raise SendclfError("ensemble: weights must be non-negative and not all zero")
        if config.evidence_from not in config.members:
            raise SendclfError(f"ensemble: evidence_from {config.evidence_from!r} is not a member")
        self.members: list[Classifier] = []

    def fit(self, data: Targets) -> EnsembleClassifier:
        self.members = []
        for name in self.config.members:
            member = self.source.build(name, self.labels)
            member.show_progress = self.show_progress
            self.members.append(member.fit(data))
        return self

    def predict_proba(self, texts: list[str]) -> tuple[np.ndarray, np.ndarray]:
        weights = np.asarray(self.config.weights, dtype=np.float64) / sum(self.config.weights)
        polarity = theme = 0.0
        for weight, member in zip(weights, self.members, strict=True):
            p, t = member.predict_proba(texts)
            polarity, theme = polarity + weight * p, theme + weight * t
        return np.asarray(polarity, np.float32), np.asarray(theme, np.float32)

    def _member(self, name: str) -> Classifier:
        return self.members[self.config.members.index(name)]

    def embed(self, texts: list[str]):
        return self._member(self.config.evidence_from).embed(texts)

    def reasons(self, texts: list[str], polarity: list[str] | None = None) -> list[list[dict]] | None:
        """The first member that can say which words pushed a sentence towards the ensemble's label
        (TF-IDF's n-grams)."""
        if polarity is None:
            polarity = [p for p, _ in self.decisions(*self.calibrated_proba(texts))]
        for member in self.members:
            found = member.reasons(texts, polarity)
            if found is not None:
                return found
        return None

    def hardware(self) -> dict[str, str]:
        merged: dict[str, str] = {}
        for member in self.members:
            for key, value in member.hardware().items():
                merged[key] = value if merged.get(key, value) == value else f"{merged[key]} + {value}"
        return merged

    def save_weights(self, directory: Path) -> None:
        for name, member in zip(self.config.members, self.members, strict=True):
            member.save(directory / MEMBERS_DIR / name)

    def load_weights(self, directory: Path) -> None:
        self.members = [self.source.load(directory / MEMBERS_DIR / name) for name in self.config.members]
        self.notes = [note for member in self.members for note in member.notes]
