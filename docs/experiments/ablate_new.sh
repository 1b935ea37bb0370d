#!/bin/bash
# The ablation of issue 27's new batches (2026-12-07): one copy of seeds/ per variant (every loaded batch,
# plus the new batches named), each trained by `sendclf train transformer` into OUT/<variant>/transformer.
# Two variants run side by side with one thread each (2 cores). The stage-1 fine-tuning is what differs.
# usage (from the repo root): bash docs/experiments/ablate_new.sh OUT [BATCH...]   (default: seeds/new/*)
set -euo pipefail
out=${1:?give an output folder}; shift
batches=("$@")
[ ${#batches[@]} -gt 0 ] || batches=($(cd seeds/new && ls *.jsonl | sed 's/\.jsonl$//'))
variant() {  # NAME BATCH...
  local name=$1; shift
  rm -rf "$out/seeds-$name"; mkdir -p "$out/seeds-$name"
  cp -r seeds/articles seeds/articles.yaml seeds/labels.jsonl seeds/dev seeds/dev-hard seeds/written "$out/seeds-$name/"
  for b in "$@"; do cp "seeds/new/$b.jsonl" "$out/seeds-$name/written/new-$b.jsonl"; done
  SENDCLF_THREADS=1 .venv/bin/sendclf train transformer --seeds "$out/seeds-$name" --models-dir "$out/$name" -q \
    > "$out/$name.log" 2>&1
}
mkdir -p "$out"
names=(base all "${batches[@]/#/plus-}")
pids=()
for name in "${names[@]}"; do
  case $name in
    base) variant base & ;;
    all) variant all "${batches[@]}" & ;;
    plus-*) variant "$name" "${name#plus-}" & ;;
  esac
  pids+=($!)
  if [ ${#pids[@]} -ge 2 ]; then wait "${pids[0]}"; pids=("${pids[@]:1}"); fi
done
wait
