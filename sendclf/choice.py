"""Which trained model to use, and which ones not to trust: one rule for `classify`'s default, `compare`
and the report's opening sentence.

The rule: the best mean of polarity macro-F1 and theme micro-F1 on the dev sets, which no model trained or
tuned on; where some model has no dev figures, on the seed CV. The ranking comes from each model's own
records (`metrics.json`), so a model that trained badly on this machine is not preferred for its name.
"""

from __future__ import annotations

from sendclf.results import TrainingResults

CHOOSE_BY = ("polarity_macro_f1", "theme_micro_f1")  # the model to use: the best mean of these two figures
# An ensemble is flagged when this figure's interval lies wholly below a member's value on some signal: a
# broken member (an int8 encoder unfaithful where it trained) drags it down far more than chance would.
BELOW_KEY = "polarity_macro_f1"


def score(*figure_sets: dict) -> float:
    """The mean of the CHOOSE_BY figures (each a `metrics.Figure`) over one or more sets of figures."""
    return sum(f[key].value for f in figure_sets for key in CHOOSE_BY) / (len(CHOOSE_BY) * len(figure_sets))


def dev_figures(results: TrainingResults) -> list[dict]:
    """The headline figures of each dev set the model was scored on (written, then hard)."""
    return [d.scores.headline for d in (results.dev, getattr(results, "hard_dev", None)) if d]


def ranking_score(results: TrainingResults, on_dev: bool) -> float:
    return score(*dev_figures(results)) if on_dev else score(results.scores.headline)


def rank(models: dict[str, TrainingResults]) -> list[str]:
    """Model names, best first: on the dev sets where every model has them, else on the seed CV."""
    on_dev = all(dev_figures(r) for r in models.values())
    return sorted(models, key=lambda name: -ranking_score(models[name], on_dev))


def _signals(a: TrainingResults, b: TrainingResults):
    """(name, a's figures, b's figures) on every signal both were scored on."""
    yield "seed-CV", a.scores.headline, b.scores.headline
    for where, x, y in (("written dev", a.dev, b.dev), ("hard dev", getattr(a, "hard_dev", None),
                                                         getattr(b, "hard_dev", None))):
        if x and y:
            yield where, x.scores.headline, y.scores.headline


def warnings(models: dict[str, TrainingResults]) -> dict[str, list[str]]:
    """Per model, why its figures should not be trusted: its seed-CV interval reaches down to the majority
    class (it learned next to nothing), or it scores below a model it contains (an ensemble below its
    member: something in it is broken, such as an encoder unfaithful on the CPU it was trained on)."""
    found: dict[str, list[str]] = {name: [] for name in models}
    for name, results in models.items():
        reference = results.reference.scores.headline
        for key in CHOOSE_BY:
            figure = results.scores.headline[key]
            if figure.ci[0] <= reference[key].value:
                found[name].append(f"its seed-CV {key.replace('_', ' ')} interval [{figure.ci[0]:.2f}, "
                                   f"{figure.ci[1]:.2f}] reaches the majority class's "
                                   f"{reference[key].value:.2f}")
        for member in results.members:
            if member not in models:
                continue
            for where, mine, theirs in _signals(results, models[member]):
                figure, other = mine[BELOW_KEY], theirs[BELOW_KEY]
                if figure.ci[1] < other.value:
                    found[name].append(f"its {where} {BELOW_KEY.replace('_', ' ')} interval "
                                       f"[{figure.ci[0]:.2f}, {figure.ci[1]:.2f}] lies below its member "
                                       f"{member}'s {other.value:.2f}")
    return {name: reasons for name, reasons in found.items() if reasons}
