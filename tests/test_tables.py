from rich.console import Console

from sendclf.metrics import ClassFigures, Figure
from sendclf.tables import Table, headline_table, per_class_table, to_html, to_markdown, to_rich, with_ci

HEADLINE = {key: Figure(value, (value - 0.1, value + 0.05)) for key, value in
            [("polarity_accuracy", 0.8), ("polarity_macro_f1", 0.75), ("theme_micro_f1", 0.6),
             ("theme_macro_f1", 0.5), ("main_theme_hit", 0.7)]}
REFERENCE = {key: Figure(0.25, (0.2, 0.3)) for key in HEADLINE}
COLUMNS = [("tfidf", HEADLINE), ("majority class", REFERENCE)]


def shown(rich_table, width: int = 120, terminal: bool = True) -> str:
    console = Console(width=width, record=True, file=open("/dev/null", "w"), force_terminal=terminal)  # noqa: SIM115
    console.print(rich_table)
    return console.export_text(styles=False)


def test_headline_rows_are_metrics_and_columns_are_models():
    table = headline_table(COLUMNS)
    assert table.header == ["metric", "tfidf", "majority class"]
    assert table.rows[0] == ("polarity accuracy", "0.800 [0.70, 0.85]", "0.250 [0.20, 0.30]")
    assert [row[0] for row in table.rows][-1] == "main-theme hit rate"
    assert with_ci(HEADLINE["theme_macro_f1"], "\n") == "0.500\n[0.40, 0.55]"


def test_transposed_has_a_row_per_model():
    table = headline_table(COLUMNS).transposed("model")
    assert table.header == ["model", "polarity accuracy", "polarity macro-F1", "theme micro-F1",
                            "theme macro-F1", "main-theme hit rate"]
    assert [row[0] for row in table.rows] == ["tfidf", "majority class"]
    assert table.rows[1][1] == "0.250 [0.20, 0.30]"
    assert table.transposed("metric").rows == headline_table(COLUMNS).rows


def test_markdown():
    text = to_markdown(per_class_table({"weakness": ClassFigures(0.5, 0.25, 1 / 3, 4)}, "polarity"))
    assert text == ("| polarity | precision | recall | F1 | support |\n|---|---|---|---|---|\n"
                    "| weakness | 0.50 | 0.25 | 0.33 | 4 |")


def test_html_escapes_and_marks_rows():
    table = Table(["model", "F1"], [("<b>", "0.5"), ("plain", "0.6")], marked=[False, True])
    assert to_html(table) == ('<table><thead><tr><th>model</th><th>F1</th></tr></thead><tbody>'
                              '<tr><td>&lt;b&gt;</td><td>0.5</td></tr>'
                              '<tr class="significant"><td>plain</td><td>0.6</td></tr></tbody></table>')


def test_rich_shows_markup_as_text_and_wraps_only_where_allowed():
    table = Table(["model", "figure"], [("[bold]x[/bold]", "0.800 [0.70, 0.85]")], title="[red]title")
    text = shown(to_rich(table))
    assert "[bold]x[/bold]" in text and "[red]title" in text and "0.800 [0.70, 0.85]" in text
    narrow = Table(["metric", "value"], [("polarity accuracy", "0.800 [0.70, 0.85]")])
    assert "polarity accuracy" in shown(to_rich(narrow, no_wrap=(0,)), width=30)
    assert "polarity accuracy" not in shown(to_rich(narrow, no_wrap=()), width=24)


def test_rich_off_a_terminal_never_cuts_a_header_or_a_cell():
    """Written to a file or a pipe (no terminal), a table too wide for the console is printed whole."""
    themes = ["health_access", "ehc_plans", "local_offer", "joint_working", "identification", "coproduction"]
    table = Table(["model", *themes], [("tfidf", *("0.800 [0.70, 0.85]" for _ in themes))])
    on_screen = shown(to_rich(table, no_wrap=range(7)), width=60)
    assert "…" in on_screen  # a terminal still fits the screen
    in_file = shown(to_rich(table, no_wrap=range(7)), width=60, terminal=False)
    assert "…" not in in_file
    for theme in themes:
        assert theme in in_file
    assert in_file.count("0.800 [0.70, 0.85]") == len(themes)
    narrow = Table(["metric", "value"], [("polarity accuracy", "0.800")])
    assert max(map(len, shown(to_rich(narrow), width=120, terminal=False).splitlines())) < 40  # no padding
