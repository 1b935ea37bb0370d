import pytest
from test_compare import FAST
from typer.testing import CliRunner

from sendclf import compare as comparing
from sendclf import comparison_tables, trained
from sendclf import report as lib
from sendclf.cli import app
from sendclf.results import OutOfFoldRecord

runner = CliRunner()
PNG_MAGIC = b"\x89PNG"


def test_report_writes_every_file(trained_models, tmp_path):
    out = tmp_path / "reports"
    (out).mkdir()
    (out / "confusion-gone.png").write_bytes(PNG_MAGIC)
    written = lib.build_report(trained.records(trained_models), FAST, out)
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


def test_report_command(trained_models, tmp_path):
    result = runner.invoke(app, ["report", "--out", str(tmp_path), *map(str, trained_models)])
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


# ---- the opening sentences, and yes/no beside an interval as printed -----------------------------------

from sendclf.compare import Comparison, Difference, ModelRow, PairedFigure, ReferenceRow  # noqa: E402
from sendclf.evaluate import EvalConfig  # noqa: E402
from sendclf.metrics import HEADLINE, Figure  # noqa: E402
from sendclf.results import Seconds  # noqa: E402


def figures(polarity_f1: float, theme_f1: float, width: float = 0.1) -> dict[str, Figure]:
    values = dict.fromkeys(HEADLINE, 0.7) | {"polarity_macro_f1": polarity_f1, "theme_micro_f1": theme_f1}
    return {key: Figure(v, (v - width / 2, v + width / 2)) for key, v in values.items()}


def paired(low: float, high: float) -> dict[str, PairedFigure]:
    return {key: PairedFigure((low + high) / 2, [low, high], low > 0 or high < 0) for key in HEADLINE}


def comparison_of(rows: list[ModelRow], differences=(), dev_differences=()) -> Comparison:
    return Comparison(models=rows, reference=ReferenceRow("majority class", figures(0.2, 0.1)),
                      metrics=list(HEADLINE), evaluation=EvalConfig(confidence=0.95, bootstrap_samples=10),
                      differences=list(differences), theme_support={"ehc_plans": 40, "workforce": 3,
                                                                    "health_access": 20},
                      theme_f1={row.name: {"ehc_plans": 0.8, "workforce": 0.1, "health_access": 0.4}
                                for row in rows}, warnings=[], dev_differences=list(dev_differences))


def row(name: str, cv: dict, dev: dict | None = None) -> ModelRow:
    return ModelRow(name, "tfidf", 120, cv, Seconds(1.0, 1.0), dev, 60 if dev else None)


@pytest.mark.parametrize(("low", "high", "printed", "excludes"), [
    (0.0004, 0.18, "[0.000, +0.180]", "no"),  # rounds to a bound of 0: not shown to exclude it
    (0.0012, 0.17, "[+0.001, +0.170]", "yes"),
    (-0.2, -0.0004, "[-0.200, 0.000]", "no"),
    (-0.2, -0.0006, "[-0.200, -0.001]", "yes"),
    (-0.1, 0.1, "[-0.100, +0.100]", "no"),
])
def test_ci_excludes_0_agrees_with_the_interval_as_printed(low, high, printed, excludes):
    comparison = comparison_of([row("a", figures(0.5, 0.5)), row("b", figures(0.6, 0.6))],
                               [Difference("a", "b", 120, paired(low, high))])
    table = comparison_tables.pair_table(comparison, comparison.differences[0])
    for _, _, interval, verdict in table.rows:
        assert (interval, verdict) == (printed, excludes)
    assert table.marked == [excludes == "yes"] * len(HEADLINE)
    for cells in comparison_tables.difference_table(comparison).rows:
        assert cells[2].endswith(printed) and cells[3] == excludes


def test_every_printed_interval_agrees_with_its_yes_or_no(trained_models):
    comparison = comparing.compare(trained.records(trained_models), FAST)
    for diff in comparison.differences:
        for _, _, interval, verdict in comparison_tables.pair_table(comparison, diff).rows:
            low, high = (float(x) for x in interval.strip("[]").split(", "))
            assert (verdict == "yes") == (low > 0 or high < 0), interval


def test_lead_picks_the_best_model_by_the_dev_set_where_every_model_has_one():
    cv_best = row("small", figures(0.8, 0.8), dev=figures(0.5, 0.5, width=0.2))
    dev_best = row("large", figures(0.6, 0.6), dev=figures(0.7, 0.6, width=0.3))
    lead = " ".join(lib.lead_sentences(comparison_of([cv_best, dev_best]), theme_names={
        "health_access": "Access to health and therapy services"}))
    assert lead.startswith("Use large: of the 2 models it has the best polarity macro-F1 and theme "
                           "micro-F1 on the written dev set (60 sentences")
    assert "0.70 and 0.60" in lead
    assert "about 0.30 wide" in lead  # the dev intervals of the chosen model
    assert "Access to health and therapy services (0.40, 20 sentences)" in lead
    assert "workforce" not in lead  # three gold sentences: too few to name
    without_dev = row("large", figures(0.6, 0.6))
    assert " ".join(lib.lead_sentences(comparison_of([cv_best, without_dev]))).startswith(
        "Use small: of the 2 models it has the best polarity macro-F1 and theme micro-F1 on "
        "leave-one-area-out")


@pytest.mark.parametrize(("low", "high", "verdict"), [
    (0.02, 0.2, "reliably better in polarity macro-F1 and theme micro-F1"),
    (0.0004, 0.2, "not reliably different"),  # printed [0.000, +0.200]
])
def test_lead_says_whether_the_choice_is_reliably_better_as_printed(low, high, verdict):
    rows = [row("a", figures(0.5, 0.5)), row("b", figures(0.7, 0.7))]
    lead = lib.lead_sentences(comparison_of(rows, [Difference("a", "b", 120, paired(low, high))]))
    assert lead[0].startswith("Use b:") and "Against a, the paired differences are" in lead[0]
    assert verdict in lead[0]


def test_report_page_opens_with_the_lead(trained_models, tmp_path):
    lib.build_report(trained.records(trained_models), FAST, tmp_path)
    page = (tmp_path / "index.html").read_text()
    lead = page[page.index("<div class=lead>"):page.index("</div>", page.index("<div class=lead>"))]
    assert page.index("<div class=lead>") < page.index("<h2>")
    assert "<p>Use " in lead and "How sure we are" in lead and "What it gets wrong" in lead
    assert "polarity mistake" in lead
    assert "Use " in (tmp_path / "comparison.md").read_text().split("## ")[0]
