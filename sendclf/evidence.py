"""Why a sentence got its labels: the labelled training sentences nearest to it, in the model's own space.

At training time the final model remembers every sentence it learnt from (seed or written, with its
labels) and that sentence's vector as the model itself sees it (the transformer's sentence embedding,
TF-IDF's own n-gram vector). At classify time each new sentence is shown beside its most similar
remembered sentences: a reader can judge a label by the examples that most resemble it.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from scipy import sparse

MEMORY_TEXTS = "memory.json"
MEMORY_VECTORS = "memory.safetensors"
NEIGHBOURS = 3
SIMILARITY_DIGITS = 3


def unit_rows(x):
    """Rows scaled to length 1, dense or sparse."""
    if sparse.issparse(x):
        norms = np.sqrt(np.asarray(x.multiply(x).sum(axis=1))).ravel()
        return sparse.diags(1.0 / np.maximum(norms, 1e-12)) @ x
    return x / np.maximum(np.linalg.norm(x, axis=1, keepdims=True), 1e-12)


@dataclass
class Memory:
    """The training sentences of a model: ids, texts, labels and their vectors (rows scaled to length 1)."""

    ids: list[str]
    texts: list[str]
    polarity: list[str]
    themes: list[list[str]]
    vectors: object  # (n, d) float32 array, or a scipy CSR matrix for sparse models

    @classmethod
    def build(cls, ids, texts, polarity, themes, vectors) -> Memory:
        return cls(list(ids), list(texts), list(polarity), [list(t) for t in themes], unit_rows(vectors))

    def nearest(self, vectors, k: int = NEIGHBOURS) -> list[list[dict]]:
        """For each row of `vectors`, the k most similar remembered sentences (cosine similarity)."""
        if not len(self.ids) or vectors.shape[0] == 0:
            return [[] for _ in range(vectors.shape[0])]
        similarity = unit_rows(vectors) @ self.vectors.T
        similarity = similarity.toarray() if sparse.issparse(similarity) else np.asarray(similarity)
        k = min(k, similarity.shape[1])
        best = np.argpartition(-similarity, k - 1, axis=1)[:, :k]
        out = []
        for row, candidates in zip(similarity, best, strict=True):
            ranked = candidates[np.argsort(-row[candidates], kind="stable")]
            out.append([{"id": self.ids[j], "text": self.texts[j], "polarity": self.polarity[j],
                         "themes": self.themes[j], "similarity": round(float(row[j]), SIMILARITY_DIGITS)}
                        for j in ranked])
        return out

    def save(self, directory: Path) -> None:
        from safetensors.numpy import save_file

        meta = {"ids": self.ids, "texts": self.texts, "polarity": self.polarity, "themes": self.themes}
        (directory / MEMORY_TEXTS).write_text(json.dumps(meta, ensure_ascii=False), encoding="utf-8")
        if sparse.issparse(self.vectors):
            v = self.vectors.tocsr().astype(np.float32)
            arrays = {"data": v.data, "indices": v.indices.astype(np.int64),
                      "indptr": v.indptr.astype(np.int64), "shape": np.asarray(v.shape, dtype=np.int64)}
        else:
            arrays = {"dense": np.ascontiguousarray(self.vectors, dtype=np.float32)}
        save_file(arrays, str(directory / MEMORY_VECTORS))

    @classmethod
    def load(cls, directory: Path) -> Memory | None:
        from safetensors.numpy import load_file

        if not (directory / MEMORY_TEXTS).is_file():
            return None
        meta = json.loads((directory / MEMORY_TEXTS).read_text(encoding="utf-8"))
        arrays = load_file(str(directory / MEMORY_VECTORS))
        if "dense" in arrays:
            vectors = arrays["dense"]
        else:
            vectors = sparse.csr_matrix((arrays["data"], arrays["indices"], arrays["indptr"]),
                                        shape=tuple(arrays["shape"]))
        return cls(meta["ids"], meta["texts"], meta["polarity"], meta["themes"], vectors)
