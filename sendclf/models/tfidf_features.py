"""TF-IDF rows from a fitted vocabulary and idf, without importing scikit-learn.

scikit-learn learns the vocabulary and idf when the baseline is fitted; turning text into features is
done here, after fitting and after loading alike, because importing sklearn costs a cold
`sendclf classify` more than a second. It reproduces `TfidfVectorizer` for the options the baseline
uses (lowercase, the default token pattern, "word" and "char_wb" analyzers, sublinear tf, l2 norm);
tests/test_tfidf.py checks the rows against sklearn's. `term_weights` turns a row's weights back into the
whole words and phrases of the sentence, for a reader.
"""

from __future__ import annotations

import functools
import importlib.util
import math
import re
from collections import Counter
from pathlib import Path

import numpy as np
from scipy import sparse

WORD_TOKEN = re.compile(r"(?u)\b\w\w+\b")  # sklearn's default token_pattern
WHITE_SPACES = re.compile(r"\s\s+")
CACHE_LIMIT = 200_000  # distinct words whose character n-grams are remembered
PHRASE_GAP = re.compile(r"\s+")  # all that may stand between the words of a phrase shown to a reader
# scikit-learn's English stop words, in the one file of its package that defines them (see `stop_words`)
STOP_WORDS_FILE = Path("feature_extraction", "_stop_words.py")


def word_ngrams(text: str, low: int, high: int) -> list[str]:
    tokens = WORD_TOKEN.findall(text.lower())
    grams = list(tokens) if low == 1 else []
    for n in range(max(low, 2), min(high, len(tokens)) + 1):
        grams.extend(" ".join(tokens[i:i + n]) for i in range(len(tokens) - n + 1))
    return grams


def char_wb_ngrams_of_word(word: str, low: int, high: int) -> list[str]:
    """Character n-grams of one space-padded word; a word shorter than n is counted once, whole."""
    padded, grams = f" {word} ", []
    for n in range(low, high + 1):
        if len(padded) <= n:
            grams.append(padded)
            break
        grams += [padded[i:i + n] for i in range(len(padded) - n + 1)]
    return grams


class Featurizer:
    """One fitted vectorizer (vocabulary + idf): text -> column counts -> l2-normalised tf-idf."""

    def __init__(self, analyzer: str, ngram_range, vocabulary: dict[str, int], idf: np.ndarray,
                 sublinear_tf: bool):
        self.analyzer, (self.low, self.high) = analyzer, tuple(ngram_range)
        self.vocabulary, self.idf, self.sublinear_tf = vocabulary, np.asarray(idf, np.float64), sublinear_tf
        self._word_columns: dict[str, list[int]] = {}

    @property
    def width(self) -> int:
        return len(self.idf)

    def _columns_of_word(self, word: str) -> list[int]:
        columns = self._word_columns.get(word)
        if columns is None:
            grams = char_wb_ngrams_of_word(word, self.low, self.high)
            columns = [self.vocabulary[g] for g in grams if g in self.vocabulary]
            if len(self._word_columns) < CACHE_LIMIT:
                self._word_columns[word] = columns
        return columns

    def counts(self, text: str) -> Counter:
        if self.analyzer == "word":
            return Counter(self.vocabulary[g] for g in word_ngrams(text, self.low, self.high)
                           if g in self.vocabulary)
        counts: Counter = Counter()
        for word in WHITE_SPACES.sub(" ", text.lower()).split():
            counts.update(self._columns_of_word(word))
        return counts

    def transform(self, texts: list[str]) -> sparse.csr_matrix:
        indptr, columns, values = [0], [], []
        for text in texts:
            counts = self.counts(text)
            cols = np.fromiter(counts.keys(), dtype=np.int64, count=len(counts))
            tf = np.fromiter(counts.values(), dtype=np.float64, count=len(counts))
            if self.sublinear_tf:
                tf = np.log(tf) + 1.0
            weights = tf * self.idf[cols]
            norm = math.sqrt(float(weights @ weights)) or 1.0
            columns.append(cols)
            values.append(weights / norm)
            indptr.append(indptr[-1] + len(cols))
        return sparse.csr_matrix(
            (np.concatenate(values or [np.zeros(0)]).astype(np.float32),
             np.concatenate(columns or [np.zeros(0, np.int64)]), np.asarray(indptr)),
            shape=(len(texts), self.width))


def features(featurizers: list[Featurizer], texts: list[str]) -> sparse.csr_matrix:
    """The featurizers' rows side by side, column indices sorted (liblinear is ~30x slower without)."""
    matrix = sparse.hstack([f.transform(texts) for f in featurizers], format="csr")
    matrix.sort_indices()
    return matrix


@functools.cache
def stop_words() -> frozenset[str]:
    """scikit-learn's ENGLISH_STOP_WORDS, read from its own module file: importing sklearn would cost a cold
    `sendclf classify` 0.7 s (tests/test_tfidf.py checks the list is sklearn's)."""
    package = importlib.util.find_spec("sklearn").submodule_search_locations[0]
    spec = importlib.util.spec_from_file_location("sendclf_stop_words", Path(package) / STOP_WORDS_FILE)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.ENGLISH_STOP_WORDS


def only_stop_words(term: str) -> bool:
    return all(word in stop_words() for word in WORD_TOKEN.findall(term.lower()))


def term_weights(featurizers: list[Featurizer], text: str, weights: dict[int, float]) -> dict[str, float]:
    """The whole words and word n-grams of `text`, as written, each with the part of a linear score it
    carries; `weights` holds each column of `features(featurizers, [text])` times its coefficient.

    A word n-gram's weight goes to that phrase (shown only where its words stand apart by spaces alone, not
    across punctuation). A character n-gram is a fragment no reader can use: its weight is shared among its
    occurrences, and each occurrence's among the words of the space-separated chunk it lies in ("ra" of
    "delays" goes to "delays")."""
    found: dict[str, list] = {}  # lowercased term -> [the term as first written, its weight]
    offset = 0
    for featurizer in featurizers:
        if featurizer.analyzer == "word":
            for key, written, column in _phrases(featurizer, text):
                entry = found.setdefault(key, [written, 0.0])
                entry[1] += weights.get(offset + column, 0.0)
        else:
            chunks = [(chunk, featurizer._columns_of_word(chunk.lower())) for chunk in text.split()]
            occurrences = Counter(column for _, columns in chunks for column in columns)
            for chunk, columns in chunks:
                words = WORD_TOKEN.findall(chunk)
                share = sum(weights.get(offset + c, 0.0) / occurrences[c] for c in columns)
                for word in words:
                    found.setdefault(word.lower(), [word, 0.0])[1] += share / len(words)
        offset += featurizer.width
    return {written: weight for written, weight in found.values()}


def _phrases(featurizer: Featurizer, text: str):
    """(lowercased n-gram, as written, column) for each distinct in-vocabulary word n-gram of `text` that
    occurs as a phrase (words apart by spaces only)."""
    tokens = list(WORD_TOKEN.finditer(text))
    seen = set()
    for n in range(featurizer.low, featurizer.high + 1):
        for i in range(len(tokens) - n + 1):
            run = tokens[i:i + n]
            key = " ".join(m.group().lower() for m in run)
            column = featurizer.vocabulary.get(key)
            gaps = (text[a.end():b.start()] for a, b in zip(run, run[1:], strict=False))
            if column is None or key in seen or not all(PHRASE_GAP.fullmatch(g) for g in gaps):
                continue
            seen.add(key)
            yield key, " ".join(m.group() for m in run), column
