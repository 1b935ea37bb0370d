"""Each variant against V2 (every batch loaded): paired differences V2 - variant on seed CV and on dev.
usage: .venv/bin/python docs/experiments/ablation_table.py OUT MODEL VARIANT...
Polarity macro-F1 and main-theme hit as trained; theme micro-F1 at a fixed 0.5 threshold (so the
seed-tuned threshold, a knob, does not decide the data question)."""
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, ".")
from sendclf.compare import load_eval_config, paired_bootstrap
from sendclf.models.base import decide_themes
from sendclf.results import from_records, load_results

config = load_eval_config()
root = Path(sys.argv[1])
model = sys.argv[2]
full = load_results(root / "V2" / model)

def at_half(records, r):
    gold, pred = from_records(records, r.polarity_ids, r.theme_ids)
    pred.themes = decide_themes(pred.theme_probs, np.full(len(r.theme_ids), 0.5), r.theme_ids.index("other"))
    return gold, pred

def diff(a_recs, b_recs, ra, rb):
    ids = [x.id for x in a_recs]
    by = {x.id: x for x in b_recs}
    gold, pa = at_half(a_recs, ra)
    _, pb = at_half([by[i] for i in ids], rb)
    p = paired_bootstrap(gold, pa, pb, samples=config.bootstrap_samples, level=config.confidence,
                         seed=config.seed)
    return " / ".join(f"{p[k].value:+.3f} [{p[k].ci[0]:+.2f}, {p[k].ci[1]:+.2f}]"
                      for k in ("polarity_macro_f1", "theme_micro_f1", "main_theme_hit"))

print(f"| {model}: V2 minus the variant | written | seed CV: polarity macro-F1 / theme micro-F1 @0.5 / "
      f"main-theme hit @0.5 | dev set: same |")
print("|---|---|---|---|")
for variant in sys.argv[3:]:
    path = root / variant / model
    if not (path / "metrics.json").is_file():
        continue
    o = load_results(path)
    seed_cv = diff(o.out_of_fold, full.out_of_fold, o, full)
    dev = diff(o.dev.predictions, full.dev.predictions, o, full)
    print(f"| {variant} | {o.n_written} | {seed_cv} | {dev} |")
