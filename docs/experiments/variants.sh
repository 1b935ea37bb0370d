#!/bin/bash
# The ablation of docs/EXPERIMENTS.md (2026-12-05): one copy of seeds/ per variant, whose written/ holds
# exactly the batches named, each trained by the make-train protocol into OUT/<variant>/<model>.
# usage (from the repo root): bash docs/experiments/variants.sh OUT
set -euo pipefail
out=${1:?give an output folder}
batches=(practice-trends mild-lists verdicts-responses voices plans-leaders)
heldback=(parent-voices official-statements waits-access balance-a balance-a2 balance-b balance-b2 balance-c balance-d balance-d2)
variant() {  # NAME BATCH...
  local name=$1; shift
  rm -rf "$out/seeds-$name"; mkdir -p "$out/seeds-$name/written"
  cp -r seeds/articles seeds/articles.yaml seeds/labels.jsonl seeds/dev "$out/seeds-$name/"
  for b in "$@"; do cp "seeds/written/$b.jsonl" "$out/seeds-$name/written/"; done
  .venv/bin/sendclf train tfidf transformer ensemble --seeds "$out/seeds-$name" --models-dir "$out/$name" -q
}
all=$(cd seeds/written && ls *.jsonl | sed 's/\.jsonl$//')
first=$(for f in $all; do [[ " ${batches[*]} ${heldback[*]} " == *" $f "* ]] || echo "$f"; done)
variant V0 $first
variant V1 $first "${heldback[@]}"
variant V2 $all
variant L-heldback $first "${batches[@]}"
for b in "${batches[@]}"; do variant "L-$b" $(for f in $all; do [[ $f == "$b" ]] || echo "$f"; done); done
