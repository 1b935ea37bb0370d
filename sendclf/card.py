"""Model cards and metric tables: how a trained model's figures are shown to people."""

from __future__ import annotations

from sendclf.metrics import HEADLINE, ClassFigures, Figure
from sendclf.results import TrainingResults

HEADLINE_NAMES = {
    "polarity_accuracy": "polarity accuracy",
    "polarity_macro_f1": "polarity macro-F1",
    "theme_micro_f1": "theme micro-F1",
    "theme_macro_f1": "theme macro-F1",
    "main_theme_hit": "main-theme hit rate",
}


def with_ci(figure: Figure) -> str:
    low, high = figure.ci
    return f"{figure.value:.3f} [{low:.2f}, {high:.2f}]"


def headline_rows(results: TrainingResults) -> list[tuple[str, str, str]]:
    """(metric, this model with CI, majority reference with CI) for each headline figure."""
    model, reference = results.scores.headline, results.reference.scores.headline
    return [(HEADLINE_NAMES[key], with_ci(model[key]), with_ci(reference[key])) for key in HEADLINE]


def per_class_rows(figures: dict[str, ClassFigures]) -> list[tuple[str, str, str, str, str]]:
    return [(name, f"{s.precision:.2f}", f"{s.recall:.2f}", f"{s.f1:.2f}", str(s.support))
            for name, s in figures.items()]


def markdown_table(header: list[str], rows: list[tuple]) -> str:
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    return "\n".join(lines + ["| " + " | ".join(str(c) for c in row) + " |" for row in rows])


def model_card(results: TrainingResults, config: dict) -> str:
    kind, ci = results.model, int(results.evaluation.confidence * 100)
    confusion, calibrated = results.scores.confusion, results.calibration
    sections = [
        f"# sendclf model: {kind}",
        "Classifies each sentence of news coverage of Ofsted/CQC local-area SEND inspections into one "
        "polarity (weakness / strength / neutral) and one or more of 12 themes (`configs/labels.yaml`).",
        "## Data",
        f"{results.n_sentences} hand-labelled sentences from {len(results.articles)} news articles "
        f"({', '.join(results.articles)}), labelled per `shared/ANNOTATION.md` (`seeds/labels.jsonl`)"
        + (f", and {results.n_written} written training sentences (`seeds/written/`, never scored)."
           if results.n_written else "."),
        "## Protocol",
        f"Leave-one-area-out cross-validation: each local area's seed sentences are predicted by a model "
        f"trained on the other areas (and the written corpus) only, thresholds included; the pooled "
        f"out-of-fold predictions are scored once, with {ci}% bootstrap intervals over sentences "
        f"({results.evaluation.bootstrap_samples} resamples). The majority-class reference goes "
        f"through the same protocol. The model in this folder was then fitted on all sentences. Seed "
        f"{results.seed}; CV took {results.seconds.cv} s, the final fit "
        f"{results.seconds.final_fit} s.",
        "## Hardware and calibration",
        "Trained and timed on " + ", ".join(f"{k}: {v}" for k, v in results.hardware.items()) + "."
        + (f" Polarity scores are calibrated by temperature {calibrated.temperature:.2f}; out-of-fold "
           f"expected calibration error {calibrated.ece_before:.3f} before and {calibrated.ece_after:.3f} "
           f"after (cross-fitted)." if calibrated else ""),
        "## Metrics",
        markdown_table(["metric", f"{kind} ({ci}% CI)", f"majority class ({ci}% CI)"],
                       headline_rows(results)),
        "### Polarity",
        markdown_table(["polarity", "precision", "recall", "F1", "support"],
                       per_class_rows(results.scores.polarity)),
        "Confusion matrix (rows gold, columns predicted): "
        + "; ".join(f"{g}: {row}" for g, row in zip(confusion.labels, confusion.matrix, strict=True)),
        "### Themes",
        markdown_table(["theme", "precision", "recall", "F1", "support"],
                       per_class_rows(results.scores.themes)),
        "## Configuration",
        "```yaml\n" + "\n".join(f"{k}: {v}" for k, v in config.items()) + "\n```",
        "## Limitations",
        "- Trained on about 120 sentences from five articles about four local areas: several themes have "
        "fewer than ten examples, and their figures carry wide intervals.",
        "- News register, not inspection letters: phrasing in the letters themselves differs.",
        "- Labels are one annotator's reading of the contract; hard calls are in `seeds/LABELLING.md`.",
        "- A sentence is classified alone: references to earlier sentences (\"that is an issue\") are lost.",
    ]
    return "\n\n".join(sections) + "\n"
