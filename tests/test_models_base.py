import numpy as np
import pytest

from sendclf.errors import SendclfError
from sendclf.models.base import decide_themes
from sendclf.models.registry import load_model, model_class

OTHER = 3


def test_at_least_one_theme_even_below_threshold():
    probs = np.array([[0.1, 0.3, 0.2, 0.05]])
    assert decide_themes(probs, np.full(4, 0.5), OTHER).tolist() == [[False, True, False, False]]


def test_every_theme_over_its_threshold():
    probs = np.array([[0.6, 0.7, 0.2, 0.1]])
    thresholds = np.array([0.5, 0.5, 0.1, 0.5])
    assert decide_themes(probs, thresholds, OTHER).tolist() == [[True, True, True, False]]


def test_other_stands_alone_when_most_likely():
    probs = np.array([[0.6, 0.1, 0.55, 0.9]])
    assert decide_themes(probs, np.full(4, 0.5), OTHER).tolist() == [[False, False, False, True]]


def test_other_dropped_beside_a_more_likely_real_theme():
    probs = np.array([[0.8, 0.1, 0.1, 0.7]])
    assert decide_themes(probs, np.full(4, 0.5), OTHER).tolist() == [[True, False, False, False]]


def test_unknown_kind_and_untrained_dir_are_clear_errors(tmp_path):
    with pytest.raises(SendclfError, match="unknown model kind"):
        model_class("svm")
    with pytest.raises(SendclfError, match="no trained model here"):
        load_model(tmp_path)


def test_a_model_saved_without_a_setting_asks_to_be_retrained(tmp_path, labels):
    import json

    from sendclf.manifest import write_manifest
    from sendclf.models.majority import MajorityConfig
    from sendclf.models.registry import build_model
    from sendclf.targets import Targets

    themes = np.eye(len(labels.themes), dtype=np.float32)[[0, 1]]
    data = Targets(["a.", "b."], np.array([0, 1]), themes, np.array([0, 1]), np.array(["x", "y"]))
    build_model("majority", MajorityConfig(), labels).fit(data).save(tmp_path / "m")
    assert load_model(tmp_path / "m").predict_proba(["c."])[0].shape == (1, len(labels.polarities))
    meta_path = tmp_path / "m" / "model.json"
    meta = json.loads(meta_path.read_text())
    del meta["config"]["theme_threshold"]  # as if saved before that setting existed
    meta_path.write_text(json.dumps(meta))
    write_manifest(tmp_path / "m", "majority")  # an intact folder, from an older sendclf
    with pytest.raises(SendclfError, match="no 'theme_threshold' setting.*retrain it with `make train`"):
        load_model(tmp_path / "m")
