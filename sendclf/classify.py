"""`sendclf classify`: documents of sentences (read by `inputs.py`) -> a trained model -> labelled
sentences, a summary per document and the overview across documents.

The model's own heavy libraries are imported only when it is loaded: the TF-IDF path never imports torch.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable
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
UNSURE_BELOW = 0.6  # a calibrated top polarity score under this marks the sentence's label as unsure


def is_unsure(polarity: str, polarity_scores: dict[str, float]) -> bool:
    """Whether the model's chosen polarity scored under UNSURE_BELOW (after temperature scaling)."""
    return polarity_scores[polarity] < UNSURE_BELOW


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

    @property
    def unsure(self) -> bool:
        return is_unsure(self.polarity, self.polarity_scores)

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
    titles: dict[str, str] = field(default_factory=dict)  # document source -> title (`document_titles`)

    def title(self, doc: DocumentResult) -> str:
        return self.titles.get(doc.source) or Path(doc.source).name or doc.source

    def area(self, doc: DocumentResult) -> str | None:
        return self.areas.get(str(Path(doc.source).resolve()))

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


def resolve_model_dir(model: str, models_dir: Path | None = None) -> Path:
    """A model name under models/, or a model directory."""
    from sendclf.catalog import load_catalog, model_names

    models_dir = models_dir or MODELS
    path = Path(model)
    if path.is_dir() and (path / META_FILE).is_file():
        return path
    named = models_dir / model
    if (named / META_FILE).is_file():
        return named
    if model in model_names():
        make = "make train-large" if model in load_catalog().large else "make train"
        raise SendclfError(f"model {model!r} is not trained yet ({named} has no {META_FILE}): "
                           f"train it with `sendclf train {model}` (or with the others of `{make}`)")
    if path.is_dir():
        raise SendclfError(f"{model}: not a trained model directory (no {META_FILE}); "
                           f"train one with `sendclf train tfidf --out {model}`")
    raise SendclfError(f"unknown model {model!r}: give {', '.join(model_names())} "
                       f"or a trained model directory (train with `make train`)")


def trained_records(models_dir: Path | None = None) -> dict[str, tuple[Path, object]]:
    """name -> (directory, its metrics.json records or None) for the trained models of configs/models.yaml."""
    from sendclf.catalog import model_names
    from sendclf.results import load_results

    models_dir = models_dir or MODELS
    found = {}
    for name in model_names():
        directory = models_dir / name
        if (directory / META_FILE).is_file():
            try:
                found[name] = (directory, load_results(directory))
            except SendclfError:
                found[name] = (directory, None)  # no readable records: ranked last
    return found


def ranked_models(models_dir: Path | None = None) -> list[Path]:
    """The trained models of configs/models.yaml, best first by their own records (`sendclf.choice`)."""
    from sendclf.choice import rank

    found = trained_records(models_dir)
    records = {name: r for name, (_, r) in found.items() if r is not None}
    return [found[name][0] for name in rank(records)] + [d for d, r in found.values() if r is None]


def cautions(directory: Path, models_dir: Path | None = None) -> list[str]:
    """Why the model in `directory` should not be relied on, judged against the other trained models."""
    from sendclf.choice import warnings

    records = {name: r for name, (_, r) in trained_records(models_dir).items() if r is not None}
    reasons = warnings(records).get(directory.name, []) if directory.parent == (models_dir or MODELS) else []
    return [f"{directory.name}: do not rely on it: {'; '.join(reasons)}"] if reasons else []


def open_model(model: str | None, models_dir: Path | None = None):
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


def load(model_dir: Path):
    """The trained model in `model_dir`; a damaged directory is a one-line error, not a traceback."""
    from sendclf.manifest import retrain_command
    from sendclf.models.base import load_model

    try:
        return load_model(model_dir)
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


# ---- document titles -------------------------------------------------------------------------------

TITLE_MAX_CHARS = 90  # a longer first line is shortened at a word, with an ellipsis
HTML_TITLE = re.compile(r"<title[^>]*>(.*?)</title>", re.IGNORECASE | re.DOTALL)
HTML_HEAD_BYTES = 65536  # where a page's <title> is looked for
MARKDOWN_HEADING = re.compile(r"^#{1,6}\s+")


def shorten(text: str, limit: int = TITLE_MAX_CHARS) -> str:
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    return text[:limit].rsplit(" ", 1)[0].rstrip(" ,;:–-") + "…"


def manifest_titles(paths: Iterable[str]) -> dict[str, str]:
    """Resolved file path -> title, from the `title` of each entry `inputs.manifest_entries` finds."""
    from sendclf.inputs import manifest_entries

    return {str(file): shorten(str(entry["title"])) for file, entry in manifest_entries(paths)
            if entry.get("title")}


def page_title(path: Path) -> str | None:
    """The <title> of a web page, if it has one."""
    import html

    try:
        with open(path, "rb") as f:
            head = f.read(HTML_HEAD_BYTES).decode("utf-8", errors="replace")
    except OSError:
        return None
    match = HTML_TITLE.search(head)
    title = shorten(html.unescape(match.group(1))) if match else ""
    return title or None


def first_line(doc: Document) -> str | None:
    """An article's first line (its heading, in a news story or a letter): the sentences of its first
    paragraph."""
    if doc.kind != "article" or not doc.items:
        return None
    first = [item.text for item in doc.items if item.paragraph == doc.items[0].paragraph]
    return shorten(MARKDOWN_HEADING.sub("", " ".join(first))) or None


def document_titles(documents: list[Document], paths: Iterable[str] = ()) -> dict[str, str]:
    """Source -> a title for a reader: an `articles.yaml` title, a web page's <title>, else the article's
    first line (a letter's first heading); sentence files (JSONL) keep their file name."""
    from sendclf.inputs import HTML_SUFFIXES, STDIN_SOURCE

    named = manifest_titles(paths)
    titles = {}
    for doc in documents:
        path = Path(doc.source)
        title = None
        if doc.source != STDIN_SOURCE:
            title = named.get(str(path.resolve()))
            if title is None and path.suffix.lower() in HTML_SUFFIXES:
                title = page_title(path)
        title = title or first_line(doc)
        if title:
            titles[doc.source] = title
    return titles


# ---- the Python API: sendclf.load_model(...).classify([...]) ------------------------------------------


@dataclass(frozen=True)
class Row:
    """One classified sentence, as `Model.classify` returns it."""

    text: str
    polarity: str  # a polarity id: weakness, strength or neutral
    polarity_scores: dict[str, float]  # calibrated, summing to 1, by polarity id
    themes: list[str]  # theme ids, most likely first
    theme_scores: dict[str, float]  # independent probabilities, by theme id
    unsure: bool  # the top polarity score is under UNSURE_BELOW: check this one by hand
    evidence: dict | None = None  # {"nearest": [...]} (and TF-IDF's {"ngrams": [...]}), if asked for


class Model:
    """A trained model for Python callers (`sendclf.load_model`): `classify(texts)` labels sentences."""

    def __init__(self, classifier, directory: Path):
        self.classifier = classifier
        self.directory = directory
        self.name = directory.name
        self.kind: str = classifier.kind
        self.labels: LabelSet = classifier.labels

    def __repr__(self) -> str:
        return f"<sendclf model {self.name!r} ({self.kind}) from {self.directory}>"

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
        return [Row(text, p.polarity, p.polarity_scores, p.themes, p.theme_scores,
                    is_unsure(p.polarity, p.polarity_scores), found)
                for text, (p, found) in zip(texts, predict_all(self.classifier, texts, evidence=evidence),
                                            strict=True)]


def load_model(model: str | os.PathLike | None = None, threshold: float | None = None) -> Model:
    """A trained model by name ("tfidf", "transformer", ...) or directory, resolved and loaded exactly as
    `sendclf classify --model` does (every failure is a SendclfError); by default the best
    trained one. `threshold` replaces every theme's tuned threshold, as `--threshold` does."""
    import warnings

    directory, classifier = open_model(None if model is None else os.fspath(model))
    for note in classifier.notes:  # how it serves here: the CLI prints these on stderr
        warnings.warn(note, stacklevel=2)
    set_threshold(classifier, parse_threshold(None if threshold is None else str(threshold)))
    return Model(classifier, directory)


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
