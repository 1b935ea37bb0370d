"""The near-duplicate checker for written text: a new batch must not copy or paraphrase anything it could
leak into. Seed sentences are scored in CV and the dev sets are scored after training, so a training
sentence close to either would make those scores optimistic; a dev sentence close to a training one would
too.

    python -m sendclf.neardup seeds/new/batch.jsonl [...]

checks every sentence of the given files against every other text under `seeds/` (seed articles' labels,
the written corpus, both dev sets, new batches and the unlabelled pool) and prints one line per offender.
"""

from __future__ import annotations

import json
import os
import re
import sys
from pathlib import Path

import numpy as np

from sendclf.paths import SEEDS

RUN = 8  # words in a row that no two sentences from different files may share
NEAR_SEED = 0.8  # MiniLM cosine at which a sentence reads as a paraphrase of a seed one
NEAR_OTHER = 0.92  # ... of another written one (written text shares more stock phrasing)
TEXT_GLOBS = ("labels.jsonl", "written/*.jsonl", "dev/*.jsonl", "dev-hard/*.jsonl", "new/*.jsonl",
              "pool/*.jsonl", "labelled/*.jsonl")


def runs(text: str, n: int = RUN) -> set[tuple[str, ...]]:
    words = re.findall(r"[a-z0-9]+", text.lower())
    return {tuple(words[i:i + n]) for i in range(len(words) - n + 1)}


def read_texts(path: Path) -> list[tuple[str, str]]:
    """(id, text) of every line of a JSONL file of sentences."""
    out = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.strip():
            raw = json.loads(line)
            out.append((str(raw["id"]), str(raw["text"])))
    return out


def seed_texts(seeds_dir: Path) -> list[tuple[str, str]]:
    """The seed sentences as split for labelling (labels.jsonl holds only ids)."""
    from sendclf.data import corpus_sentences

    return [(s.id, s.text) for _, s in corpus_sentences(seeds_dir)]


def unit_vectors(texts: list[str]) -> np.ndarray:
    """Unit MiniLM vectors, cached by text (writers run the checker again and again on a growing corpus)."""
    import hashlib

    from sendclf.encoders import cache_dir, resolve_encoder

    path = cache_dir() / "neardup-minilm.npz"
    key = [hashlib.sha1(t.encode("utf-8")).hexdigest() for t in texts]
    try:
        with np.load(path) as stored:
            cached = dict(zip(stored["keys"].tolist(), stored["vectors"], strict=True))
    except (OSError, ValueError, KeyError):
        cached = {}
    missing = list(dict.fromkeys(t for t, k in zip(texts, key, strict=True) if k not in cached))
    if missing:
        from sendclf.models import transformer_net as tn

        tokenizer, encoder = tn.load_encoder(resolve_encoder(None))
        net = tn.TransformerNet(encoder, 3, 12, 0.0, 20.0).eval()
        ids = tokenizer(missing, truncation=True, max_length=128)["input_ids"]
        with tn.torch_session(0):
            v = tn.embed_ids(net, ids, tokenizer.pad_token_id, 64, "float32", "cpu")
        v = v / np.linalg.norm(v, axis=1, keepdims=True)
        cached.update(zip((hashlib.sha1(t.encode("utf-8")).hexdigest() for t in missing), v, strict=True))
        path.parent.mkdir(parents=True, exist_ok=True)
        scratch = path.with_suffix(f".{os.getpid()}.npz")
        np.savez(scratch, keys=np.array(list(cached)), vectors=np.stack(list(cached.values())))
        os.replace(scratch, path)
    return np.stack([cached[k] for k in key])


def check(candidates: list[Path], seeds_dir: Path = SEEDS) -> list[str]:
    """One line per candidate sentence that repeats, shares an 8-word run with, or is as close as the
    thresholds to a sentence of another file (or an earlier one of its own)."""
    resolved = {p.resolve() for p in candidates}
    others: list[tuple[str, str, str]] = [("seed", i, t) for i, t in seed_texts(seeds_dir)]
    for pattern in TEXT_GLOBS[1:]:
        for path in sorted(seeds_dir.glob(pattern)):
            if path.resolve() not in resolved:
                others += [(str(path.relative_to(seeds_dir)), i, t) for i, t in read_texts(path)]
    mine = [(str(p), i, t) for p in candidates for i, t in read_texts(p)]
    vectors = unit_vectors([t for *_, t in others] + [t for *_, t in mine])
    theirs, ours = vectors[:len(others)], vectors[len(others):]
    is_seed = np.array([src == "seed" for src, *_ in others])
    run_owner: dict[tuple[str, ...], str] = {}
    for src, i, t in others:
        for r in runs(t):
            run_owner.setdefault(r, f"{src}:{i}")
    problems, exact = [], {t.strip().lower(): f"{s}:{i}" for s, i, t in others}
    for k, (src, i, text) in enumerate(mine):
        key = text.strip().lower()
        if key in exact:
            problems.append(f"{src}:{i}: the same text as {exact[key]}")
        shared = [run_owner[r] for r in runs(text) if r in run_owner]
        if shared:
            problems.append(f"{src}:{i}: shares 8 words in a row with {shared[0]}")
        sims = theirs @ ours[k]
        earlier = ours[:k] @ ours[k]
        near = np.flatnonzero(np.where(is_seed, sims >= NEAR_SEED, sims >= NEAR_OTHER))
        if near.size:
            j = int(near[np.argmax(sims[near])])
            problems.append(f"{src}:{i}: cosine {sims[j]:.2f} to {others[j][0]}:{others[j][1]} "
                            f"{others[j][2][:70]!r}")
        elif earlier.size and earlier.max() >= NEAR_OTHER:
            j = int(np.argmax(earlier))
            problems.append(f"{src}:{i}: cosine {earlier[j]:.2f} to {mine[j][0]}:{mine[j][1]} in this batch")
        exact.setdefault(key, f"{src}:{i}")
        for r in runs(text):
            run_owner.setdefault(r, f"{src}:{i}")
    return problems


def main(argv: list[str]) -> int:
    if not argv:
        print(__doc__.strip().splitlines()[-4].strip(), file=sys.stderr)
        return 2
    problems = check([Path(a) for a in argv])
    for line in problems:
        print(line)
    print(f"{len(problems)} near-duplicate(s)", file=sys.stderr)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
