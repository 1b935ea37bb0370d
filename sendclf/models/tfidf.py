"""TF-IDF baseline: word and character n-grams into logistic regressions.

The vocabulary and idf are learnt from the rows that are never scored (the written corpus and the label
phrases) when there are such rows, so every cross-validation fold and the final model of one training
run share them, and each sentence's features, computed once; a fold then only fits its regressions.
Polarity is one multinomial logistic regression with balanced class weights. Each theme is its own
binary logistic regression (one-vs-rest), trained on the sentences plus the phrases of the theme
descriptions in configs/labels.yaml, because several themes have only a handful of sentences.
The fitted linear weights are kept as plain arrays, saved as safetensors plus a JSON vocabulary,
so loading runs no code and never imports torch.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from scipy import sparse

from sendclf.models.base import Classifier, softmax
from sendclf.models.tfidf_features import Featurizer, features, only_stop_words, term_weights
from sendclf.targets import Targets

# The regressions are tiny: BLAS threads only contend for the cores (100x slower beside a busy process).
BLAS_THREADS = 1
VOCAB_FILE = "tfidf_vocabulary.json"
WEIGHTS_FILE = "tfidf.safetensors"
REASONS = 5  # words and phrases shown per sentence as the reason for its polarity
# The same convex optimum as lbfgs (the default) in 5 Newton steps instead of ~35-80 quasi-Newton ones:
# 0.2 s against 0.7 s of CPU per polarity fit on 2,700 sentences.
POLARITY_SOLVER = "newton-cg"


@dataclass
class TfidfConfig:
    """configs/tfidf.yaml names only the settings that differ from these."""

    seed: int = 13
    word_ngram_range: tuple[int, ...] = (1, 2)  # word unigrams and bigrams
    char_ngram_range: tuple[int, ...] = (2, 5)  # character n-grams inside word boundaries: robust to typos
    min_df: int = 1
    sublinear_tf: bool = True
    max_features: int | None = None
    polarity_c: float = 4.0  # inverse regularisation strength of the polarity regression
    theme_c: float = 4.0  # ... and of each theme's one-vs-rest regression
    max_iter: int = 2000
    theme_threshold: float = 0.5  # used as is when configs/evaluate.yaml does not tune it
    label_phrases: bool = True  # also train the theme regressions on the phrases of each theme's description


def _sigmoid(z: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-z))


class SharedFeatures:
    """Fitted featurizers and every row they made, so folds that share a vocabulary featurize once."""

    def __init__(self, featurizers: list[Featurizer]):
        self.featurizers, self.rows = featurizers, {}

    def __call__(self, texts: list[str]) -> sparse.csr_matrix:
        missing = list(dict.fromkeys(t for t in texts if t not in self.rows))
        if missing:
            x = features(self.featurizers, missing)
            for i, text in enumerate(missing):
                start, end = x.indptr[i], x.indptr[i + 1]
                self.rows[text] = (x.indices[start:end], x.data[start:end])
        found = [self.rows[t] for t in texts]
        indptr = np.cumsum([0] + [len(c) for c, _ in found])
        columns = np.concatenate([c for c, _ in found]) if found else np.zeros(0, np.int32)
        values = np.concatenate([v for _, v in found]) if found else np.zeros(0, np.float32)
        width = sum(f.width for f in self.featurizers)
        return sparse.csr_matrix((values, columns, indptr), shape=(len(texts), width))


_shared: dict[str, SharedFeatures] = {}  # at most one entry: the vocabulary the current training run shares
# The regressions by what they were fitted on: an ensemble's TF-IDF member repeats, fold for fold, the fits
# of the TF-IDF model trained before it in the same process; identical inputs give identical weights.
_fits: dict[str, tuple[np.ndarray, ...]] = {}


class TfidfClassifier(Classifier):
    kind = "tfidf"
    config_class = TfidfConfig

    def _learn_vocabulary(self, texts: list[str]) -> list[Featurizer]:
        """Vocabulary and idf of each analyzer, learnt by scikit-learn (imported only for fitting)."""
        from sklearn.feature_extraction.text import TfidfVectorizer

        c, featurizers = self.config, []
        for analyzer, ngram_range in (("word", c.word_ngram_range), ("char_wb", c.char_ngram_range)):
            vectorizer = TfidfVectorizer(analyzer=analyzer, ngram_range=tuple(ngram_range), min_df=c.min_df,
                                         max_features=c.max_features, sublinear_tf=c.sublinear_tf,
                                         lowercase=True).fit(texts)
            vocabulary = {term: int(i) for term, i in vectorizer.vocabulary_.items()}
            featurizers.append(Featurizer(analyzer, ngram_range, vocabulary, vectorizer.idf_, c.sublinear_tf))
        return featurizers

    def _features(self, texts: list[str]) -> sparse.csr_matrix:
        return features(self.featurizers, texts)

    def fit(self, data: Targets) -> TfidfClassifier:
        from threadpoolctl import threadpool_limits

        with threadpool_limits(limits=BLAS_THREADS, user_api="blas"):
            return self._fit(data)

    def _shared_features(self, data: Targets) -> SharedFeatures:
        """Featurizers learnt from the unscored rows (all rows if there are none), cached across fits."""
        texts = data.subset(data.written).texts if data.written.any() else data.texts
        if self.config.label_phrases:
            texts = texts + self.labels.theme_phrases()[0]
        settings = {k: v for k, v in vars(self.config).items() if k not in ("polarity_c", "theme_c")}
        key = hashlib.sha256(json.dumps([repr(settings), texts]).encode("utf-8")).hexdigest()
        if key not in _shared:
            _shared.clear()
            _fits.clear()
            _shared[key] = SharedFeatures(self._learn_vocabulary(texts))
        return _shared[key]

    def _fit(self, data: Targets) -> TfidfClassifier:
        shared = self._shared_features(data)
        self.featurizers = shared.featurizers
        key = hashlib.sha256(json.dumps([repr(vars(self.config)), id(shared), data.texts,
                                         data.polarity.tolist(), data.themes.tolist()]).encode()).hexdigest()
        if key not in _fits:
            _fits[key] = self._fit_weights(shared, data)
        self.polarity_w, self.polarity_b, self.theme_w, self.theme_b = _fits[key]
        return self

    def _fit_weights(self, shared: SharedFeatures, data: Targets) -> tuple[np.ndarray, ...]:
        """The polarity regression and the twelve theme regressions, side by side on the cores (liblinear
        and scipy release the GIL: 1.5x on 2 cores)."""
        from concurrent.futures import ThreadPoolExecutor

        from sendclf.machine import cpu_threads

        x = shared(data.texts)
        theme_x, theme_y = x, data.themes
        if self.config.label_phrases:
            phrases, theme_index = self.labels.theme_phrases()
            phrase_y = np.zeros((len(phrases), theme_y.shape[1]), dtype=theme_y.dtype)
            phrase_y[np.arange(len(phrases)), theme_index] = 1
            theme_x = sparse.vstack([x, shared(phrases)], format="csr")
            theme_y = np.vstack([theme_y, phrase_y])
        with ThreadPoolExecutor(cpu_threads()) as pool:
            polarity = pool.submit(self._fit_polarity, x, data.polarity)
            themes = self._fit_themes(theme_x, theme_y, pool)
            return (*polarity.result(), *themes)

    def _fit_polarity(self, x, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Multinomial weights for every polarity; a class absent from training gets probability 0."""
        n_classes = len(self.labels.polarities)
        w = np.zeros((n_classes, x.shape[1]), dtype=np.float32)
        b = np.full(n_classes, -np.inf, dtype=np.float32)
        present = np.unique(y)
        if len(present) == 1:
            b[present[0]] = 0.0
            return w, b
        from sklearn.linear_model import LogisticRegression

        lr = LogisticRegression(C=self.config.polarity_c, class_weight="balanced", solver=POLARITY_SOLVER,
                                max_iter=self.config.max_iter, random_state=self.config.seed).fit(x, y)
        coef, intercept = lr.coef_, lr.intercept_
        if len(present) == 2:  # binary LR gives one row: softmax([-z/2, z/2]) == sigmoid(z)
            coef = np.vstack([-coef / 2, coef / 2])
            intercept = np.concatenate([-intercept / 2, intercept / 2])
        w[present], b[present] = coef, intercept
        return w, b

    def _fit_themes(self, x, y: np.ndarray, pool) -> tuple[np.ndarray, np.ndarray]:
        """One binary regression per theme, on `pool`; a theme never or always seen gets a constant
        probability."""
        from sklearn.linear_model import LogisticRegression

        n_themes = y.shape[1]
        w = np.zeros((n_themes, x.shape[1]), dtype=np.float32)
        b = np.zeros(n_themes, dtype=np.float32)

        def fit_one(t: int) -> None:
            positives = int(y[:, t].sum())
            if positives in (0, len(y)):
                rate = np.clip(positives / len(y), 1e-4, 1 - 1e-4)
                b[t] = np.log(rate / (1 - rate))
                return
            lr = LogisticRegression(C=self.config.theme_c, class_weight="balanced", solver="liblinear",
                                    dual=True, max_iter=self.config.max_iter, random_state=self.config.seed)
            lr.fit(x, y[:, t])
            w[t], b[t] = lr.coef_[0], lr.intercept_[0]

        list(pool.map(fit_one, range(n_themes)))
        return w, b

    def predict_proba(self, texts: list[str]) -> tuple[np.ndarray, np.ndarray]:
        x = self._features(texts)
        polarity = softmax(np.asarray(x @ self.polarity_w.T) + self.polarity_b)
        themes = _sigmoid(np.asarray(x @ self.theme_w.T) + self.theme_b)
        return polarity, themes

    def embed(self, texts: list[str]):
        return self._features(texts)

    def reasons(self, texts: list[str], polarity: list[str] | None = None,
                k: int = REASONS) -> list[list[dict]]:
        """The words and phrases of each sentence that pushed it most towards the polarity it got: whole
        words as written (character n-grams folded into the words they lie in), none made of stop words
        alone, so a reader can find each one in the sentence."""
        x = self._features(texts)
        if polarity is None:
            towards = np.asarray(x @ self.polarity_w.T + self.polarity_b).argmax(axis=1)
        else:
            towards = [self.labels.polarity_ids.index(p) for p in polarity]
        out = []
        for text, row, chosen in zip(texts, x, towards, strict=True):
            contribution = row.data * self.polarity_w[chosen, row.indices]
            terms = term_weights(self.featurizers, text, dict(zip(row.indices.tolist(), contribution.tolist(),
                                                                  strict=True)))
            ranked = sorted(((term, weight) for term, weight in terms.items()
                             if weight > 0 and not only_stop_words(term)), key=lambda tw: -tw[1])
            out.append([{"ngram": term, "weight": round(weight, 3)} for term, weight in ranked[:k]])
        return out

    def save_weights(self, directory: Path) -> None:
        from safetensors.numpy import save_file

        word, char = self.featurizers
        (directory / VOCAB_FILE).write_text(json.dumps({"word": word.vocabulary, "char": char.vocabulary}),
                                            encoding="utf-8")
        save_file({"word_idf": word.idf.astype(np.float32), "char_idf": char.idf.astype(np.float32),
                   "polarity_w": self.polarity_w, "polarity_b": self.polarity_b,
                   "theme_w": self.theme_w, "theme_b": self.theme_b}, str(directory / WEIGHTS_FILE))

    def load_weights(self, directory: Path) -> None:
        from safetensors.numpy import load_file

        vocabulary = json.loads((directory / VOCAB_FILE).read_text(encoding="utf-8"))
        arrays = load_file(str(directory / WEIGHTS_FILE))
        c = self.config
        self.featurizers = [
            Featurizer("word", c.word_ngram_range, vocabulary["word"], arrays["word_idf"], c.sublinear_tf),
            Featurizer("char_wb", c.char_ngram_range, vocabulary["char"], arrays["char_idf"], c.sublinear_tf),
        ]
        self.polarity_w, self.polarity_b = arrays["polarity_w"], arrays["polarity_b"]
        self.theme_w, self.theme_b = arrays["theme_w"], arrays["theme_b"]
