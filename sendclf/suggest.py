"""What to label next: the sentences of unlabelled articles that would teach the model most.

A sentence is worth labelling when the model is unsure of it (polarity scores spread out, theme scores near
their thresholds) and when it is unlike the sentences already chosen (maximal marginal relevance in the
model's own vector space), so twenty suggestions are not twenty copies of one hard sentence. Near-duplicates
of a chosen sentence are never suggested, and neither is letter furniture (an address, contact, signature
or name-and-role line: `sendclf.furniture`, the test docs/LABELS.md writes down), which only wastes a
labeller's time. The output is JSONL ready to label: the model's guess is filled in
with `"labelled": false`; a person corrects the labels, sets `"labelled": true`, and `sendclf data --add`
takes the labelled lines into `seeds/labelled/` (`data.add_labelled`).
"""

from __future__ import annotations

import numpy as np

from sendclf.errors import SendclfError
from sendclf.evidence import unit_rows
from sendclf.furniture import is_furniture

DIVERSITY = 0.5  # weight of the similarity to sentences already chosen, against uncertainty
NEAR_DUPLICATE = 0.95  # cosine similarity above which a sentence counts as already chosen


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
    sentences = [(doc, sentence) for doc in documents for sentence in doc.sentences
                 if not is_furniture(sentence.text)]
    if not sentences:
        raise SendclfError("no sentences to suggest: every line is letter furniture (addresses, contacts, "
                           "names and roles)")
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
