"""`sendclf classify`: documents of sentences (read by `inputs.py`) -> a trained model -> labelled
sentences, a summary per document and the overview across documents.

The model's own heavy libraries are imported only when it is loaded: the TF-IDF path never imports torch.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from sendclf.errors import SendclfError
from sendclf.inputs import Document
from sendclf.labels import LabelSet
from sendclf.paths import MODELS

META_FILE = "model.json"  # what marks a trained model directory (models/base.py writes it)

# Polarities that are findings: counted per theme in the summary; the first one orders the themes.
FINDINGS = ("weakness", "strength")

CHUNK_SIZE = 256  # sentences per call to the model: the unit of progress
PROGRESS_MIN_SENTENCES = 500  # fewer finish in a blink; a bar would only flicker


@dataclass
class SentenceResult:
    id: str
    source: str
    index: int
    paragraph: int
    text: str
    polarity: str
    polarity_scores: dict[str, float]
    themes: list[str]
    theme_scores: dict[str, float]
    evidence: dict | None = None  # nearest labelled training sentences (and TF-IDF's n-grams)

    def record(self) -> dict:
        """The public per-sentence schema (JSONL, JSON): exactly these keys, in this order."""
        record = {"id": self.id, "source": self.source, "text": self.text, "polarity": self.polarity,
                  "polarity_scores": self.polarity_scores, "themes": self.themes,
                  "theme_scores": self.theme_scores}
        if self.evidence is not None:
            record["evidence"] = self.evidence
        return record


@dataclass
class ThemeCount:
    theme: str
    counts: dict[str, int]  # finding polarity -> sentences with this theme and that polarity


@dataclass
class Summary:
    n_sentences: int
    polarity: dict[str, int]
    themes: list[ThemeCount]  # themes with at least one finding, most frequent weakness first

    def to_dict(self) -> dict:
        return {"sentences": self.n_sentences, "polarity": self.polarity,
                "themes": [{"theme": t.theme, **t.counts} for t in self.themes]}


@dataclass
class DocumentResult:
    source: str
    kind: str
    sentences: list[SentenceResult]
    summary: Summary


@dataclass
class Overview:
    """Findings across documents: per row (a document, or an area a manifest names), per theme, the
    weakness and strength sentences. Themes are ordered by weakness sentences across all rows."""

    row_kind: str  # "document" or "area"
    rows: list[str]
    themes: list[str]
    counts: dict[str, dict[str, dict[str, int]]]  # row -> theme -> polarity -> sentences
    documents: dict[str, list[int]]  # row -> indices of its documents in the run

    def to_dict(self) -> dict:
        return {"rows": self.row_kind, "themes": self.themes,
                "counts": {row: {t: self.counts[row][t] for t in self.themes} for row in self.rows}}


@dataclass
class Run:
    """Everything a renderer needs: the model used, its labels and thresholds, and the documents."""

    model: str
    kind: str
    labels: LabelSet
    thresholds: dict[str, float]
    documents: list[DocumentResult] = field(default_factory=list)
    areas: dict[str, str] = field(default_factory=dict)  # document source -> area, from a manifest

    @property
    def n_sentences(self) -> int:
        return sum(len(d.sentences) for d in self.documents)

    def overview(self) -> Overview:
        findings = [p for p in FINDINGS if p in self.labels.polarity_ids]
        area = {d.source: self.areas.get(str(Path(d.source).resolve())) for d in self.documents}
        by_area = all(area.values()) and bool(area)
        rows: dict[str, list[int]] = {}
        for i, doc in enumerate(self.documents):
            rows.setdefault(area[doc.source] if by_area else doc.source, []).append(i)
        counts = {row: {t: dict.fromkeys(findings, 0) for t in self.labels.theme_ids} for row in rows}
        for row, indices in rows.items():
            for i in indices:
                for count in self.documents[i].summary.themes:
                    for p in findings:
                        counts[row][count.theme][p] += count.counts[p]
        total = {t: [sum(counts[r][t][p] for r in rows) for p in findings] for t in self.labels.theme_ids}
        order = {t: i for i, t in enumerate(self.labels.theme_ids)}
        themes = sorted((t for t in self.labels.theme_ids if any(total[t])),
                        key=lambda t: (t == self.labels.no_theme, *(-n for n in total[t]), order[t]))
        return Overview("area" if by_area else "document", list(rows), themes, counts, rows)


# ---- the model -------------------------------------------------------------------------------------


def resolve_model_dir(model: str | None, models_dir: Path | None = None) -> Path:
    """A model name under models/ or a model directory; by default the first trained model of
    configs/models.yaml's `default_order` (the most accurate first)."""
    from sendclf.catalog import load_catalog, model_names

    models_dir = models_dir or MODELS
    if model is None:
        order = load_catalog().default_order
        trained = [name for name in order if (models_dir / name / META_FILE).is_file()]
        if not trained:
            raise SendclfError(f"no trained model in {models_dir}: train them with `make train`")
        model = trained[0]
    path = Path(model)
    if path.is_dir() and (path / META_FILE).is_file():
        return path
    named = models_dir / model
    if (named / META_FILE).is_file():
        return named
    if model in model_names():
        raise SendclfError(f"model {model!r} is not trained yet ({named} has no {META_FILE}): "
                           f"train it with `sendclf train {model}` (or every model with `make train`)")
    if path.is_dir():
        raise SendclfError(f"{model}: not a trained model directory (no {META_FILE}); "
                           f"train one with `sendclf train tfidf --out {model}`")
    raise SendclfError(f"unknown model {model!r}: give {', '.join(model_names())} "
                       f"or a trained model directory (train with `make train`)")


def load(model_dir: Path):
    """The trained model in `model_dir`; a damaged directory is a one-line error, not a traceback."""
    from sendclf.models.base import load_model

    try:
        return load_model(model_dir)
    except (OSError, ValueError, KeyError) as error:
        raise SendclfError(f"{model_dir}: cannot load the model ({error.__class__.__name__}: {error}); "
                           f"retrain it with `sendclf train`") from None


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


def set_threshold(model, threshold: float | None) -> None:
    """Override every theme's threshold (the model's own, tuned ones apply otherwise)."""
    if threshold is not None:
        model.thresholds = np.full(len(model.labels.themes), threshold)


def predict_all(model, texts: list[str], console=None, evidence: bool = False) -> list[tuple]:
    """(prediction, evidence or None) per sentence, in chunks, with a progress bar on `console` (stderr)
    when there are many sentences."""
    chunks = [texts[start:start + CHUNK_SIZE] for start in range(0, len(texts), CHUNK_SIZE)]

    def one(chunk: list[str]) -> list[tuple]:
        predictions = model.predict(chunk)  # first: evidence then reuses the vectors it just made
        found = model.evidence(chunk) if evidence else None
        return list(zip(predictions, found or [None] * len(chunk), strict=True))

    if console is None or len(texts) < PROGRESS_MIN_SENTENCES:
        return [p for chunk in chunks for p in one(chunk)]
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

    predictions = []
    columns = (TextColumn("classifying"), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn())
    with Progress(*columns, console=console, transient=True) as progress:
        task = progress.add_task("classify", total=len(texts))
        for chunk in chunks:
            predictions.extend(one(chunk))
            progress.advance(task, len(chunk))
    return predictions


def summarise(sentences: list[SentenceResult], labels: LabelSet) -> Summary:
    """Sentences per polarity, and per theme the findings (weakness, strength) it appears in."""
    findings = [p for p in FINDINGS if p in labels.polarity_ids]
    polarity = {p: 0 for p in labels.polarity_ids}
    themes = {t: dict.fromkeys(findings, 0) for t in labels.theme_ids}
    for sentence in sentences:
        polarity[sentence.polarity] += 1
        if sentence.polarity in findings:
            for theme in sentence.themes:
                themes[theme][sentence.polarity] += 1
    order = {t: i for i, t in enumerate(labels.theme_ids)}
    ranked = sorted((t for t, counts in themes.items() if any(counts.values())),
                    key=lambda t: (t == labels.no_theme, *(-themes[t][p] for p in findings), order[t]))
    return Summary(len(sentences), polarity, [ThemeCount(t, themes[t]) for t in ranked])


def classify(model, documents: list[Document], model_name: str = "", console=None,
             evidence: bool = False) -> Run:
    """Classify every sentence of every document in one pass over the model."""
    texts = [item.text for doc in documents for item in doc.items]
    predictions = iter(predict_all(model, texts, console, evidence))
    run = Run(model=model_name or model.kind, kind=model.kind, labels=model.labels,
              thresholds={t: round(float(x), 4) for t, x in zip(model.labels.theme_ids, model.thresholds,
                                                                strict=True)})
    for doc in documents:
        sentences = []
        for item in doc.items:
            p, found = next(predictions)
            sentences.append(SentenceResult(item.id, doc.source, item.index, item.paragraph, item.text,
                                            p.polarity, p.polarity_scores, p.themes, p.theme_scores, found))
        summary = summarise(sentences, model.labels)
        run.documents.append(DocumentResult(doc.source, doc.kind, sentences, summary))
    return run


# ---- writing ---------------------------------------------------------------------------------------


def write_stdout(text: str) -> None:
    """Print results; a reader that stops early (`| head`) ends the output quietly, not with a traceback."""
    import sys

    try:
        sys.stdout.write(text)
        sys.stdout.flush()
    except BrokenPipeError:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())  # so the interpreter's final flush does not fail again
