"""Each variant minus a base, paired over the same sentences, on seed CV, the written dev set and the hard
dev set (2026-12-07: issue 27's new batches and distillation).
usage: .venv/bin/python docs/experiments/ablation_vs_base.py OUT MODEL BASE VARIANT...
Polarity macro-F1 and main-theme hit as trained; theme micro-F1 at a fixed 0.5 threshold (so the
seed-tuned threshold, a knob, does not decide the data question)."""
import sys
from pathlib import Path

import numpy as np

from sendclf.compare import load_eval_config, paired_bootstrap
from sendclf.models.base import decide_themes
from sendclf.results import from_records, load_results

KEYS = ("polarity_macro_f1", "theme_micro_f1", "main_theme_hit")
config = load_eval_config()
root, model, base_name = Path(sys.argv[1]), sys.argv[2], sys.argv[3]
base = load_results(root / base_name / model)


def at_half(records, results):
    gold, pred = from_records(records, results.polarity_ids, results.theme_ids)
    pred.themes = decide_themes(pred.theme_probs, np.full(len(results.theme_ids), 0.5),
                                results.theme_ids.index("other"))
    return gold, pred


def diff(base_records, records, variant):
    by_id = {r.id: r for r in records}
    gold, before = at_half(base_records, base)
    _, after = at_half([by_id[r.id] for r in base_records], variant)
    p = paired_bootstrap(gold, before, after, samples=config.bootstrap_samples, level=config.confidence,
                         seed=config.seed)
    return " / ".join(f"{p[k].value:+.3f} [{p[k].ci[0]:+.2f}, {p[k].ci[1]:+.2f}]" for k in KEYS)


def level(results):
    sets = (results.scores, results.dev.scores, results.hard_dev.scores)
    return " · ".join(" / ".join(f"{s.headline[k].value:.3f}" for k in KEYS) for s in sets)


print(f"| {model} variant | written rows | seed CV · dev · hard dev (as trained) "
      f"| minus {base_name}: seed CV | written dev | hard dev | CV s |")
print("|---|---|---|---|---|---|---|")
print(f"| {base_name} | {base.n_written} | {level(base)} | | | | {base.seconds.cv} |")
for name in sys.argv[4:]:
    path = root / name / model
    if not (path / "metrics.json").is_file():
        continue
    v = load_results(path)
    print(f"| {name} | {v.n_written} | {level(v)} | {diff(base.out_of_fold, v.out_of_fold, v)} | "
          f"{diff(base.dev.predictions, v.dev.predictions, v)} | "
          f"{diff(base.hard_dev.predictions, v.hard_dev.predictions, v)} | {v.seconds.cv} |")
