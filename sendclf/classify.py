"""`sendclf classify`: read new text into documents of sentences, run a trained model, summarise.

Articles (.txt, .md, stdin, and the main text of .html pages) go through `corpus.article_sentences`,
so they are cleaned and split exactly as the labelled seeds were; a .jsonl file holds sentences that are
classified as they are. Every input is read and checked before the model is loaded, so a bad path fails
in milliseconds and never after a long model load. Heavy libraries (trafilatura, the model's own) are
imported only on the path that needs them: the TF-IDF path never imports torch.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from sendclf.corpus import article_sentences, clean_lines, split_sentences
from sendclf.errors import SendclfError
from sendclf.labels import LabelSet
from sendclf.paths import MODELS

ARTICLE_SUFFIXES = (".txt", ".md")
HTML_SUFFIXES = (".html", ".htm")
JSONL_SUFFIXES = (".jsonl",)
SUPPORTED_SUFFIXES = ARTICLE_SUFFIXES + HTML_SUFFIXES + JSONL_SUFFIXES
STDIN = "-"
STDIN_SOURCE = "stdin"

DEFAULT_MODEL = "transformer"  # used when trained, else FALLBACK_MODEL
FALLBACK_MODEL = "tfidf"
META_FILE = "model.json"  # what marks a trained model directory (models/base.py writes it)

# Polarities that are findings: counted per theme in the summary; the first one orders the themes.
FINDINGS = ("weakness", "strength")
MANIFEST_NAME = "articles.yaml"  # names the area of each article file, as seeds/articles.yaml does

CHUNK_SIZE = 256  # sentences per call to the model: the unit of progress
PROGRESS_MIN_SENTENCES = 500  # fewer finish in a blink; a bar would only flicker

UTF8 = "utf-8"
CP1252 = "cp1252"
UTF16_BOMS = (b"\xff\xfe", b"\xfe\xff")


@dataclass(frozen=True)
class Item:
    """One sentence to classify; `paragraph` keeps the article's layout for the HTML view."""

    id: str
    index: int
    text: str
    paragraph: int


@dataclass
class Document:
    source: str
    kind: str  # "article" (split into sentences) or "sentences" (JSONL, one record each)
    items: list[Item]
    encoding: str = UTF8


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


# ---- reading inputs --------------------------------------------------------------------------------


def decode(data: bytes, source: str) -> tuple[str, str]:
    """Text and the encoding used: UTF-8 (or UTF-16 with a BOM), else Windows-1252; binary is refused."""
    if data.startswith(UTF16_BOMS):
        try:
            return data.decode("utf-16"), "utf-16"
        except UnicodeDecodeError:
            raise SendclfError(f"{source}: not valid UTF-16 text despite its byte-order mark") from None
    if b"\x00" in data:
        raise SendclfError(f"{source}: binary file (contains NUL bytes), not text")
    try:
        return data.decode("utf-8-sig"), UTF8
    except UnicodeDecodeError as utf8_error:
        try:
            return data.decode(CP1252), CP1252
        except UnicodeDecodeError:
            raise SendclfError(f"{source}: neither UTF-8 nor Windows-1252 text (undecodable byte "
                               f"0x{data[utf8_error.start]:02x} at offset {utf8_error.start})") from None


def extract_html(html: str, source: str) -> str:
    """The main text of a web page: navigation, comments, adverts and boilerplate are dropped. (No
    deduplication: trafilatura's is a process-wide cache that empties a page seen twice.)"""
    import trafilatura

    text = trafilatura.extract(html, include_comments=False, include_tables=False, include_images=False,
                               include_links=False, include_formatting=False, favor_precision=True,
                               deduplicate=False, with_metadata=False, output_format="txt")
    if not text or not text.strip():
        hint = "" if "<" in html else " (it has no HTML tags: give plain text a .txt name)"
        raise SendclfError(f"{source}: no article text found in this HTML page{hint}")
    return text


def article_items(source: str, raw: str) -> list[Item]:
    """Sentences exactly as the seeds were split, each with the index of the paragraph it came from."""
    sentences = article_sentences(source, raw)
    paragraphs = [p for p, line in enumerate(clean_lines(raw)) for _ in split_sentences(line)]
    return [Item(f"{source}:{s.index}", s.index, s.text, p)
            for s, p in zip(sentences, paragraphs, strict=True)]


def jsonl_items(source: str, text: str) -> list[Item]:
    """One sentence per record, taken as is; blank lines are skipped, anything else malformed is an error."""
    items = []
    for line_no, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        where = f"{source}, line {line_no}"
        try:
            record = json.loads(line)
        except json.JSONDecodeError as error:
            raise SendclfError(f"{where}: not JSON ({error.msg})") from None
        if not isinstance(record, dict):
            raise SendclfError(f"{where}: expected a JSON object with a \"text\" field")
        sentence = record.get("text")
        if not isinstance(sentence, str) or not sentence.strip():
            raise SendclfError(f"{where}: no \"text\" (a non-empty string) in this record")
        record_id = record.get("id")
        if record_id is not None and not isinstance(record_id, str | int):
            raise SendclfError(f"{where}: \"id\" must be a string or an integer")
        index = len(items)
        items.append(Item(str(record_id) if record_id is not None else f"{source}:{index}", index,
                          sentence.strip(), index))
    return items


def document_from_bytes(source: str, data: bytes, suffix: str) -> Document:
    """One document from a file's bytes; the suffix says how to read it (anything unknown is an article)."""
    if not data.strip():
        raise SendclfError(f"{source}: empty file")
    text, encoding = decode(data, source)
    if not text.strip():
        raise SendclfError(f"{source}: empty file")
    if suffix in JSONL_SUFFIXES:
        items, kind = jsonl_items(source, text), "sentences"
    else:
        if suffix in HTML_SUFFIXES:
            text = extract_html(text, source)
        items, kind = article_items(source, text), "article"
    if not items:
        raise SendclfError(f"{source}: no sentences to classify")
    return Document(source, kind, items, encoding)


def expand_paths(paths: Iterable[str]) -> Iterator[tuple[str, Path | None]]:
    """(source name, file) for every input; a folder gives its supported files, sorted; stdin gives None."""
    for name in paths:
        if name == STDIN:
            yield STDIN_SOURCE, None
            continue
        path = Path(name)
        if path.is_dir():
            files = sorted(p for p in path.iterdir()
                           if p.is_file() and p.suffix.lower() in SUPPORTED_SUFFIXES
                           and not p.name.startswith("."))
            if not files:
                raise SendclfError(f"{name}: folder has no {', '.join(SUPPORTED_SUFFIXES)} files")
            yield from ((str(p), p) for p in files)
        elif path.is_file():
            yield name, path
        elif path.exists():
            raise SendclfError(f"{name}: not a regular file or folder")
        else:
            raise SendclfError(f"{name}: no such file or folder")


def read_areas(paths: list[str]) -> dict[str, str]:
    """Resolved file path -> area, from an `articles.yaml` manifest (the format of seeds/) in a folder
    given or in its parent; file paths in it are relative to the manifest."""
    import yaml

    areas = {}
    for name in paths:
        folder = Path(name)
        if not folder.is_dir():
            continue
        for manifest in (folder / MANIFEST_NAME, folder.parent / MANIFEST_NAME):
            if not manifest.is_file():
                continue
            try:
                entries = yaml.safe_load(manifest.read_text(encoding=UTF8)) or []
                areas.update({str((manifest.parent / e["file"]).resolve()): str(e["area"]) for e in entries})
            except (yaml.YAMLError, TypeError, KeyError) as error:
                raise SendclfError(f"{manifest}: each entry needs file and area ({error})") from None
    return areas


def read_documents(paths: list[str], stdin: bytes | None = None) -> list[Document]:
    """Every input as a document; no paths means stdin, whose bytes the caller reads and passes in."""
    documents = []
    for source, path in expand_paths(paths or [STDIN]):
        if path is None:
            if not stdin or not stdin.strip():
                raise SendclfError("no text on stdin (give a PATH, or pipe an article in)")
            documents.append(document_from_bytes(source, stdin, ARTICLE_SUFFIXES[0]))
            continue
        try:
            data = path.read_bytes()
        except OSError as error:
            raise SendclfError(f"{source}: cannot read ({error.strerror})") from None
        documents.append(document_from_bytes(source, data, path.suffix.lower()))
    return documents


# ---- the model -------------------------------------------------------------------------------------


def resolve_model_dir(model: str | None, models_dir: Path | None = None) -> Path:
    """A model name under models/ or a model directory; by default the transformer when it is trained."""
    from sendclf.models.base import REGISTRY

    models_dir = models_dir or MODELS

    if model is None:
        trained = (models_dir / DEFAULT_MODEL / META_FILE).is_file()
        model = DEFAULT_MODEL if trained else FALLBACK_MODEL
    path = Path(model)
    if path.is_dir() and (path / META_FILE).is_file():
        return path
    named = models_dir / model
    if (named / META_FILE).is_file():
        return named
    if model in REGISTRY:
        raise SendclfError(f"model {model!r} is not trained yet ({named} has no {META_FILE}): "
                           f"train it with `make train` or `sendclf train {model}`")
    if path.is_dir():
        raise SendclfError(f"{model}: not a trained model directory (no {META_FILE}); "
                           f"train one with `sendclf train tfidf --out {model}`")
    raise SendclfError(f"unknown model {model!r}: give {', '.join(k for k in REGISTRY if k != 'majority')} "
                       f"or a trained model directory (train with `make train` or `sendclf train tfidf`)")


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
