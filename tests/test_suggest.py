"""What to label next: uncertain, diverse sentences, and labelled lines taken into seeds/labelled/."""

import json

import numpy as np
import pytest
from tiny_model import train_tiny_model
from typer.testing import CliRunner

from sendclf.cli import app
from sendclf.data import add_labelled, read_written
from sendclf.errors import SendclfError
from sendclf.suggest import rank, uncertainty

runner = CliRunner()


def test_uncertainty_is_high_for_spread_scores_and_borderline_themes():
    polarity = np.array([[0.98, 0.01, 0.01], [0.34, 0.33, 0.33]])
    themes = np.array([[0.99, 0.01], [0.99, 0.01]])
    sure, unsure = uncertainty(polarity, themes, np.array([0.5, 0.5]))
    assert unsure > sure
    borderline = uncertainty(polarity[:1], np.array([[0.51, 0.01]]), np.array([0.5, 0.5]))[0]
    assert borderline > sure


def test_rank_prefers_uncertain_sentences_but_never_near_duplicates():
    vectors = np.array([[1.0, 0.0], [0.999, 0.01], [0.0, 1.0], [0.7, 0.7]])
    scores = np.array([0.9, 0.89, 0.5, 0.3])
    picks = rank(scores, vectors, n=3)
    assert picks[0] == 0 and 1 not in picks  # sentence 1 is a near-duplicate of sentence 0
    assert picks[1] == 2
    assert rank(scores, vectors, n=10) == picks  # nothing else is left to suggest


def test_suggest_then_add_the_labelled_lines(tmp_path, labels, tiny_seeds):
    model = train_tiny_model(tmp_path / "model", labels)
    pool = tmp_path / "pool.txt"
    pool.write_text("Children wait two years for speech therapy.\nThe plan was published in May.\n"
                    "Outcomes in the early years are strong.\nChildren wait two years for speech therapy.\n")
    result = runner.invoke(app, ["suggest", str(pool), "--n", "5", "--model", str(model)])
    assert result.exit_code == 0, result.output
    records = [json.loads(line) for line in result.stdout.splitlines()]
    assert len(records) == 3  # the repeated sentence is suggested once
    assert all(r["labelled"] is False and r["polarity"] in labels.polarity_ids for r in records)
    scores = [r["uncertainty"] for r in records]
    assert scores[0] == max(scores)

    records[0].update(labelled=True, polarity="weakness", themes=["health_access"])
    suggestions = tmp_path / "to_label.jsonl"
    suggestions.write_text("".join(json.dumps(r) + "\n" for r in records))
    seeds = tiny_seeds[0]
    assert add_labelled(suggestions, labels, seeds, "Somewhere", "news")[:2] == (1, 2)
    assert add_labelled(suggestions, labels, seeds, "Somewhere", "news")[:2] == (0, 3)  # already there
    ((area, record),) = read_written(labels, seeds)
    assert area == "Somewhere" and record.themes == ("health_access",)

    records[1].update(labelled=True, themes=["other", "inclusion"])
    suggestions.write_text("".join(json.dumps(r) + "\n" for r in records))
    with pytest.raises(SendclfError, match="must stand alone"):
        add_labelled(suggestions, labels, seeds, "Somewhere", "news")
    result = runner.invoke(app, ["data", "--seeds", str(seeds), "--add", str(suggestions)])
    assert result.exit_code == 1 and "must stand alone" in result.output and "Traceback" not in result.output


def test_suggest_proposes_sentences_not_letter_furniture(tmp_path, labels):
    model = train_tiny_model(tmp_path / "model", labels)
    sentences = ["Children wait two years for speech therapy.", "Outcomes in the early years are strong.",
                 "The plan was published in May."]
    furniture = ["Gillan House, 12 Orchard Way", "Wexcombe WX3 7PL", "T 0300 555 0199", "Dear Ms Okonjo",
                 "Dr Ana Sousa, Chief Nurse", "Yours sincerely", "Leo Marsh, CQC lead inspector"]
    pool = tmp_path / "letter.txt"
    pool.write_text("\n".join(furniture[:5] + sentences + furniture[5:]) + "\n")
    result = runner.invoke(app, ["suggest", str(pool), "--n", "20", "--model", str(model)])
    assert result.exit_code == 0, result.output
    assert sorted(json.loads(line)["text"] for line in result.stdout.splitlines()) == sorted(sentences)
    pool.write_text("\n".join(furniture) + "\n")
    result = runner.invoke(app, ["suggest", str(pool), "--model", str(model)])
    assert result.exit_code == 1 and "every line is letter furniture" in result.output


def test_bad_suggest_input_is_one_line(tmp_path, labels):
    model = train_tiny_model(tmp_path / "model", labels)
    result = runner.invoke(app, ["suggest", str(tmp_path / "missing.txt"), "--model", str(model)])
    assert result.exit_code == 1 and "no such file" in result.output
    (tmp_path / "a.txt").write_text("Waits are long.\n")
    result = runner.invoke(app, ["suggest", str(tmp_path / "a.txt"), "--n", "0", "--model", str(model)])
    assert result.exit_code == 1 and "--n must be at least 1" in result.output
