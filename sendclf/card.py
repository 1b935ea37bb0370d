"""The model card: a trained model's figures, data, protocol and limits, written beside it as README.md."""

from __future__ import annotations

from sendclf.results import TrainingResults
from sendclf.tables import headline_table, per_class_table, to_markdown


def headline_columns(results: TrainingResults, ci_label: str) -> list[tuple[str, dict]]:
    """This model and the majority reference in CV, and the model on the written dev set, each labelled
    with `ci_label` ("(95% CI)", "[95% CI]")."""
    columns = [(f"{results.model} {ci_label}", results.scores.headline),
               (f"majority class {ci_label}", results.reference.scores.headline)]
    if results.dev:
        columns.append((f"dev set of {results.dev.n_sentences} {ci_label}", results.dev.scores.headline))
    if results.hard_dev:
        columns.append((f"hard dev set of {results.hard_dev.n_sentences} {ci_label}",
                        results.hard_dev.scores.headline))
    return columns


def portability(hardware: dict[str, str]) -> str:
    """What the encoder was fine-tuned in, and what predicting needs of a CPU (nothing for the ONNX runtime:
    a model trained in bfloat16 gives the same labels on a CPU without it)."""
    if "train_precision" not in hardware:
        return ""
    device = hardware.get("device", "cpu")
    trained = (f" The encoder was fine-tuned in {hardware['train_precision']} on {device} (bfloat16 only "
               f"where that hardware does it natively, unless asked for).")
    if "torch" not in hardware.get("runtime", ""):
        return (trained + " Predicting needs no bfloat16. The int8 ONNX encoder's kernels differ between "
                "CPUs with VNNI and without; each load checks that it reproduces the folder's float32 "
                "reference vectors on the CPU that serves, and refuses to label otherwise.")
    return (trained + " The torch runtime predicts in the precision the CPU it runs on does natively "
            "(float32 without bfloat16), so it needs no bfloat16 either.")


def model_card(results: TrainingResults, config: dict) -> str:
    kind, ci = results.model, int(results.evaluation.confidence * 100)
    confusion, calibrated = results.scores.confusion, results.calibration
    sections = [
        f"# sendclf model: {kind}",
        "Classifies each sentence of news coverage of Ofsted/CQC local-area SEND inspections into one "
        "polarity (weakness / strength / neutral) and one or more of 12 themes (`configs/labels.yaml`).",
        "## Data",
        f"{results.n_sentences} hand-labelled sentences from {len(results.articles)} news articles "
        f"({', '.join(results.articles)}), labelled per `docs/LABELS.md` (`seeds/labels.jsonl`)"
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
        + portability(results.hardware)
        + (f" Polarity scores are calibrated by temperature {calibrated.temperature:.2f}; out-of-fold "
           f"expected calibration error {calibrated.ece_before:.3f} before and {calibrated.ece_after:.3f} "
           f"after (cross-fitted)." if calibrated else ""),
        "## Metrics",
        to_markdown(headline_table(headline_columns(results, f"({ci}% CI)"))),
        "### Polarity",
        to_markdown(per_class_table(results.scores.polarity, "polarity")),
        "Confusion matrix (rows gold, columns predicted): "
        + "; ".join(f"{g}: {row}" for g, row in zip(confusion.labels, confusion.matrix, strict=True)),
        "### Themes",
        to_markdown(per_class_table(results.scores.themes, "theme")),
        "## Configuration",
        "```yaml\n" + "\n".join(f"{k}: {v}" for k, v in config.items()) + "\n```",
        "## Limitations",
        "- Scored on 120 real sentences from five news articles about four local areas (several themes "
        "have fewer than ten, so their figures carry wide intervals) and on written dev sentences, which "
        "state their findings more plainly than real coverage does.",
        "- The written training sentences teach the label contract in news and letter registers; real "
        "letters, pages and forum posts phrase things their own way.",
        "- Labels are one annotator's reading of the contract; hard calls are in `seeds/LABELLING.md`.",
        "- A sentence is classified alone: references to earlier sentences (\"that is an issue\") are lost.",
    ]
    return "\n\n".join(sections) + "\n"
