from pathlib import Path

import numpy as np
import pytest

from sendclf.api import label
from sendclf.config import load_config
from sendclf.errors import SendclfError
from sendclf.models.registry import build_model, load_model
from sendclf.models.tfidf import TfidfConfig
from sendclf.paths import CONFIGS
from sendclf.targets import Targets


def tiny_targets(labels, texts_by_theme: dict[str, list[str]], polarity: str = "weakness") -> Targets:
    texts, themes, groups = [], [], []
    for theme, texts_of_theme in texts_by_theme.items():
        for i, text in enumerate(texts_of_theme):
            row = np.zeros(len(labels.themes), dtype=np.float32)
            row[labels.theme_ids.index(theme)] = 1
            texts.append(text)
            themes.append(row)
            groups.append(f"a{i % 2}")
    themes = np.array(themes)
    pol = np.array([i % len(labels.polarities) for i in range(len(texts))])
    return Targets(texts, pol, themes, themes.argmax(axis=1), np.array(groups))


def test_save_load_round_trip_gives_identical_probabilities(tmp_path, labels):
    data = tiny_targets(labels, {"health_access": ["therapy waits are long", "camhs waits too long"],
                                 "local_offer": ["the local offer is poor", "few know the local offer"]})
    model = build_model("tfidf", TfidfConfig(), labels).fit(data)
    model.save(tmp_path / "m")
    loaded = load_model(tmp_path / "m")
    texts = ["waits for therapy", "an unseen sentence about the offer", ""]
    for a, b in zip(model.predict_proba(texts), loaded.predict_proba(texts), strict=True):
        np.testing.assert_allclose(a, b, rtol=1e-6)
    np.testing.assert_array_equal(model.thresholds, loaded.thresholds)
    assert label(loaded, texts)[0].themes == label(model, texts)[0].themes


def test_polarity_class_missing_from_training_gets_zero_probability(labels):
    data = tiny_targets(labels, {"outcomes": ["children achieve well", "outcomes are strong"]})
    data.polarity[:] = [0, 1]
    polarity, themes = build_model("tfidf", TfidfConfig(), labels).fit(data) \
        .predict_proba(["children achieve"])
    assert polarity[0, 2] == 0 and polarity.sum() == pytest.approx(1)
    assert themes.shape == (1, len(labels.themes))


def test_shipped_config_loads():
    config = load_config(TfidfConfig, CONFIGS / "tfidf.yaml")
    assert config.word_ngram_range == (1, 2)


def test_config_validation_errors(tmp_path: Path):
    path = tmp_path / "tfidf.yaml"
    path.write_text("polarity_C: 4.0\n")
    with pytest.raises(SendclfError, match="unknown key 'polarity_C'"):
        load_config(TfidfConfig, path)
    path.write_text("theme_c: high\n")
    with pytest.raises(SendclfError, match="theme_c must be float"):
        load_config(TfidfConfig, path)


@pytest.mark.parametrize("analyzer, ngram_range", [("word", (1, 2)), ("char_wb", (2, 5)), ("word", (2, 3))])
def test_featurizer_reproduces_sklearn(analyzer, ngram_range):
    from sklearn.feature_extraction.text import TfidfVectorizer

    from sendclf.models.tfidf_features import Featurizer

    train = ["Waiting times for CAMHS are “too long”.", "The council's SENCOs  praised; e.g. it's fine",
             "A b c d — ab, cd!", "Children feel safe and well supported.", "ÉLAN café naïve"]
    test = train + ["an unseen sentence about waiting", "", "x y", "CAMHS camhs CaMhS"]
    vectorizer = TfidfVectorizer(analyzer=analyzer, ngram_range=ngram_range, sublinear_tf=True).fit(train)
    ours = Featurizer(analyzer, ngram_range, vectorizer.vocabulary_, vectorizer.idf_, sublinear_tf=True)
    np.testing.assert_allclose(ours.transform(test).toarray(), vectorizer.transform(test).toarray(),
                               rtol=1e-5, atol=1e-7)


def test_stop_words_are_sklearns():
    from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS

    from sendclf.models.tfidf_features import stop_words

    assert stop_words() == ENGLISH_STOP_WORDS


def test_reasons_are_whole_words_of_the_sentence_and_never_only_stop_words(labels):
    import re

    from sendclf.models.tfidf_features import stop_words

    data = tiny_targets(labels, {"health_access": ["the waits for the therapy are too long",
                                                   "waiting for a therapy is far too slow"],
                                 "outcomes": ["children of the area achieve well", "outcomes are strong"]})
    data.polarity[:] = [0, 0, 1, 1]  # waits are weaknesses, outcomes strengths
    model = build_model("tfidf", TfidfConfig(), labels).fit(data)
    texts = ["The council's therapy waits are, e.g., far too long for the children.", "Waitings."]
    reasons = model.reasons(texts)
    assert all(reasons)
    for text, terms in zip(texts, reasons, strict=True):
        for term in (r["ngram"] for r in terms):
            words = term.split()
            assert re.search(r"(?<!\w)" + r"\s+".join(map(re.escape, words)) + r"(?!\w)", text), term
            assert not all(w.lower() in stop_words() for w in words), term
    # "waitings" is no word the model knows: its character n-grams' weight reaches it as the whole word
    assert "Waitings" in [r["ngram"] for r in reasons[1]]


def test_reasons_explain_the_polarity_asked_for(labels):
    data = tiny_targets(labels, {"health_access": ["the waits for the therapy are too long",
                                                   "waiting for a therapy is far too slow"],
                                 "outcomes": ["children of the area achieve well", "outcomes are strong"]})
    data.polarity[:] = [0, 0, 1, 1]
    model = build_model("tfidf", TfidfConfig(), labels).fit(data)
    text = ["Children wait too long for therapy but outcomes are strong."]
    weakness, strength = labels.polarity_ids[0], labels.polarity_ids[1]
    towards_weakness = {r["ngram"] for r in model.reasons(text, [weakness])[0]}
    towards_strength = {r["ngram"] for r in model.reasons(text, [strength])[0]}
    assert "therapy" in towards_weakness and "strong" in towards_strength
    assert "strong" not in towards_weakness and "therapy" not in towards_strength
