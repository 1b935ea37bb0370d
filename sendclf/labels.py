"""The label contract (configs/labels.yaml): the only place label ids come from."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import yaml

from sendclf.errors import SendclfError
from sendclf.paths import LABELS_CONFIG

# Descriptions are lists of what a label covers; each phrase is a short example of the label.
PHRASE_BREAK = re.compile(r"[;,:]|\bor\b")
MIN_PHRASE_CHARS = 3


@dataclass(frozen=True)
class Label:
    id: str
    name: str
    description: str

    def phrases(self) -> list[str]:
        """The name and each phrase of the description: extra training signal for rare labels."""
        parts = [p.strip(" .") for p in PHRASE_BREAK.split(self.description)]
        return [self.name] + [p for p in parts if len(p) >= MIN_PHRASE_CHARS]


@dataclass(frozen=True)
class LabelSet:
    polarities: tuple[Label, ...]
    themes: tuple[Label, ...]
    no_theme: str

    @property
    def polarity_ids(self) -> list[str]:
        return [label.id for label in self.polarities]

    @property
    def theme_ids(self) -> list[str]:
        return [label.id for label in self.themes]

    @property
    def no_theme_index(self) -> int:
        return self.theme_ids.index(self.no_theme)

    def theme_phrases(self) -> tuple[list[str], list[int]]:
        """(phrases, theme index) for every real theme; `other` has no content words to learn from."""
        pairs = [(p, i) for i, label in enumerate(self.themes) if label.id != self.no_theme
                 for p in label.phrases()]
        return [p for p, _ in pairs], [i for _, i in pairs]

    def to_dict(self) -> dict:
        as_dicts = lambda labels: [vars(label) for label in labels]  # noqa: E731
        return {
            "polarities": as_dicts(self.polarities),
            "themes": as_dicts(self.themes),
            "no_theme": self.no_theme,
        }

    @classmethod
    def from_dict(cls, raw: dict, source: str = "labels") -> LabelSet:
        try:
            labels = cls(
                polarities=tuple(Label(**item) for item in raw["polarities"]),
                themes=tuple(Label(**item) for item in raw["themes"]),
                no_theme=raw["no_theme"],
            )
        except (KeyError, TypeError) as err:
            raise SendclfError(f"{source}: malformed label contract ({err})") from None
        for kind, ids in (("polarity", labels.polarity_ids), ("theme", labels.theme_ids)):
            if len(set(ids)) != len(ids):
                raise SendclfError(f"{source}: duplicate {kind} id")
        if labels.no_theme not in labels.theme_ids:
            raise SendclfError(f"{source}: no_theme {labels.no_theme!r} is not a theme id")
        return labels


def load_labels(path: Path = LABELS_CONFIG) -> LabelSet:
    with open(path, encoding="utf-8") as f:
        return LabelSet.from_dict(yaml.safe_load(f), source=str(path))
