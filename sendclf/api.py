"""The Python API, and the one way anything gets a trained model and labels with it (`sendclf classify` and
`sendclf suggest` too):

    from sendclf import load_model
    model = load_model("tfidf")  # a model name under models/, or a model directory; default: the best
    rows = model.classify(["Families wait too long for an assessment.", "Outcomes are strong."])

`label` is the one place a model's output becomes `Row`s. The model's own heavy libraries are imported only
when it is loaded: the TF-IDF path never imports torch.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from pathlib import Path

import numpy as np

from sendclf.errors import SendclfError
from sendclf.inputs import Document
from sendclf.labelled import UNSURE_BELOW, LabelledDocument, Row, Run, summarise
from sendclf.labels import LabelSet
from sendclf.models.base import Classifier
from sendclf.models.folder import retrain_command
from sendclf.models.registry import load_model as load_folder
from sendclf.paths import MODELS
from sendclf.trained import cautions, ranked_models, resolve_model_dir

__all__ = ["UNSURE_BELOW", "Model", "Row", "load_model"]

CHUNK_SIZE = 256  # sentences per call to the model: the unit of progress
PROGRESS_MIN_SENTENCES = 500  # fewer finish in a blink; a bar would only flicker
SCORE_DIGITS = 4  # of each score in a row


class Model:
    """A trained model: `classify(texts)` labels sentences, `label(documents)` whole documents."""

    def __init__(self, classifier: Classifier, directory: Path):
        self.classifier = classifier
        self.directory = directory
        self.name = directory.name
        self.kind: str = classifier.kind
        self.labels: LabelSet = classifier.labels

    def __repr__(self) -> str:
        return f"<sendclf model {self.name!r} ({self.kind}) from {self.directory}>"

    @property
    def notes(self) -> list[str]:
        """What a user should hear once about this model here (passed over others, not to be relied on, how
        it serves on this CPU)."""
        return self.classifier.notes

    def theme_name(self, theme_id: str) -> str:
        """The label set's name for a theme id ("ehc_plans" -> "Education, health and care plans")."""
        return {label.id: label.name for label in self.labels.themes}.get(theme_id, theme_id)

    def classify(self, texts: Iterable[str], evidence: bool = True) -> list[Row]:
        """One `Row` per sentence, in order; `evidence` adds the most similar labelled training sentences."""
        if isinstance(texts, str):
            raise TypeError("classify takes a list of sentences, not one string: model.classify([text])")
        texts = list(texts)
        if not all(isinstance(t, str) for t in texts):
            raise TypeError("classify takes a list of strings")
        return label(self.classifier, texts, evidence=evidence)

    def label(self, documents: list[Document], evidence: bool = False, progress=None) -> Run:
        """Every sentence of every document in one pass over the model, and a summary per document;
        `progress` is a rich console (stderr) for a progress bar on long inputs."""
        texts = [s.text for doc in documents for s in doc.sentences]
        rows = iter(label(self.classifier, texts, evidence=evidence, progress=progress))
        thresholds = {t: round(float(x), SCORE_DIGITS)
                      for t, x in zip(self.labels.theme_ids, self.classifier.thresholds, strict=True)}
        run = Run(self.name, self.kind, self.labels, thresholds)
        for doc in documents:
            doc_rows = [next(rows) for _ in doc.sentences]
            run.documents.append(LabelledDocument(doc, doc_rows, summarise(doc_rows, self.labels)))
        return run


def load_model(model: str | os.PathLike | None = None, threshold: float | None = None) -> Model:
    """A trained model by name ("tfidf", "transformer", ...) or directory (every failure is a SendclfError);
    by default the best trained one that can serve here. `threshold` replaces every theme's tuned threshold,
    as `sendclf classify --threshold` does."""
    import warnings

    directory, classifier = open_model(None if model is None else os.fspath(model))
    for note in classifier.notes:  # how it serves here: the CLI prints these on stderr
        warnings.warn(note, stacklevel=2)
    set_threshold(classifier, parse_threshold(None if threshold is None else str(threshold)))
    return Model(classifier, directory)


# ---- labelling: the one place a model's output becomes rows ------------------------------------------


def label(classifier: Classifier, texts: list[str], evidence: bool = False, progress=None) -> list[Row]:
    """A `Row` per text, in chunks; with a progress bar on `progress` (a rich console) when there are many."""
    chunks = [texts[start:start + CHUNK_SIZE] for start in range(0, len(texts), CHUNK_SIZE)]
    if progress is None or len(texts) < PROGRESS_MIN_SENTENCES:
        return [row for chunk in chunks for row in _rows(classifier, chunk, evidence)]
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

    rows = []
    columns = (TextColumn("classifying"), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn())
    with Progress(*columns, console=progress, transient=True) as bar:
        task = bar.add_task("classify", total=len(texts))
        for chunk in chunks:
            rows.extend(_rows(classifier, chunk, evidence))
            bar.advance(task, len(chunk))
    return rows


def _rows(classifier: Classifier, texts: list[str], evidence: bool) -> list[Row]:
    polarity_probs, theme_probs = classifier.calibrated_proba(texts)  # first: evidence reuses its vectors
    decisions = classifier.decisions(polarity_probs, theme_probs)
    found = classifier.evidence(texts, [p for p, _ in decisions]) if evidence else None
    labels = classifier.labels
    rows = []
    for i, (polarity, themes) in enumerate(decisions):
        polarity_scores = _scores(labels.polarity_ids, polarity_probs[i])
        theme_scores = _scores(labels.theme_ids, theme_probs[i])
        rows.append(Row(texts[i], polarity, polarity_scores, themes, theme_scores,
                        polarity_scores[polarity] < UNSURE_BELOW, found[i] if found else None))
    return rows


def _scores(ids: list[str], probs: np.ndarray) -> dict[str, float]:
    return {i: round(float(p), SCORE_DIGITS) for i, p in zip(ids, probs, strict=True)}


# ---- which model ---------------------------------------------------------------------------------------


def open_model(model: str | None, models_dir: Path | None = None) -> tuple[Path, Classifier]:
    """(directory, classifier): the model asked for, or by default the best trained one that can serve
    on this CPU; each model passed over (say, its int8 encoder unfaithful here) leaves a note, and so does
    a model whose records say not to rely on it."""
    if model is not None:
        directory = resolve_model_dir(model, models_dir)
        classifier = load(directory)
        classifier.notes = cautions(directory, models_dir) + classifier.notes
        return directory, classifier
    candidates = ranked_models(models_dir)
    if not candidates:
        raise SendclfError(f"no trained model in {models_dir or MODELS}: train them with `make train`")
    passed = []
    for directory in candidates:
        try:
            classifier = load(directory)
        except SendclfError as error:
            passed.append(f"passed over {directory.name}, the best trained model by its dev figures: {error}")
            continue
        classifier.notes = passed + cautions(directory, models_dir) + classifier.notes
        return directory, classifier
    raise SendclfError(passed[-1])


def load(model_dir: Path) -> Classifier:
    """The trained model in `model_dir`; a damaged directory is a one-line error, not a traceback."""
    try:
        return load_folder(model_dir)
    except (OSError, ValueError, KeyError) as error:
        raise SendclfError(f"{model_dir}: cannot load the model ({error.__class__.__name__}: {error}); "
                           f"retrain it with `{retrain_command(model_dir)}`") from None


def parse_threshold(value: str | None) -> float | None:
    if value is None:
        return None
    try:
        threshold = float(value)
    except ValueError:
        raise SendclfError(f"--threshold must be a number between 0 and 1, got {value!r}") from None
    if not 0.0 <= threshold <= 1.0:
        raise SendclfError(f"--threshold must be between 0 and 1, got {value}")
    return threshold


def set_threshold(classifier: Classifier, threshold: float | None) -> None:
    """Override every theme's threshold (the model's own, tuned ones apply otherwise)."""
    if threshold is not None:
        classifier.thresholds = np.full(len(classifier.labels.themes), threshold)
