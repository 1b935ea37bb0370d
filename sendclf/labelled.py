"""What labelling produces, and what every output format reads: a `Row` per sentence, each document's rows
with their summary, and the overview across documents.

`Row` is the one labelled-sentence type: `Model.classify` returns rows, and `sendclf classify` renders rows
beside the sentences they label. `sendclf.api.label` is the one place a model's output becomes rows.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field

from sendclf.inputs import Document
from sendclf.labels import LabelSet
from sendclf.sentences import Sentence

UNSURE_BELOW = 0.6  # a calibrated top polarity score under this marks the sentence's label as unsure
# Polarities that are findings: counted per theme in the summary; the first one orders the themes.
FINDINGS = ("weakness", "strength")
SHARE_DIGITS = 4  # a share of a row's sentences in the JSON overview


@dataclass(frozen=True)
class Row:
    """One labelled sentence."""

    text: str
    polarity: str  # a polarity id: weakness, strength or neutral
    polarity_scores: dict[str, float]  # calibrated, summing to 1, by polarity id
    themes: list[str]  # theme ids, most likely first
    theme_scores: dict[str, float]  # independent probabilities, by theme id
    unsure: bool  # the top polarity score is under UNSURE_BELOW: check this one by hand
    evidence: dict | None = None  # {"nearest": [...]} (and TF-IDF's {"ngrams": [...]}), if asked for


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


def findings(labels: LabelSet) -> list[str]:
    return [p for p in FINDINGS if p in labels.polarity_ids]


def theme_order(labels: LabelSet, totals: dict[str, list[int]]) -> list[str]:
    """The themes with a finding: most weakness sentences first, then most strength ones; `other` last."""
    order = {t: i for i, t in enumerate(labels.theme_ids)}
    return sorted((t for t in labels.theme_ids if any(totals[t])),
                  key=lambda t: (t == labels.no_theme, *(-n for n in totals[t]), order[t]))


def summarise(rows: list[Row], labels: LabelSet) -> Summary:
    """Sentences per polarity, and per theme the findings (weakness, strength) it appears in."""
    polarities = findings(labels)
    polarity = {p: 0 for p in labels.polarity_ids}
    themes = {t: dict.fromkeys(polarities, 0) for t in labels.theme_ids}
    for row in rows:
        polarity[row.polarity] += 1
        if row.polarity in polarities:
            for theme in row.themes:
                themes[theme][row.polarity] += 1
    ranked = theme_order(labels, {t: [counts[p] for p in polarities] for t, counts in themes.items()})
    return Summary(len(rows), polarity, [ThemeCount(t, themes[t]) for t in ranked])


@dataclass
class LabelledDocument:
    """A document as read (`inputs.Document`), a row per sentence, and its summary."""

    document: Document
    rows: list[Row]
    summary: Summary

    @property
    def source(self) -> str:
        return self.document.source

    @property
    def kind(self) -> str:
        return self.document.kind

    def labelled(self) -> Iterator[tuple[Sentence, Row]]:
        """Each sentence beside its row."""
        return zip(self.document.sentences, self.rows, strict=True)


@dataclass
class Overview:
    """Findings across documents: per row (a document, or an area an article list names), per theme, the
    weakness and strength sentences, counted and as a share of the row's sentences, so a 76-sentence letter
    and a 6-sentence article compare. Themes are ordered by weakness share, each row weighing the same."""

    row_kind: str  # "document" or "area"
    rows: list[str]
    themes: list[str]
    sentences: dict[str, int]  # row -> its sentences, findings or not
    counts: dict[str, dict[str, dict[str, int]]]  # row -> theme -> polarity -> sentences
    documents: dict[str, list[int]]  # row -> indices of its documents in the run

    def share(self, row: str, theme: str, polarity: str) -> float:
        """The fraction of the row's sentences that are `polarity` findings on `theme`."""
        return self.counts[row][theme][polarity] / (self.sentences[row] or 1)

    def to_dict(self) -> dict:
        def shares(row: str, theme: str) -> dict[str, float]:
            return {p: round(self.share(row, theme, p), SHARE_DIGITS) for p in self.counts[row][theme]}

        return {"rows": self.row_kind, "themes": self.themes, "sentences": self.sentences,
                "counts": {row: {t: self.counts[row][t] for t in self.themes} for row in self.rows},
                "shares": {row: {t: shares(row, t) for t in self.themes} for row in self.rows}}


@dataclass
class Run:
    """Everything a renderer needs: the model used, its labels and thresholds, and the documents."""

    model: str
    kind: str
    labels: LabelSet
    thresholds: dict[str, float]
    documents: list[LabelledDocument] = field(default_factory=list)

    @property
    def n_sentences(self) -> int:
        return sum(len(d.rows) for d in self.documents)

    def overview(self) -> Overview:
        """By area when every document has one, else by document."""
        polarities = findings(self.labels)
        by_area = bool(self.documents) and all(d.document.area for d in self.documents)
        rows: dict[str, list[int]] = {}
        for i, doc in enumerate(self.documents):
            rows.setdefault(doc.document.area if by_area else doc.source, []).append(i)
        counts = {row: {t: dict.fromkeys(polarities, 0) for t in self.labels.theme_ids} for row in rows}
        for row, indices in rows.items():
            for i in indices:
                for count in self.documents[i].summary.themes:
                    for p in polarities:
                        counts[row][count.theme][p] += count.counts[p]
        sentences = {row: sum(len(self.documents[i].rows) for i in indices) for row, indices in rows.items()}
        overview = Overview("area" if by_area else "document", list(rows), list(self.labels.theme_ids),
                            sentences, counts, rows)
        shares = {t: [sum(overview.share(row, t, p) for row in rows) for p in polarities]
                  for t in overview.themes}
        overview.themes = theme_order(self.labels, shares)  # only themes with a finding, most weakness first
        return overview
