"""What training writes to a model's `metrics.json`, as typed dataclasses, and the one reader and writer.

`train` builds a `TrainingResults`; the model card, `sendclf evaluate`, `compare`, `report` and `bench`
read it back with `load_results` and use attributes, never string keys. The scored parts are the
evaluation's own types (`metrics.Scores`, `evaluate.Calibration`, `evaluate.EvalConfig`); this module
adds the out-of-fold records and the run around them. A file that is not valid JSON or does not match the
schema (an older or damaged one) is one `SendclfError` naming the file and the key.
"""

from __future__ import annotations

import dataclasses
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from sendclf.atomic import write_text
from sendclf.config import from_dict
from sendclf.errors import SendclfError
from sendclf.evaluate import Calibration, EvalConfig, Predictions
from sendclf.labels import LabelSet
from sendclf.metrics import Scores
from sendclf.models.folder import retrain_command
from sendclf.targets import Targets

METRICS_FILE = "metrics.json"
SCORE_DIGITS = 5  # out-of-fold scores are rounded: they are read by people and plotted, not re-fitted
OMITTED_WHEN_NONE = {"omit_when_none": True}  # such a field is left out of the file rather than null


def omitted_when_none():
    return field(default=None, metadata=OMITTED_WHEN_NONE)


@dataclass(kw_only=True)
class OutOfFoldRecord:
    """One seed sentence: its gold labels beside the prediction of a model that never saw its area."""

    id: str
    area: str
    gold_polarity: str
    gold_themes: list[str]
    gold_main_theme: str
    polarity: str
    polarity_scores: list[float]  # in the order of `Scores.confusion.labels`
    calibrated_polarity_scores: list[float] | None = omitted_when_none()
    themes: list[str]
    theme_scores: list[float]  # in the order of `Scores.themes`

    def gold(self) -> tuple:
        """What two models must agree on for their predictions of this sentence to be compared."""
        return self.gold_polarity, tuple(self.gold_themes), self.gold_main_theme


@dataclass
class Reference:
    """The majority-class model, through the same protocol."""

    model: str
    scores: Scores
    out_of_fold: list[OutOfFoldRecord] | None = omitted_when_none()


@dataclass
class DevSet:
    """The final model on the written dev set (seeds/dev/): sentences it was never trained or tuned on,
    in the registers real readers meet. The second dev signal beside the seed CV."""

    n_sentences: int
    scores: Scores
    predictions: list[OutOfFoldRecord] | None = omitted_when_none()


@dataclass
class Seconds:
    cv: float
    final_fit: float


@dataclass
class TrainingResults:
    """Everything `sendclf train` records about one model, in the order `metrics.json` lists it."""

    model: str  # the model's name (configs/<name>.yaml, models/<name>)
    kind: str  # its kind of model (tfidf, transformer, ensemble)
    protocol: str
    seed: int | None
    n_sentences: int  # seed sentences, all scored out-of-fold
    n_written: int  # training-only sentences (never scored)
    articles: list[str]
    areas: list[str]
    scores: Scores
    reference: Reference
    evaluation: EvalConfig
    calibration: Calibration | None
    thresholds: dict[str, float]
    hardware: dict[str, str]  # device, runtime, precision and the CPU, as the model reports them
    seconds: Seconds
    versions: dict[str, str]
    out_of_fold: list[OutOfFoldRecord] | None = omitted_when_none()
    dev: DevSet | None = omitted_when_none()
    hard_dev: DevSet | None = omitted_when_none()  # the hard dev set (seeds/dev-hard/): real register
    members: list[str] = field(default_factory=list)  # the models an ensemble contains, by name

    @property
    def polarity_ids(self) -> list[str]:
        """The polarity ids in the order the scores use, read from the results themselves."""
        return list(self.scores.confusion.labels)

    @property
    def theme_ids(self) -> list[str]:
        return list(self.scores.themes)


def plain(value: Any) -> Any:
    """Dataclasses -> JSON-ready dicts in field order, leaving out the fields marked `omitted_when_none`."""
    if dataclasses.is_dataclass(value):
        return {f.name: plain(v) for f in dataclasses.fields(value)
                if not ((v := getattr(value, f.name)) is None and f.metadata.get("omit_when_none"))}
    if isinstance(value, dict):
        return {k: plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [plain(v) for v in value]
    return value


def to_json(results: TrainingResults) -> str:
    return json.dumps(plain(results), indent=1)


def write_results(path: Path, results: TrainingResults) -> None:
    write_text(path, to_json(results))


def read_results(path: Path) -> TrainingResults:
    """The results in `path`; anything unreadable or off the schema is one line naming file and key."""
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
    except OSError as error:
        raise SendclfError(f"{path}: cannot read ({error.strerror})") from None
    except ValueError as error:
        raise SendclfError(f"{path}: not valid JSON ({error})") from None
    try:
        return from_dict(TrainingResults, raw, source=str(path))
    except SendclfError as error:
        raise SendclfError(f"{error} (written by another version of sendclf? retrain the model with "
                           f"`{retrain_command(path.parent)}`)") from None


def load_results(model_dir: Path) -> TrainingResults:
    path = model_dir / METRICS_FILE
    if not path.is_file():
        raise SendclfError(f"{model_dir}: no {METRICS_FILE}; train it with `{retrain_command(model_dir)}`")
    return read_results(path)


# ---- out-of-fold predictions: arrays <-> records ------------------------------------------------------


def _rounded(row: np.ndarray) -> list[float]:
    return [round(float(p), SCORE_DIGITS) for p in row]


def oof_records(data: Targets, oof: Predictions, labels: LabelSet) -> list[OutOfFoldRecord]:
    """One record per sentence of `data`: gold labels beside the out-of-fold prediction and scores."""
    calibrated = oof.calibrated_polarity_probs
    return [OutOfFoldRecord(
        id=sentence_id,
        area=str(data.groups[i]),
        gold_polarity=labels.polarity_ids[data.polarity[i]],
        gold_themes=[labels.theme_ids[t] for t in np.flatnonzero(data.themes[i])],
        gold_main_theme=labels.theme_ids[data.main_theme[i]],
        polarity=labels.polarity_ids[oof.polarity[i]],
        polarity_scores=_rounded(oof.polarity_probs[i]),
        calibrated_polarity_scores=None if calibrated is None else _rounded(calibrated[i]),
        themes=[labels.theme_ids[t] for t in np.flatnonzero(oof.themes[i])],
        theme_scores=_rounded(oof.theme_probs[i]),
    ) for i, sentence_id in enumerate(data.ids)]


def from_records(records: list[OutOfFoldRecord], polarity_ids: list[str], theme_ids: list[str]
                 ) -> tuple[Targets, Predictions]:
    """The inverse of `oof_records`: gold labels and predictions as the arrays the metric functions take.

    The sentence texts are not in metrics.json (scoring never reads them), so they are left empty.
    """
    polarity_index = {p: i for i, p in enumerate(polarity_ids)}
    theme_index = {t: i for i, t in enumerate(theme_ids)}

    def multi_hot(theme_lists: list[list[str]]) -> np.ndarray:
        hot = np.zeros((len(theme_lists), len(theme_ids)), dtype=np.float32)
        for row, themes in enumerate(theme_lists):
            hot[row, [theme_index[t] for t in themes]] = 1.0
        return hot

    gold = Targets(texts=[""] * len(records),
                   polarity=np.array([polarity_index[r.gold_polarity] for r in records], dtype=np.int64),
                   themes=multi_hot([r.gold_themes for r in records]),
                   main_theme=np.array([theme_index[r.gold_main_theme] for r in records], dtype=np.int64),
                   groups=np.array([r.area for r in records], dtype=object),
                   ids=[r.id for r in records])
    calibrated = [r.calibrated_polarity_scores for r in records]
    predicted = Predictions(
        polarity_probs=np.array([r.polarity_scores for r in records], dtype=float),
        theme_probs=np.array([r.theme_scores for r in records], dtype=float),
        themes=multi_hot([r.themes for r in records]) > 0,
        calibrated_polarity_probs=np.array(calibrated, dtype=float) if None not in calibrated else None,
        recorded_polarity=np.array([polarity_index[r.polarity] for r in records], dtype=np.int64))
    return gold, predicted
