import pytest
from test_compare import FAST, build_models
from typer.testing import CliRunner

from sendclf import compare as comparing
from sendclf import report as lib
from sendclf.cli import app
from sendclf.results import OutOfFoldRecord

runner = CliRunner()
PNG_MAGIC = b"\x89PNG"


@pytest.fixture(scope="module")
def two_models(tmp_path_factory):
    return build_models(tmp_path_factory.mktemp("report"))


def test_report_writes_every_file(two_models, tmp_path):
    out = tmp_path / "reports"
    (out).mkdir()
    (out / "confusion-gone.png").write_bytes(PNG_MAGIC)
    written = lib.build_report(comparing.load_models(two_models), FAST, out)
    names = {p.name for p in written}
    assert names == {"comparison.md", "confusion-sharp.png", "confusion-blunt.png", "theme-f1.png",
                     "reliability.png", "polarity-reliability.png", "index.html"}
    for path in written:
        assert path.stat().st_size > 0
    for png in out.glob("*.png"):
        assert png.read_bytes().startswith(PNG_MAGIC)
    assert not (out / "confusion-gone.png").exists(), "a figure of a model no longer compared is left"
    assert not [p for p in out.iterdir() if p.name.startswith(".")]
    page = (out / "index.html").read_text()
    for name in names - {"index.html", "comparison.md"}:
        assert f'src="{name}"' in page
    assert "blunt − sharp" in page and "majority class" in page
    assert "| sharp |" in (out / "comparison.md").read_text()


def record(**fields) -> OutOfFoldRecord:
    base = {"id": "x", "area": "north", "gold_polarity": "weakness", "gold_themes": ["a"],
            "gold_main_theme": "a", "polarity": "weakness", "polarity_scores": [1.0, 0.0, 0.0],
            "themes": ["a"], "theme_scores": [1.0, 0.0]}
    return OutOfFoldRecord(**(base | fields))


def test_reliability_bins_and_calibration_error():
    records = [record(theme_scores=[0.95, 0.05], gold_themes=["a"]),
               record(theme_scores=[0.95, 0.05], gold_themes=["b"])]
    curve = lib.reliability(records, ["a", "b"], bins=10)
    assert sum(curve["counts"]) == curve["n"] == 4
    assert curve["mean_probability"] == pytest.approx([0.05, 0.95])
    assert curve["gold_rate"] == pytest.approx([0.5, 0.5])
    assert curve["ece"] == pytest.approx(0.45)


def test_report_command(two_models, tmp_path):
    result = runner.invoke(app, ["report", "--out", str(tmp_path), *map(str, two_models)])
    assert result.exit_code == 0, result.output
    assert "index.html" in result.output
    assert (tmp_path / "index.html").stat().st_size > 0


def test_polarity_reliability_before_and_after_calibration(labels):
    from sendclf.report import polarity_reliability

    records = [record(gold_polarity=gold, polarity_scores=[0.99, 0.005, 0.005],
                      calibrated_polarity_scores=[0.6, 0.2, 0.2]) for gold in ("weakness", "strength")]
    before = polarity_reliability(records, labels.polarity_ids, calibrated=False)
    after = polarity_reliability(records, labels.polarity_ids, calibrated=True)
    assert before["ece"] == pytest.approx(0.49) and after["ece"] == pytest.approx(0.1)
    assert polarity_reliability([record()], labels.polarity_ids, calibrated=True) is None
