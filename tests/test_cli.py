from typer.testing import CliRunner

from sendclf.cli import app

runner = CliRunner()


def test_data_prints_counts(tiny_seeds):
    result = runner.invoke(app, ["data", "--seeds", str(tiny_seeds[0])])
    assert result.exit_code == 0, result.output
    assert "3 labelled seed sentences in 2 articles" in result.output
    assert "health_access" in result.output


def test_data_on_real_seeds():
    result = runner.invoke(app, ["data"])
    assert result.exit_code == 0, result.output
    assert "120 labelled seed sentences in 5 articles" in result.output
    from sendclf.paths import SEEDS

    written = sum(1 for f in (SEEDS / "written").glob("*.jsonl")
                  for line in f.read_text().splitlines() if line)
    assert f"{written} training-only" in result.output


def test_data_error_is_one_line(tiny_seeds):
    seeds = tiny_seeds[0]
    (seeds / "labels.jsonl").write_text("")
    result = runner.invoke(app, ["data", "--seeds", str(seeds)])
    assert result.exit_code == 1
    assert "has no label" in result.output
    assert "Traceback" not in result.output


def test_error_text_with_markup_characters_is_printed_verbatim(tmp_path):
    missing = tmp_path / "[/bold]x"
    result = runner.invoke(app, ["data", "--seeds", str(missing)])
    assert result.exit_code == 1
    assert "[/bold]x" in result.output and "Traceback" not in result.output


def test_train_several_models_into_another_folder(tmp_path, trainable_seeds):
    result = runner.invoke(app, ["train", "tfidf", "tfidf", "--seeds", str(trainable_seeds), "-q",
                                 "--models-dir", str(tmp_path / "m")])
    assert result.exit_code == 0, result.output
    assert (tmp_path / "m" / "tfidf" / "model.json").is_file()
    assert not (tmp_path / "tfidf").exists()


def test_train_refuses_one_out_folder_for_several_models(tmp_path):
    result = runner.invoke(app, ["train", "tfidf", "transformer", "--out", str(tmp_path / "x")])
    assert result.exit_code == 1 and "one model at a time" in result.output


def test_train_an_unknown_model_names_the_known_ones():
    result = runner.invoke(app, ["train", "bert"])
    assert result.exit_code == 1
    assert "unknown model 'bert'" in result.output and "transformer-large" in result.output
