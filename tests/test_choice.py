"""Which model to use and which not to trust, from the models' own records."""

from types import SimpleNamespace

from sendclf import choice
from sendclf.metrics import Figure


def records(seed: float, dev: float | None, members=(), majority: float = 0.2, width: float = 0.05):
    def figures(value):
        return {key: Figure(value, (value - width, value + width)) for key in choice.CHOOSE_BY}

    dev_set = None if dev is None else SimpleNamespace(scores=SimpleNamespace(headline=figures(dev)))
    return SimpleNamespace(scores=SimpleNamespace(headline=figures(seed)), members=list(members), dev=dev_set,
                           reference=SimpleNamespace(scores=SimpleNamespace(headline=figures(majority))))


def test_rank_uses_the_dev_sets_where_every_model_has_them_else_the_seed_cv():
    models = {"a": records(0.9, 0.7), "b": records(0.6, 0.8)}
    assert choice.rank(models) == ["b", "a"]
    models["c"] = records(0.7, None)
    assert choice.rank(models) == ["a", "c", "b"]


def test_an_ensemble_below_its_member_and_a_model_at_the_majority_class_are_flagged():
    models = {"tfidf": records(0.8, 0.85), "transformer-large": records(0.9, 0.95),
              "ensemble-large": records(0.75, 0.9, members=["tfidf", "transformer-large"]),
              "ensemble": records(0.86, 0.91, members=["tfidf", "transformer"]),
              "transformer": records(0.88, 0.93), "broken": records(0.24, 0.3)}
    found = choice.warnings(models)
    assert set(found) == {"ensemble-large", "broken"}  # ensemble: below its member, but within its interval
    assert found["ensemble-large"] == [
        "its seed-CV polarity macro f1 interval [0.70, 0.80] lies below its member transformer-large's 0.90"]
    assert "majority class" in found["broken"][0]
