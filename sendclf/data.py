"""The labelled data: seed articles + labels, and the written corpus -> validated `datasets.Dataset`s; and
labelled suggestions taken into seeds/labelled/ (`sendclf data --add`).

The seed labels file is checked against the sentences `sendclf.sentences` splits today, so a change to the
splitter or the cleaning that moves a sentence shows up as a validation error naming the line to fix. The
written corpus (`seeds/written/*.jsonl`) is training data only: sentences with labels, each naming its
invented area; it is checked against the same label contract.
"""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import yaml

from sendclf.atomic import write_text
from sendclf.errors import SendclfError
from sendclf.inputs import decode
from sendclf.jsonl import json_lines
from sendclf.labels import LabelSet
from sendclf.paths import SEEDS
from sendclf.sentences import Sentence, article_sentences

ARTICLE_LIST = "articles.yaml"  # the seed articles: id, file, area (and source, outlet, date)
LABELS_FILE = "labels.jsonl"
WRITTEN_DIR = "written"
LABELLED_DIR = "labelled"  # real sentences labelled one by one (`sendclf suggest`, `sendclf data --add`)
DEV_DIR = "dev"  # the written dev set: same format as the written corpus, never trained on
ADDED_FILE = "added.jsonl"  # inside LABELLED_DIR: the lines `sendclf data --add` takes in
HARD_DEV_DIR = "dev-hard"  # the hard dev set: the register of real coverage, written apart, never trained on
WRITTEN_KEYS = {"id", "text", "polarity", "themes", "register", "area"}


@dataclass(frozen=True)
class Article:
    id: str
    file: str
    area: str
    source: str | None = None
    outlet: str | None = None
    date: str | None = None


@dataclass(frozen=True)
class LabelRecord:
    line: int
    id: str
    text: str
    polarity: str
    themes: tuple[str, ...]


def load_article_list(seeds_dir: Path = SEEDS) -> list[Article]:
    path = seeds_dir / ARTICLE_LIST
    try:
        entries = yaml.safe_load(path.read_text(encoding="utf-8"))
        articles = [Article(**{k: v if v is None else str(v) for k, v in e.items()}) for e in entries]
    except FileNotFoundError:
        raise SendclfError(f"{path}: article list not found") from None
    except (TypeError, AttributeError, yaml.YAMLError) as err:
        raise SendclfError(f"{path}: each entry needs id, file and area ({err})") from None
    ids = [a.id for a in articles]
    if len(set(ids)) != len(ids):
        raise SendclfError(f"{path}: duplicate article id")
    return articles


def corpus_sentences(seeds_dir: Path = SEEDS) -> list[tuple[Article, Sentence]]:
    """Every sentence of every article in the article list, in its order."""
    pairs = []
    for article in load_article_list(seeds_dir):
        path = seeds_dir / article.file
        try:
            raw = path.read_text(encoding="utf-8")
        except FileNotFoundError:
            raise SendclfError(f"{path}: article file named in {ARTICLE_LIST} not found") from None
        pairs += [(article, s) for s in article_sentences(article.id, raw)]
    return pairs


def read_label_records(path: Path) -> list[LabelRecord]:
    records = []
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise SendclfError(f"{path}: labels file not found") from None
    for number, where, raw in json_lines(text, str(path)):
        try:
            themes = raw["themes"]
            if not isinstance(themes, list):
                raise TypeError("themes must be a list")
            records.append(LabelRecord(number, raw["id"], raw["text"], raw["polarity"], tuple(themes)))
        except KeyError as err:
            raise SendclfError(f"{where}: missing field {err}") from None
        except TypeError as err:
            raise SendclfError(f"{where}: {err}") from None
    return records


def check_labels(r: LabelRecord, labels: LabelSet, where: str) -> None:
    """Raise if a record's labels break the label contract."""
    if r.polarity not in labels.polarity_ids:
        raise SendclfError(f"{where}: unknown polarity {r.polarity!r}")
    if not r.themes:
        raise SendclfError(f"{where}: {r.id!r} has no theme")
    for theme in r.themes:
        if theme not in labels.theme_ids:
            raise SendclfError(f"{where}: unknown theme {theme!r}")
    if len(set(r.themes)) != len(r.themes):
        raise SendclfError(f"{where}: a theme is repeated")
    if labels.no_theme in r.themes and len(r.themes) > 1:
        raise SendclfError(f"{where}: {labels.no_theme!r} must stand alone")


def validate(sentences: list[Sentence], records: list[LabelRecord], labels: LabelSet,
             path: Path) -> None:
    """Raise on the first record that breaks the label contract or no longer fits the corpus."""
    by_id = {s.id: s for s in sentences}
    seen: dict[str, int] = {}
    for r in records:
        where = f"{path}:{r.line}"
        if r.id in seen:
            raise SendclfError(f"{where}: duplicate id {r.id!r} (first on line {seen[r.id]})")
        seen[r.id] = r.line
        if r.id not in by_id:
            raise SendclfError(f"{where}: unknown id {r.id!r}: no such sentence in the corpus")
        if r.text != by_id[r.id].text:
            raise SendclfError(f"{where}: text of {r.id!r} no longer matches its sentence "
                               f"{by_id[r.id].text[:60]!r}")
        check_labels(r, labels, where)
    missing = [s.id for s in sentences if s.id not in seen]
    if missing:
        raise SendclfError(f"{path}: sentence {missing[0]!r} has no label "
                           f"({len(missing)} unlabelled in all)")


def read_written(labels: LabelSet, seeds_dir: Path = SEEDS,
                 folders: tuple[str, ...] = (WRITTEN_DIR, LABELLED_DIR)) -> list[tuple[str, LabelRecord]]:
    """(area, record) for every training-only sentence (the written corpus, then sentences labelled one
    by one), or for the dev set with `folders=(DEV_DIR,)`, validated: known keys, the contract, no
    duplicate id or text."""
    found, ids, texts = [], {}, {}
    paths = [p for folder in folders for p in sorted((seeds_dir / folder).glob("*.jsonl"))]
    for path in paths:
        for number, where, raw in json_lines(path.read_text(encoding="utf-8"), str(path)):
            if not isinstance(raw, dict) or set(raw) != WRITTEN_KEYS:
                raise SendclfError(f"{where}: a written record has exactly the keys "
                                   f"{', '.join(sorted(WRITTEN_KEYS))}")
            if not isinstance(raw["themes"], list) or not str(raw["text"]).strip():
                raise SendclfError(f"{where}: themes must be a list and text non-empty")
            record = LabelRecord(number, str(raw["id"]), str(raw["text"]), raw["polarity"],
                                 tuple(raw["themes"]))
            check_labels(record, labels, where)
            key = record.text.strip().lower()
            for seen, value, name in ((ids, record.id, "id"), (texts, key, "text")):
                if value in seen:
                    raise SendclfError(f"{where}: duplicate {name} (first at {seen[value]})")
                seen[value] = where
            found.append((str(raw["area"]), record))
    return found


def features(labels: LabelSet):
    from datasets import ClassLabel, Features, List, Value

    return Features({
        "id": Value("string"),
        "article": Value("string"),
        "area": Value("string"),
        "text": Value("string"),
        "polarity": ClassLabel(names=labels.polarity_ids),
        "themes": List(ClassLabel(names=labels.theme_ids)),
    })


def load_dataset(labels: LabelSet, seeds_dir: Path = SEEDS):
    """The validated, labelled seed corpus as a `datasets.Dataset`, one row per sentence."""
    from datasets import Dataset

    pairs = corpus_sentences(seeds_dir)
    labels_path = seeds_dir / LABELS_FILE
    records = read_label_records(labels_path)
    validate([s for _, s in pairs], records, labels, labels_path)
    by_id = {r.id: r for r in records}
    rows = {"id": [], "article": [], "area": [], "text": [], "polarity": [], "themes": []}
    for article, sentence in pairs:
        record = by_id[sentence.id]
        rows["id"].append(sentence.id)
        rows["article"].append(article.id)
        rows["area"].append(article.area)
        rows["text"].append(sentence.text)
        rows["polarity"].append(labels.polarity_ids.index(record.polarity))
        rows["themes"].append([labels.theme_ids.index(t) for t in record.themes])
    return Dataset.from_dict(rows, features=features(labels))


def load_written_dataset(labels: LabelSet, seeds_dir: Path = SEEDS, folder: str | None = None):
    """The written corpus (or, with `folder=DEV_DIR`, the dev set) as a `datasets.Dataset` with the seeds'
    columns (article = the folder)."""
    from datasets import Dataset

    rows = {"id": [], "article": [], "area": [], "text": [], "polarity": [], "themes": []}
    folders = (folder,) if folder else (WRITTEN_DIR, LABELLED_DIR)
    for area, record in read_written(labels, seeds_dir, folders):
        rows["id"].append(record.id)
        rows["article"].append(folders[0])
        rows["area"].append(area)
        rows["text"].append(record.text)
        rows["polarity"].append(labels.polarity_ids.index(record.polarity))
        rows["themes"].append([labels.theme_ids.index(t) for t in record.themes])
    return Dataset.from_dict(rows, features=features(labels))


def count_table(dataset, labels: LabelSet) -> tuple[list[str], list[tuple[str, list[int]]]]:
    """Per article (columns, then a total), how many sentences carry each polarity and theme."""
    articles = list(dict.fromkeys(dataset["article"]))
    columns = articles + ["total"]
    counts = {column: Counter() for column in columns}
    for article, polarity, themes in zip(dataset["article"], dataset["polarity"], dataset["themes"],
                                         strict=True):
        keys = ["sentences", f"polarity: {labels.polarity_ids[polarity]}"]
        keys += [f"theme: {labels.theme_ids[t]}" for t in themes]
        for column in (article, "total"):
            counts[column].update(keys)
    row_names = (["sentences"] + [f"polarity: {p}" for p in labels.polarity_ids]
                 + [f"theme: {t}" for t in labels.theme_ids])
    return columns, [(name, [counts[c][name] for c in columns]) for name in row_names]


# ---- labelled suggestions in (`sendclf data --add`) ---------------------------------------------------


def add_labelled(path: Path, labels: LabelSet, seeds_dir: Path, area: str, register: str
                 ) -> tuple[int, int, Path]:
    """Take the lines of a suggestions file marked `"labelled": true` into seeds/labelled/ (validated by
    the label contract; sentences already there are skipped). Returns (added, skipped, file)."""
    try:
        data = path.read_bytes()
    except OSError as error:
        raise SendclfError(f"{path}: cannot read ({error.strerror})") from None
    text, _ = decode(data, str(path))  # a binary or undecodable file is one line naming the byte
    written = [r for _, r in read_written(labels, seeds_dir)]
    known = {r.text.strip().lower() for r in written}
    ids = {r.id for r in written}
    added, skipped = [], 0
    for number, where, raw in json_lines(text, str(path)):
        try:
            record = LabelRecord(number, str(raw["id"]), str(raw["text"]), raw["polarity"],
                                 tuple(raw["themes"]))
        except (KeyError, TypeError) as error:
            raise SendclfError(f"{where}: not a suggestion line ({error})") from None
        if raw.get("labelled") is not True or record.text.strip().lower() in known:
            skipped += 1
            continue
        # what `sendclf data` checks of every training sentence, so an added line never breaks the seeds
        if not isinstance(raw["themes"], list) or not record.text.strip():
            raise SendclfError(f"{where}: themes must be a list and text non-empty")
        check_labels(record, labels, where)
        if record.id in ids:
            raise SendclfError(f"{where}: id {record.id!r} is already used by a training sentence; give "
                               f"this line another id")
        known.add(record.text.strip().lower())
        ids.add(record.id)
        added.append({"id": record.id, "text": record.text, "polarity": record.polarity,
                      "themes": list(record.themes), "register": register,
                      "area": str(raw.get("area") or area)})
    target = seeds_dir / LABELLED_DIR / ADDED_FILE
    if added:
        target.parent.mkdir(parents=True, exist_ok=True)
        old = target.read_text(encoding="utf-8") if target.is_file() else ""
        write_text(target, old + "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in added))
    return len(added), skipped, target
