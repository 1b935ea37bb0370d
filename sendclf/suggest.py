"""What to label next: the sentences of unlabelled articles that would teach the model most.

A sentence is worth labelling when the model is unsure of it (polarity scores spread out, theme scores near
their thresholds) and when it is unlike the sentences already chosen (maximal marginal relevance in the
model's own vector space), so twenty suggestions are not twenty copies of one hard sentence. Near-duplicates
of a chosen sentence are never suggested. The output is JSONL ready to label: the model's guess is filled in
with `"labelled": false`; a person corrects the labels, sets `"labelled": true`, and `sendclf data --add`
takes the labelled lines into `seeds/labelled/`.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np

from sendclf.data import LABELLED_DIR, LabelRecord, check_labels, read_written
from sendclf.errors import SendclfError
from sendclf.evidence import unit_rows
from sendclf.jsonl import json_lines
from sendclf.labels import LabelSet

DIVERSITY = 0.5  # weight of the similarity to sentences already chosen, against uncertainty
NEAR_DUPLICATE = 0.95  # cosine similarity above which a sentence counts as already chosen
ADDED_FILE = "added.jsonl"


def uncertainty(polarity: np.ndarray, themes: np.ndarray, thresholds: np.ndarray) -> np.ndarray:
    """0 (sure) to 1 (no idea): the mean of the polarity scores' normalised entropy and how close the
    most borderline theme score is to its threshold."""
    p = np.clip(polarity, 1e-12, 1.0)
    entropy = -(p * np.log(p)).sum(axis=1) / np.log(p.shape[1])
    distance = np.abs(themes - thresholds) / np.maximum(thresholds, 1 - thresholds)
    return 0.5 * entropy + 0.5 * (1.0 - distance.min(axis=1))


def rank(scores: np.ndarray, vectors, n: int, diversity: float = DIVERSITY,
         near_duplicate: float = NEAR_DUPLICATE) -> list[int]:
    """Greedy maximal marginal relevance: each pick maximises uncertainty - diversity x its highest
    similarity to the picks so far; near-duplicates of a pick are dropped."""
    unit = unit_rows(vectors)
    similarity = unit @ unit.T
    similarity = similarity.toarray() if hasattr(similarity, "toarray") else np.asarray(similarity)
    closest = np.zeros(len(scores))
    available = np.ones(len(scores), dtype=bool)
    picks: list[int] = []
    while len(picks) < n and available.any():
        value = np.where(available, scores - diversity * closest, -np.inf)
        best = int(np.argmax(value))
        picks.append(best)
        closest = np.maximum(closest, similarity[best])
        available &= similarity[best] < near_duplicate
        available[best] = False
    return picks


def suggest(model, documents, n: int) -> list[dict]:
    """The `n` sentences most worth labelling, as records ready to label, most useful first."""
    if n < 1:
        raise SendclfError("--n must be at least 1")
    sentences = [(doc, sentence) for doc in documents for sentence in doc.sentences]
    unique = list(dict.fromkeys(sentence.text for _, sentence in sentences))
    polarity, themes = model.calibrated_proba(unique)
    vectors = model.embed(unique)
    if vectors is None:
        raise SendclfError(f"a {model.kind} model has no vectors to compare sentences with")
    scores = uncertainty(polarity, themes, model.thresholds)
    decisions = model.decisions(polarity, themes)
    first = {}
    for doc, sentence in sentences:
        first.setdefault(sentence.text, (doc, sentence))
    records = []
    for i in rank(scores, vectors, n):
        doc, sentence = first[unique[i]]
        records.append({
            "id": sentence.id, "text": sentence.text, "polarity": decisions[i][0], "themes": decisions[i][1],
            "labelled": False, "source": doc.source, "uncertainty": round(float(scores[i]), 3),
        })
    return records


def add_labelled(path: Path, labels: LabelSet, seeds_dir: Path, area: str, register: str
                 ) -> tuple[int, int, Path]:
    """Take the lines of a suggestions file marked `"labelled": true` into seeds/labelled/ (validated by
    the label contract; sentences already there are skipped). Returns (added, skipped, file)."""
    from sendclf.atomic import write_text
    from sendclf.inputs import decode

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
