import csv
import io
import json
import re
from pathlib import Path

import pytest

from sendclf.errors import SendclfError
from sendclf.inputs import Document
from sendclf.labelled import UNSURE_BELOW, LabelledDocument, Row, Run, summarise
from sendclf.render import (
    FORMATS,
    render,
    resolve_format,
    to_csv,
    to_html,
    to_json,
    to_jsonl,
    to_parquet,
    to_table,
)
from sendclf.sentences import Sentence
from sendclf.style import stylesheet

RECORD_KEYS = ["id", "source", "text", "polarity", "polarity_scores", "unsure", "themes", "theme_scores"]
ANSI = re.compile(r"\x1b\[")
LONG = ("Inspectors found that children and young people experienced unacceptable delays and unequal access "
        "in having their identified health needs assessed, reviewed and met across the whole local area.")


def row(labels, text, polarity, themes, polarity_scores=None, evidence=None) -> Row:
    polarity_scores = polarity_scores or {p: (0.8 if p == polarity else 0.1) for p in labels.polarity_ids}
    theme_scores = {t: (0.7 if t in themes else 0.05) for t in labels.theme_ids}
    unsure = polarity_scores[polarity] < UNSURE_BELOW
    return Row(text, polarity, polarity_scores, themes, theme_scores, unsure, evidence)


def document(labels, source, kind, labelled) -> LabelledDocument:
    """(id, paragraph, row) -> a labelled document of those sentences."""
    sentences = [Sentence(sid, i, r.text, paragraph) for i, (sid, paragraph, r) in enumerate(labelled)]
    rows = [r for _, _, r in labelled]
    return LabelledDocument(Document(source, kind, sentences, source), rows, summarise(rows, labels))


@pytest.fixture
def run(labels):
    article = [("kent.txt:0", 0, row(labels, LONG, "weakness", ["health_access", "joint_working"])),
               ("kent.txt:1", 0, row(labels, "Children achieve well <b>& feel safe</b>.", "strength",
                                     ["outcomes"])),
               ("kent.txt:2", 1, row(labels, 'Ofsted visited in "March".', "neutral", ["other"]))]
    records = [("q-1", 0, row(labels, "Plans are late.", "weakness", ["ehc_plans"],
                               {"weakness": 0.5, "strength": 0.1, "neutral": 0.4}))]  # unsure
    return Run("tiny", "tfidf", labels, {t: 0.5 for t in labels.theme_ids}, [
        document(labels, "kent.txt", "article", article), document(labels, "s.jsonl", "sentences", records)])


def test_jsonl_is_one_object_per_sentence_with_the_schema(run, labels):
    lines = to_jsonl(run).splitlines()
    assert len(lines) == 4
    for line in lines:
        record = json.loads(line)
        assert list(record) == RECORD_KEYS
        assert list(record["polarity_scores"]) == labels.polarity_ids
        assert list(record["theme_scores"]) == labels.theme_ids
        assert all(isinstance(v, float) for v in record["theme_scores"].values())
        assert isinstance(record["themes"], list)
    assert json.loads(lines[3])["id"] == "q-1"


def test_csv_is_one_row_per_sentence(run, labels):
    rows = list(csv.DictReader(io.StringIO(to_csv(run))))
    assert len(rows) == 4
    assert rows[0]["themes"] == "health_access;joint_working" and rows[0]["text"] == LONG
    assert rows[2]["text"] == 'Ofsted visited in "March".'
    assert float(rows[0]["polarity:weakness"]) == 0.8
    assert {f"theme:{t}" for t in labels.theme_ids} <= set(rows[0])


def test_json_has_sentences_and_a_summary_per_document(run):
    data = json.loads(to_json(run))
    assert data["model"] == "tiny" and len(data["thresholds"]) == 12
    kent, jsonl = data["documents"]
    assert [list(s) for s in kent["sentences"]] == [RECORD_KEYS] * 3
    assert kent["summary"]["polarity"] == {"weakness": 1, "strength": 1, "neutral": 1}
    # a tie in weakness and strength keeps the label order
    assert kent["summary"]["themes"][0] == {"theme": "joint_working", "weakness": 1, "strength": 0}
    assert jsonl["kind"] == "sentences"


def test_table_wraps_long_text_and_ends_with_the_summary(run):
    width = 90
    text = to_table(run, width=width)
    assert not ANSI.search(text)
    assert all(len(line) <= width for line in text.splitlines())
    assert "unacceptable delays" in text and "whole local area." in text
    assert "Summary of kent.txt: 3 sentences, 1 weakness, 1 strength, 1 neutral" in text
    assert "Access to health and therapy services (health_access)" in text
    assert "q-1" in text  # JSONL sentences keep their id
    assert text.index("Summary of kent.txt") < text.index("s.jsonl")


def test_table_in_colour_on_a_terminal(run):
    assert ANSI.search(to_table(run, color=True))


def test_html_is_self_contained_and_escaped(run):
    page = to_html(run)
    assert page.startswith("<!doctype html>") and "<style>" in page
    assert not re.search(r"""src\s*=|href\s*=\s*"[^#]|<link|@import|url\(""", page)  # only in-page links
    assert "<b>&amp; feel safe</b>" not in page and "&lt;b&gt;&amp; feel safe&lt;/b&gt;" in page
    assert 'class="sent weakness"' in page and 'class="sent strength"' in page
    assert page.count('<section class="doc"') == 2


def test_html_keeps_paragraphs(run):
    first_doc = to_html(run).split('<section class="doc"')[1]
    assert first_doc.count('<div class="para">') == 2


def test_render_dispatches_every_format(run):
    for fmt in FORMATS:
        assert render(run, fmt)


@pytest.mark.parametrize(("fmt", "output", "expected"), [
    (None, None, "table"), ("JSONL", None, "jsonl"), (None, "out.csv", "csv"), (None, "out.htm", "html"),
    (None, "out.json", "json"), (None, "out.txt", "table"), ("csv", "out.json", "csv"),
])
def test_resolve_format(fmt, output, expected):
    assert resolve_format(fmt, Path(output) if output else None) == expected


def test_unknown_format_is_an_error():
    with pytest.raises(SendclfError, match="unknown format 'xml'.*table, jsonl, csv, json, html"):
        resolve_format("xml")


def test_overview_counts_findings_per_document_and_theme_most_weakness_first(run):
    overview = run.overview()
    assert overview.row_kind == "document" and overview.rows == ["kent.txt", "s.jsonl"]
    assert set(overview.themes[:3]) == {"joint_working", "ehc_plans", "health_access"}  # 1 weakness each
    assert overview.themes[3] == "outcomes"  # no weakness, one strength
    assert overview.counts["kent.txt"]["health_access"] == {"weakness": 1, "strength": 0}
    assert overview.counts["kent.txt"]["outcomes"] == {"weakness": 0, "strength": 1}
    assert overview.counts["s.jsonl"]["ehc_plans"] == {"weakness": 1, "strength": 0}
    assert "other" not in overview.themes  # the neutral sentence is no finding


def test_overview_groups_documents_by_the_area_a_manifest_names(run, tmp_path):
    for doc in run.documents:
        doc.document.area = "Kent"
    overview = run.overview()
    assert overview.row_kind == "area" and overview.rows == ["Kent"]
    assert overview.documents == {"Kent": [0, 1]}
    assert overview.counts["Kent"]["health_access"]["weakness"] == 1
    assert overview.counts["Kent"]["ehc_plans"]["weakness"] == 1


def test_summary_formats(run):
    rows = list(csv.reader(io.StringIO(render(run, "csv", summary=True))))
    assert rows[0][0] == "document" and "health_access:weakness" in rows[0]
    assert [r[0] for r in rows[1:]] == ["kent.txt", "s.jsonl"]
    assert json.loads(render(run, "json", summary=True))["rows"] == "document"
    assert "Findings across 2 documents" in render(run, "table", summary=True)
    assert "Findings across 2 documents" in to_table(run)  # after the documents, in the full table too
    with pytest.raises(SendclfError, match="--summary works with"):
        render(run, "jsonl", summary=True)


def test_html_has_a_heatmap_linking_into_each_document(run):
    page = to_html(run)
    assert page.index('class="heatmap"') < page.index('id="doc-0"') < page.index('id="doc-1"')
    assert 'href="#doc-0"' in page and 'href="#doc-1"' in page


# ---- the HTML page for readers: nothing hover-only, names not ids, unsure marked, printable -------------


def details_of(page: str, anchor: str) -> str:
    start = page.rindex("<details ", 0, page.index(f'id="{anchor}"'))
    return page[start:page.index("</details>", start)]


def test_html_scores_and_evidence_are_in_a_details_row_per_sentence_not_in_tooltips(run, labels):
    first = run.documents[0].rows[0]
    run.documents[0].rows[0] = row(labels, first.text, first.polarity, first.themes, evidence={
        "nearest": [{"id": "x-1", "text": "Waits for therapy are long.", "polarity": "weakness",
                     "themes": ["health_access"], "similarity": 0.61}],
        "ngrams": [{"ngram": "delays", "weight": 0.42}]})
    page = to_html(run)
    assert page.count("<details ") == run.n_sentences == 4
    assert " title=" not in page.split("<body>")[1]  # no tooltip anywhere: touch screens and paper lose them
    summary, opened = details_of(page, "doc-0-0").split("</summary>")
    assert "weakness 0.80" in summary and "Access to health and therapy services" in summary  # names
    assert ">health_access<" not in page
    for polarity in labels.polarity_ids:  # every polarity score, by name
        assert polarity.capitalize() in opened
    assert "Joint working and commissioning" in opened and "0.70" in opened and "0.05" in opened
    assert "Waits for therapy are long." in opened and "0.61" in opened and "delays" in opened


def test_html_marks_unsure_labels(run, labels):
    shaky = row(labels, run.documents[0].rows[1].text, "strength", ["outcomes"],
                {"weakness": 0.3, "strength": 0.45, "neutral": 0.25})
    run.documents[0].rows[1] = shaky
    assert UNSURE_BELOW == 0.6 and shaky.unsure and not run.documents[0].rows[0].unsure
    page = to_html(run)
    assert 'class="sent strength unsure"' in details_of(page, "doc-0-1")
    assert 'class="unsure-mark">unsure<' in details_of(page, "doc-0-1")
    assert "unsure" not in details_of(page, "doc-0-0")
    assert "2 marked unsure" in page and "under 0.60" in page  # this one and the fixture's q-1


def test_html_names_themes_in_the_heatmap_and_titles_documents(run):
    run.documents[0].document.title = "Kent SEND services criticised"
    page = to_html(run)
    heatmap = page[page.index('class="heatmap"'):page.index("</table>", page.index('class="heatmap"'))]
    assert "Joint working and commissioning" in heatmap and "joint_working" not in heatmap
    assert '<a href="#doc-0">Kent SEND services criticised</a>' in heatmap
    assert "<h2>Kent SEND services criticised</h2>" in page and "<h2>s.jsonl</h2>" in page
    assert page.count("tiny") == 1 and "Model tiny (a tfidf model)" in page  # one model name
    run.model = "tfidf"
    assert "Model tfidf ·" in to_html(run)


def test_html_prints_with_every_row_open():
    css = stylesheet()
    printing = css[css.index("@media print"):]
    assert "details-content" in printing and "break-inside: avoid" in printing
    assert 'addEventListener("beforeprint"' in to_html_page_script()


def to_html_page_script() -> str:
    from sendclf.render import PAGE_SCRIPT

    return PAGE_SCRIPT


# ---- parquet ---------------------------------------------------------------------------------------


def test_parquet_has_the_csv_columns_and_rows(run):
    import pyarrow.parquet as pq

    table = pq.read_table(io.BytesIO(to_parquet(run)))
    rows = list(csv.DictReader(io.StringIO(to_csv(run))))
    assert table.column_names == list(rows[0])
    assert table.num_rows == len(rows) == 4
    assert table.column("text").to_pylist() == [r["text"] for r in rows]
    assert table.column("themes").to_pylist()[0] == "health_access;joint_working"
    assert table.schema.field("polarity:weakness").type == "double"
    assert table.schema.field("unsure").type == "bool"
    assert table.column("polarity:weakness").to_pylist() == [float(r["polarity:weakness"]) for r in rows]
    assert isinstance(render(run, "parquet"), bytes) and resolve_format(None, Path("x.parquet")) == "parquet"


# ---- terminal tables: whole names off a terminal ------------------------------------------------------


def test_overview_table_off_a_terminal_shows_every_theme_id_whole(run, labels):
    text = render(run, "table", width=60, summary=True)
    assert "…" not in text
    for theme in run.overview().themes:
        assert theme in text
    assert "…" not in to_table(run, width=60)


def test_every_format_says_which_labels_are_unsure(run, tmp_path):
    """The same rule as the HTML page's mark: the top polarity score is under UNSURE_BELOW."""
    import pyarrow.parquet as pq

    from sendclf.render import UNSURE_MARK, render, to_parquet

    expected = [False, False, False, True]
    assert [json.loads(line)["unsure"] for line in to_jsonl(run).splitlines()] == expected
    assert [r["unsure"] == "True" for r in csv.DictReader(io.StringIO(to_csv(run)))] == expected
    assert [s["unsure"] for d in json.loads(to_json(run))["documents"] for s in d["sentences"]] == expected
    (tmp_path / "x.parquet").write_bytes(to_parquet(run))
    assert pq.read_table(tmp_path / "x.parquet").column("unsure").to_pylist() == expected
    table = render(run, "table", width=200, color=False)
    assert table.count(UNSURE_MARK) == 1 and UNSURE_MARK in next(line for line in table.splitlines()
                                                                 if "Plans are late." in line)


# ---- the overview compares documents of any length: shares of each one's sentences, counts beside ------


@pytest.fixture
def long_and_short(labels):
    """A 10-sentence letter with 3 weaknesses on plans, a 2-sentence article with 1 on the local offer."""
    letter = [(f"l:{i}", 0, row(labels, f"Plans are late, case {i}.", "weakness", ["ehc_plans"]))
              for i in range(3)]
    letter += [(f"l:{i}", 0, row(labels, f"Visit {i}.", "neutral", ["other"])) for i in range(3, 10)]
    article = [("a:0", 0, row(labels, "Nobody finds the local offer.", "weakness", ["local_offer"])),
               ("a:1", 0, row(labels, "Parents praise the local offer.", "strength", ["local_offer"]))]
    return Run("tiny", "tfidf", labels, {t: 0.5 for t in labels.theme_ids}, [
        document(labels, "letter.txt", "article", letter), document(labels, "news.txt", "article", article)])


def test_overview_shares_are_of_each_documents_own_sentences(long_and_short):
    overview = long_and_short.overview()
    assert overview.sentences == {"letter.txt": 10, "news.txt": 2}
    assert overview.share("letter.txt", "ehc_plans", "weakness") == pytest.approx(0.3)
    assert overview.share("news.txt", "local_offer", "weakness") == pytest.approx(0.5)
    assert overview.themes == ["local_offer", "ehc_plans"]  # by share (0.5 > 0.3), not by count (1 < 3)


def test_every_overview_format_gives_shares_and_counts(long_and_short):
    data = json.loads(render(long_and_short, "json", summary=True))
    assert data["sentences"] == {"letter.txt": 10, "news.txt": 2}
    assert data["counts"]["letter.txt"]["ehc_plans"] == {"weakness": 3, "strength": 0}
    assert data["shares"]["news.txt"]["local_offer"] == {"weakness": 0.5, "strength": 0.5}
    rows = list(csv.DictReader(io.StringIO(render(long_and_short, "csv", summary=True))))
    assert rows[0]["sentences"] == "10" and rows[0]["ehc_plans:weakness"] == "3"
    assert float(rows[0]["ehc_plans:weakness_share"]) == pytest.approx(0.3)
    table = render(long_and_short, "table", summary=True)
    letter = next(line for line in table.splitlines() if "letter.txt" in line)
    assert "10" in letter and "weakness" in letter and "30% (3)" in letter
    assert table.count("50% (1)") == 2  # the article's weakness line and its strength line


def test_html_heatmap_colours_by_share_and_writes_share_and_count(long_and_short):
    page = to_html(long_and_short)
    heatmap = page[page.index('class="heatmap"'):page.index("</table>", page.index('class="heatmap"'))]
    assert "<sup>" not in heatmap and "10 sentences" in heatmap and "2 sentences" in heatmap
    cells = dict(re.findall(r'background:rgba\([\d,]+,([\d.]+)\)"><b>(\d+%)</b><small>\d+</small>', heatmap))
    assert cells == {"0.51": "30%", "0.85": "50%"}  # the article's 1 of 2 is darker than the letter's 3 of 10
    assert "<b>30%</b><small>3</small>" in heatmap


def test_overview_on_a_narrow_terminal_splits_the_themes_rather_than_fold_them(run):
    text = re.sub(r"\x1b\[[0-9;]*m", "", render(run, "table", width=60, color=True, summary=True))
    assert all(len(line) <= 60 for line in text.splitlines())
    assert text.count(" finding ") > 1  # more than one table, each naming its rows
    for theme in run.overview().themes:
        assert re.search(rf"\s{theme}\s", text), theme
    assert "100% (1)" in text and "33% (1)" in text  # s.jsonl's one sentence, kent.txt's 1 of 3
