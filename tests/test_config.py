from dataclasses import dataclass, field

import pytest

from sendclf.config import added_later, from_dict, load_config
from sendclf.errors import SendclfError


@dataclass
class Demo:
    rate: float = 0.1
    steps: int = 3
    sizes: tuple[int, ...] = (1, 2)
    name: str | None = None


def test_values_are_typed_and_defaults_kept():
    config = from_dict(Demo, {"rate": 1, "sizes": [3, 4]})
    assert config == Demo(rate=1.0, steps=3, sizes=(3, 4))


@pytest.mark.parametrize("raw, message", [
    ({"rte": 0.1}, "unknown key 'rte'"),
    ({"steps": "3"}, "steps must be int"),
    ({"steps": True}, "steps must be int"),
    ({"sizes": [1, "x"]}, "sizes must be int"),
])
def test_mistakes_are_errors(raw, message):
    with pytest.raises(SendclfError, match=message):
        from_dict(Demo, raw, source="demo.yaml")


def test_bad_yaml_names_the_file(tmp_path):
    path = tmp_path / "bad.yaml"
    path.write_text("rate: [unclosed\n")
    with pytest.raises(SendclfError, match="bad.yaml: not valid YAML"):
        load_config(Demo, path)


def test_complete_configs_must_name_every_setting():
    assert from_dict(Demo, {"rate": 0.2, "steps": 1, "sizes": [1], "name": None}, complete=True).steps == 1
    with pytest.raises(SendclfError, match="model.json: no 'name' setting"):
        from_dict(Demo, {"rate": 0.2, "steps": 1, "sizes": [1]}, source="model.json", complete=True)


@pytest.mark.parametrize("name", ["tfidf", "ensemble", "evaluate"])
def test_shipped_yaml_states_exactly_the_dataclass_defaults(name):
    """Defaults live in the dataclass; the YAML documents them. Any drift between the two fails here."""
    from sendclf.evaluate import EvalConfig
    from sendclf.models.registry import read_model_config
    from sendclf.paths import CONFIGS

    if name == "evaluate":
        assert load_config(EvalConfig, CONFIGS / "evaluate.yaml") == EvalConfig()
        return
    _, config = read_model_config(CONFIGS / f"{name}.yaml")
    assert config == type(config)()


@pytest.mark.parametrize("name", ["tfidf", "transformer", "ensemble", "transformer-large", "ensemble-large",
                                  "evaluate"])
def test_config_files_name_only_what_differs_from_the_defaults(name):
    """Defaults and their reasons live in the dataclasses; a config file says only how its model differs."""
    import yaml

    from sendclf.catalog import KIND_KEY
    from sendclf.evaluate import EvalConfig
    from sendclf.models.registry import read_model_config
    from sendclf.paths import CONFIGS

    path = CONFIGS / f"{name}.yaml"
    raw = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    config = load_config(EvalConfig, path) if name == "evaluate" else read_model_config(path, name)[1]
    defaults = type(config)()
    for key in set(raw) - {KIND_KEY}:
        assert getattr(config, key) != getattr(defaults, key), f"{path}: {key} is the default"


def test_the_large_models_differ_from_the_fast_ones_only_in_their_encoder_and_distillation():
    from dataclasses import replace

    from sendclf.catalog import model_names
    from sendclf.models.registry import read_model_config
    from sendclf.paths import CONFIGS

    configs = {name: read_model_config(CONFIGS / f"{name}.yaml") for name in model_names()}
    assert configs["transformer-large"][0] == "transformer"
    # ... and in distillation: the fast one learns from the large ensemble's targets, the large one does not
    assert configs["transformer"][1].distill_targets
    assert configs["transformer-large"][1] == replace(configs["transformer"][1], encoder="all-mpnet-base-v2",
                                                      distill_targets=None)
    assert configs["ensemble-large"][1].members == ["tfidf", "transformer-large"]


def test_literal_options_are_checked_by_the_loader():
    from typing import Literal

    @dataclass
    class Choice:
        runtime: Literal["onnx-int8", "torch"] = "torch"

    assert from_dict(Choice, {"runtime": "onnx-int8"}).runtime == "onnx-int8"
    with pytest.raises(SendclfError, match="runtime must be one of onnx-int8, torch, got 'tensorrt'"):
        from_dict(Choice, {"runtime": "tensorrt"}, source="x.yaml")


@dataclass
class Grown(Demo):
    """Demo with a setting added after folders were saved: off by default, as they were trained."""

    shortcut: int = added_later(0)
    strict_new: int = field(default=5)


def test_a_setting_added_later_may_be_absent_from_a_saved_config_and_others_may_not():
    saved = {"rate": 0.2, "steps": 1, "sizes": [1], "name": None, "strict_new": 5}
    assert from_dict(Grown, saved, source="model.json", complete=True).shortcut == 0
    assert from_dict(Grown, {**saved, "shortcut": 7}, complete=True).shortcut == 7
    del saved["strict_new"]
    with pytest.raises(SendclfError, match="model.json: no 'strict_new' setting"):
        from_dict(Grown, saved, source="model.json", complete=True)
