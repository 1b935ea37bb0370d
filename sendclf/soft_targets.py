"""A teacher's probabilities on unlabelled sentences, kept as a file (`sendclf distill` writes it): where it
lives, and reading it back as training rows for the transformer's first stage."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from sendclf.errors import SendclfError
from sendclf.labels import LabelSet
from sendclf.paths import SEEDS

POOL_DIR = "pool"  # seeds/pool/: the unlabelled sentences, and the targets files made from them


def targets_path(teacher: str, seeds_dir: Path = SEEDS) -> Path:
    return seeds_dir / POOL_DIR / f"targets-{teacher}.json"


@dataclass
class SoftTargets:
    """Unlabelled sentences with a teacher's probabilities: training rows for stage 1 (distillation)."""

    texts: list[str]
    polarity: np.ndarray  # (n, n_polarities), rows summing to 1
    themes: np.ndarray  # (n, n_themes), independent probabilities
    digest: str  # sha256 of the file: part of stage 1's cache key

    @classmethod
    def load(cls, path: Path, labels: LabelSet) -> SoftTargets:
        """The targets file at `path`, made for these labels; anything else is one line."""
        try:
            data = path.read_bytes()
            raw = json.loads(data)
        except OSError as error:
            raise SendclfError(f"{path}: cannot read distillation targets ({error.strerror}); make them with "
                               f"`sendclf distill <teacher>`") from None
        except ValueError:
            raise SendclfError(f"{path}: not valid JSON; make it again with `sendclf distill <teacher>`"
                               ) from None
        if raw.get("polarity_ids") != labels.polarity_ids or raw.get("theme_ids") != labels.theme_ids:
            raise SendclfError(f"{path}: made for other labels than configs/labels.yaml; make it again")
        rows = raw.get("rows") or []
        shape = (len(rows), len(labels.polarities)), (len(rows), len(labels.themes))
        polarity = np.asarray([r["polarity"] for r in rows], np.float32).reshape(shape[0])
        themes = np.asarray([r["themes"] for r in rows], np.float32).reshape(shape[1])
        polarity /= polarity.sum(axis=1, keepdims=True)  # rounding leaves sums a hair off 1
        return cls([r["text"] for r in rows], polarity, themes, hashlib.sha256(data).hexdigest())
