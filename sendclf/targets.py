"""A labelled dataset as arrays: what a model's `fit` learns from, and the gold labels every score compares
predictions with."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from sendclf.labels import LabelSet


@dataclass
class Targets:
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
