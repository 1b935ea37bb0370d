from test_render import run  # noqa: F401  (the fixture)

from sendclf.compare import Comparison, ReferenceRow
from sendclf.evaluate import EvalConfig
from sendclf.metrics import HEADLINE, Figure
from sendclf.style import stylesheet


def test_one_stylesheet_styles_both_pages(run):  # noqa: F811
    from sendclf.render import to_html
    from sendclf.report import index_html

    headline = {key: Figure(0.5, (0.4, 0.6)) for key in HEADLINE}
    evaluation = EvalConfig(confidence=0.95, bootstrap_samples=10)
    comparison = Comparison(models=[], reference=ReferenceRow("majority class", headline),
                            metrics=list(HEADLINE), evaluation=evaluation, differences=[], theme_support={},
                            theme_f1={}, warnings=[])
    for page in (to_html(run), index_html(comparison, {}, None, "now")):
        assert f"<style>\n{stylesheet()}</style>" in page


def test_each_pages_generic_rules_are_scoped_to_that_page():
    """The classify page's tables sit in <main>, the report's directly in <body>: an unscoped `table` or
    `th, td` rule would restyle the other page."""
    rules = [line.split("{")[0].strip() for line in stylesheet().splitlines() if "{" in line]
    for selector in ("table", "th, td", "th", "body > table", "*"):
        assert (selector in rules) == (selector == "body > table"), selector
    assert "main table" in rules and "body:not(:has(> main))" in rules
