import csv
import io
import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from test_inputs import ARTICLE, PAGE
from tiny_model import TINY_DATA
from typer.testing import CliRunner

from sendclf.cli import app
from sendclf.inputs import OWN_OUTPUT

runner = CliRunner()
RECORD_KEYS = ["id", "source", "text", "polarity", "polarity_scores", "unsure", "themes", "theme_scores",
               "evidence"]


@pytest.fixture
def inputs(tmp_path):
    """One file of every kind, and a folder holding them all."""
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "kent.txt").write_text(ARTICLE, encoding="utf-8")
    (folder / "york.md").write_text("Families wait far too long for an autism assessment.\n")
    (folder / "page.html").write_text(PAGE, encoding="utf-8")
    (folder / "s.jsonl").write_text('{"id": "q1", "text": "Outcomes in the early years are strong."}\n'
                                    '{"text": "Waiting times are long. Very long."}\n', encoding="utf-8")
    return folder


def classify(model_dir, *args, input=None):
    return runner.invoke(app, ["classify", "--model", str(model_dir), *map(str, args)], input=input)


def assert_one_line_error(result, *fragments):
    assert result.exit_code == 1, result.output
    assert result.stdout == ""
    assert len(result.stderr.strip().splitlines()) == 1, result.stderr
    assert "Traceback" not in result.output
    for fragment in fragments:
        assert fragment in result.stderr


# ---- every input kind, every format ----------------------------------------------------------------


@pytest.mark.parametrize("name", ["kent.txt", "york.md", "page.html", "s.jsonl"])
def test_each_file_kind_to_jsonl(model_dir, inputs, name):
    result = classify(model_dir, inputs / name, "--format", "jsonl")
    assert result.exit_code == 0, result.output
    records = [json.loads(line) for line in result.stdout.splitlines()]
    assert records and all(list(r) == RECORD_KEYS for r in records)
    assert {r["source"] for r in records} == {str(inputs / name)}


def test_article_ids_are_source_and_index(model_dir, inputs):
    result = classify(model_dir, inputs / "kent.txt", "-f", "jsonl")
    records = [json.loads(line) for line in result.stdout.splitlines()]
    assert [r["id"] for r in records] == [f"{inputs / 'kent.txt'}:{i}" for i in range(3)]
    assert records[0]["text"] == "Waiting times for therapy are too long."


def test_jsonl_records_are_sentences_as_is_with_their_ids(model_dir, inputs):
    result = classify(model_dir, inputs / "s.jsonl", "-f", "jsonl")
    records = [json.loads(line) for line in result.stdout.splitlines()]
    assert [(r["id"], r["text"]) for r in records] == [
        ("q1", "Outcomes in the early years are strong."),
        (f"{inputs / 's.jsonl'}:1", "Waiting times are long. Very long.")]


def test_jsonl_output_schema(model_dir, inputs, labels):
    result = classify(model_dir, inputs / "kent.txt", "-f", "jsonl")
    for line in result.stdout.splitlines():
        record = json.loads(line)
        assert list(record) == RECORD_KEYS
        assert isinstance(record["id"], str) and isinstance(record["text"], str)
        assert record["polarity"] in labels.polarity_ids
        assert list(record["polarity_scores"]) == labels.polarity_ids
        assert list(record["theme_scores"]) == labels.theme_ids
        assert all(isinstance(v, float) and 0 <= v <= 1 for v in
                   [*record["polarity_scores"].values(), *record["theme_scores"].values()])
        assert record["themes"] and set(record["themes"]) <= set(labels.theme_ids)
        nearest = record["evidence"]["nearest"]
        assert len(nearest) == 3 and [n["similarity"] for n in nearest] == sorted(
            (n["similarity"] for n in nearest), reverse=True)
        assert all(n["polarity"] in labels.polarity_ids and n["text"] for n in nearest)
        assert all(g["weight"] > 0 for g in record["evidence"]["ngrams"])


def test_evidence_is_the_most_similar_training_sentence(model_dir, tmp_path):
    seen = TINY_DATA["weakness"][1][0]
    (tmp_path / "one.jsonl").write_text(json.dumps({"text": seen}) + "\n")
    record = json.loads(classify(model_dir, tmp_path / "one.jsonl", "-f", "jsonl").stdout)
    assert record["evidence"]["nearest"][0]["text"] == seen
    assert record["evidence"]["nearest"][0]["similarity"] == pytest.approx(1.0)
    plain = json.loads(classify(model_dir, tmp_path / "one.jsonl", "-f", "jsonl", "--no-evidence").stdout)
    assert "evidence" not in plain


def test_folder_classifies_every_file_sorted(model_dir, inputs):
    result = classify(model_dir, inputs, "-f", "json")
    assert result.exit_code == 0, result.output
    sources = [d["source"] for d in json.loads(result.stdout)["documents"]]
    assert [Path(s).name for s in sources] == ["kent.txt", "page.html", "s.jsonl", "york.md"]


@pytest.mark.parametrize("args", [[], ["-"]])
def test_stdin_is_an_article(model_dir, args):
    result = classify(model_dir, *args, "-f", "jsonl", input=ARTICLE)
    assert result.exit_code == 0, result.output
    ids = [json.loads(line)["id"] for line in result.stdout.splitlines()]
    assert ids == ["stdin:0", "stdin:1", "stdin:2"]


def test_jsonl_on_stdin_keeps_one_row_per_record(model_dir):
    records = [{"id": "h1", "text": "Dr. Patel said waits were long. Parents agreed."},
               {"id": "h2", "text": "Good."}]
    result = classify(model_dir, "-f", "jsonl", "--no-evidence",
                      input="".join(json.dumps(r) + "\n" for r in records))
    assert result.exit_code == 0, result.output
    rows = [json.loads(line) for line in result.stdout.splitlines()]
    assert [(r["id"], r["text"]) for r in rows] == [(r["id"], r["text"]) for r in records]


def test_default_format_is_a_table_with_a_summary(model_dir, inputs):
    result = classify(model_dir, inputs / "kent.txt")
    assert result.exit_code == 0, result.output
    assert "Waiting times for therapy are too long." in result.stdout
    assert "Summary of" in result.stdout and "\x1b[" not in result.stdout
    assert result.stderr == ""


def test_csv(model_dir, inputs):
    result = classify(model_dir, inputs / "kent.txt", inputs / "s.jsonl", "-f", "csv")
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    assert len(rows) == 5 and rows[3]["id"] == "q1"


def test_json_has_a_summary_per_document(model_dir, inputs):
    data = json.loads(classify(model_dir, inputs / "kent.txt", "-f", "json").stdout)
    (doc,) = data["documents"]
    assert sum(doc["summary"]["polarity"].values()) == len(doc["sentences"]) == 3


def test_html(model_dir, inputs):
    result = classify(model_dir, inputs / "kent.txt", "-f", "html")
    assert result.stdout.startswith("<!doctype html>") and "Waiting times for therapy" in result.stdout


def test_threshold_overrides_every_theme(model_dir, inputs, labels):
    data = json.loads(classify(model_dir, inputs / "kent.txt", "-f", "json", "--threshold", "0").stdout)
    assert set(data["thresholds"].values()) == {0.0}
    for s in data["documents"][0]["sentences"]:  # every theme, or `other` alone when it is the most likely
        assert len(s["themes"]) == len(labels.theme_ids) - 1 or s["themes"] == [labels.no_theme]


# ---- --output --------------------------------------------------------------------------------------


def test_output_file_takes_its_format_from_the_suffix(model_dir, inputs, tmp_path):
    target = tmp_path / "out.jsonl"
    result = classify(model_dir, inputs / "kent.txt", "--output", target)
    assert result.exit_code == 0, result.output
    assert result.stdout == "" and "wrote 3 sentences" in result.stderr
    assert len(target.read_text().splitlines()) == 3


def test_an_error_never_touches_the_output_file(model_dir, inputs, tmp_path):
    target = tmp_path / "out.json"
    target.write_text("previous results")
    (inputs / "bad.jsonl").write_text('{"text": "fine"}\n{"text": \n')
    result = classify(model_dir, inputs / "bad.jsonl", "-o", target)
    assert_one_line_error(result, "bad.jsonl, line 2: not valid JSON")
    assert target.read_text() == "previous results"
    assert sorted(os.listdir(tmp_path)) == ["in", "out.json"]


def test_a_bad_file_beside_good_ones_is_a_line_and_the_rest_is_written(model_dir, inputs, tmp_path):
    target = tmp_path / "out.jsonl"
    (inputs / "bad.jsonl").write_text('{"text": "fine"}\n{"text": \n')
    result = classify(model_dir, inputs / "kent.txt", inputs / "bad.jsonl", tmp_path / "nope.txt", "-o",
                      target)
    assert result.exit_code == 1 and "Traceback" not in result.output
    assert len(target.read_text().splitlines()) == 3  # kent.txt's sentences
    assert result.stderr.splitlines() == [
        f"error: {inputs / 'bad.jsonl'}, line 2: not valid JSON (Expecting value)",
        f"error: {tmp_path / 'nope.txt'}: no such file or folder",
        f"wrote 3 sentences from 1 document(s) to {target}",
        "error: 2 of 3 documents could not be read (named above); the output holds the other 1"]


def test_when_nothing_can_be_read_every_file_is_named_and_nothing_written(model_dir, tmp_path):
    result = classify(model_dir, tmp_path / "a.txt", tmp_path / "b.txt", "-o", tmp_path / "out.csv")
    assert result.exit_code == 1 and result.stdout == "" and not (tmp_path / "out.csv").exists()
    assert result.stderr.splitlines() == [f"error: {tmp_path / 'a.txt'}: no such file or folder",
                                          f"error: {tmp_path / 'b.txt'}: no such file or folder",
                                          "error: none of the 2 documents could be read"]


# ---- bad input: one line on stderr, exit 1 ---------------------------------------------------------


def test_missing_path(model_dir, tmp_path):
    assert_one_line_error(classify(model_dir, tmp_path / "nope.txt"), "nope.txt: no such file or folder")


def test_empty_file(model_dir, tmp_path):
    (tmp_path / "empty.txt").write_text("")
    assert_one_line_error(classify(model_dir, tmp_path / "empty.txt"), "empty.txt: empty file")


def test_binary_file(model_dir, tmp_path):
    (tmp_path / "scan.txt").write_bytes(b"%PDF-1.7\n\x00\x01\x02binary")
    assert_one_line_error(classify(model_dir, tmp_path / "scan.txt"), "scan.txt: binary file")


def test_undecodable_file(model_dir, tmp_path):
    (tmp_path / "odd.txt").write_bytes(b"Waits are \x81 long.")
    result = classify(model_dir, tmp_path / "odd.txt")
    assert_one_line_error(result, "odd.txt: neither UTF-8 nor Windows-1252")


def test_windows_1252_file_is_read_with_a_note(model_dir, tmp_path):
    (tmp_path / "old.txt").write_bytes("Parents said waits were “too long”.".encode("cp1252"))
    result = classify(model_dir, tmp_path / "old.txt", "-f", "jsonl")
    assert result.exit_code == 0, result.output
    assert "old.txt is not UTF-8; read it as cp1252" in result.stderr
    assert json.loads(result.stdout)["text"] == "Parents said waits were “too long”."


def test_empty_folder(model_dir, tmp_path):
    (tmp_path / "empty").mkdir()
    assert_one_line_error(classify(model_dir, tmp_path / "empty"), "empty: folder has no")


def test_a_folder_of_no_documents_is_one_line_that_counts_them(model_dir, tmp_path):
    (tmp_path / "pictures").mkdir()
    (tmp_path / "pictures" / "a.png").write_bytes(b"\x89PNG")
    assert_one_line_error(classify(model_dir, tmp_path / "pictures"), "pictures: folder has no",
                          "; ignored 1 file that is not a document (1 .png)")


@pytest.mark.parametrize(("content", "message"), [
    ('{"text": "ok"}\nnot json\n', "s.jsonl, line 2: not valid JSON"),
    ('{"text": "ok"}\n\n{"id": "x"}\n', 's.jsonl, line 3: no "text"'),
])
def test_bad_jsonl_line(model_dir, tmp_path, content, message):
    (tmp_path / "s.jsonl").write_text(content)
    assert_one_line_error(classify(model_dir, tmp_path / "s.jsonl"), message)


def test_empty_stdin(model_dir):
    assert_one_line_error(classify(model_dir, "-", input=""), "no text on stdin")


def test_unknown_model(inputs):
    result = runner.invoke(app, ["classify", "--model", "bert", str(inputs / "kent.txt")])
    assert_one_line_error(result, "unknown model 'bert'", "make train")


def test_untrained_model(inputs, tmp_path, monkeypatch):
    monkeypatch.setattr("sendclf.trained.MODELS", tmp_path / "models")
    result = runner.invoke(app, ["classify", "--model", "tfidf", str(inputs / "kent.txt")])
    assert_one_line_error(result, "'tfidf' is not trained yet", "make train", "sendclf train tfidf")


def test_default_model_when_nothing_is_trained(inputs, tmp_path, monkeypatch):
    monkeypatch.setattr("sendclf.trained.MODELS", tmp_path / "models")
    result = runner.invoke(app, ["classify", str(inputs / "kent.txt")])
    assert_one_line_error(result, "no trained model", "make train")


def test_unknown_format(model_dir, inputs):
    assert_one_line_error(classify(model_dir, inputs / "kent.txt", "-f", "xml"), "unknown format 'xml'")


def test_bad_threshold(model_dir, inputs):
    assert_one_line_error(classify(model_dir, inputs / "kent.txt", "--threshold", "2"), "--threshold")


def test_errors_come_before_the_model_is_loaded(tmp_path):
    """A bad path fails fast even when the model is missing: inputs are checked first."""
    result = runner.invoke(app, ["classify", "--model", str(tmp_path), str(tmp_path / "nope.txt")])
    assert_one_line_error(result, "nope.txt: no such file or folder")


# ---- speed: the TF-IDF path never imports torch (or datasets) --------------------------------------


def test_tfidf_path_never_imports_torch(model_dir, inputs):
    script = textwrap.dedent(f"""
        import sys
        from typer.testing import CliRunner
        from sendclf.cli import app
        result = CliRunner().invoke(app, ["classify", "--model", {str(model_dir)!r}, {str(inputs)!r},
                                          "--format", "html"])
        assert result.exit_code == 0, result.output
        print(sorted(m for m in ("torch", "transformers", "datasets") if m in sys.modules))
    """)
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "[]"


def test_summary_of_a_folder_is_a_matrix_and_bad_combinations_are_one_line(model_dir, inputs):
    result = classify(model_dir, inputs, "-f", "csv", "--summary")
    assert result.exit_code == 0, result.output
    rows = list(csv.reader(io.StringIO(result.stdout)))
    assert rows[0][0] == "document" and len(rows) == 5  # header + four documents
    bad = classify(model_dir, inputs, "-f", "jsonl", "--summary")
    assert bad.exit_code == 1 and "--summary works with" in bad.output and "Traceback" not in bad.output


def test_a_manifest_beside_the_folder_names_the_areas(model_dir, tmp_path):
    folder = tmp_path / "articles"
    folder.mkdir()
    for name in ("a.txt", "b.txt", "c.txt"):
        (folder / name).write_text("Waiting times for therapy are too long.\n")
    (tmp_path / "articles.yaml").write_text(
        "- {id: a, file: articles/a.txt, area: North}\n- {id: b, file: articles/b.txt, area: North}\n"
        "- {id: c, file: articles/c.txt, area: South}\n")
    rows = list(csv.reader(io.StringIO(classify(model_dir, folder, "-f", "csv", "--summary").stdout)))
    assert rows[0][0] == "area" and [r[0] for r in rows[1:]] == ["North", "South"]
    (tmp_path / "articles.yaml").write_text("- {id: a}\n")
    bad = classify(model_dir, folder, "-f", "csv", "--summary")
    assert bad.exit_code == 1 and "each entry needs file and area" in bad.output


# ---- the progress bar: on stderr, when stderr is a terminal and the input is long ------------------------


def test_progress_bar_appears_on_a_terminal_for_a_long_input(model_dir, tmp_path):
    """stderr is a pseudo-terminal (as in a shell); stdout is a file, as when writing results."""
    import pty

    from sendclf.api import PROGRESS_MIN_SENTENCES

    many = tmp_path / "many.jsonl"
    sentences = [TINY_DATA["weakness"][1][i % 3] for i in range(PROGRESS_MIN_SENTENCES + 1)]
    many.write_text("".join(json.dumps({"text": t}) + "\n" for t in sentences))
    main, replica = pty.openpty()
    with open(tmp_path / "out.jsonl", "wb") as stdout:
        done = subprocess.run([sys.executable, "-c", "from sendclf.cli import app; app()", "classify",
                               "--model", str(model_dir), str(many), "-f", "jsonl", "--no-evidence"],
                              stdin=subprocess.DEVNULL, stdout=stdout, stderr=replica,
                              env={**os.environ, "TERM": "xterm", "COLUMNS": "100"}, timeout=120, check=False)
    os.close(replica)
    shown = b""
    while True:
        try:
            chunk = os.read(main, 65536)
        except OSError:  # the terminal is closed once everything is read
            break
        if not chunk:
            break
        shown += chunk
    os.close(main)
    assert done.returncode == 0, shown.decode(errors="replace")
    assert b"classifying" in shown and f"/{len(sentences)}".encode() in shown
    assert len((tmp_path / "out.jsonl").read_text().splitlines()) == len(sentences)


def test_no_progress_bar_off_a_terminal_or_for_a_short_input(model_dir, inputs):
    from io import StringIO

    from rich.console import Console

    from sendclf import api as lib

    model = lib.load(model_dir)
    screen = Console(file=StringIO(), force_terminal=True, width=80)
    lib.label(model, ["Waits are long."] * (lib.PROGRESS_MIN_SENTENCES - 1), progress=screen)
    assert screen.file.getvalue() == ""
    lib.label(model, ["Waits are long."] * lib.PROGRESS_MIN_SENTENCES, progress=screen)
    assert "classifying" in screen.file.getvalue()
    result = classify(model_dir, inputs / "kent.txt", "-f", "jsonl")
    assert result.stderr == ""


# ---- parquet, titles and the model's name -------------------------------------------------------------


def test_parquet_is_the_csv_as_a_file(model_dir, inputs, tmp_path):
    import pyarrow.parquet as pq

    target = tmp_path / "out.parquet"
    result = classify(model_dir, inputs / "kent.txt", inputs / "s.jsonl", "-o", target)  # format from suffix
    assert result.exit_code == 0, result.output
    table = pq.read_table(target)
    rows = list(csv.DictReader(io.StringIO(classify(model_dir, inputs / "kent.txt", inputs / "s.jsonl",
                                                    "-f", "csv").stdout)))
    assert table.column_names == list(rows[0]) and table.num_rows == len(rows) == 5
    assert table.column("id").to_pylist() == [r["id"] for r in rows]
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")]


def test_parquet_needs_an_output_file(model_dir, inputs):
    assert_one_line_error(classify(model_dir, inputs / "kent.txt", "-f", "parquet"),
                          "--format parquet writes a binary file", "--output")


def test_html_titles_documents_from_their_text_and_names_the_model_once(model_dir, tmp_path):
    folder = tmp_path / "articles"
    folder.mkdir()
    (folder / "a.txt").write_text("Waits grow in Northmoor\nWaiting times for therapy are too long.\n")
    (folder / "b.md").write_text("# Easterby schools praised\n\nChildren achieve well in primary schools.\n")
    (folder / "c.html").write_text("<html><head><title>Westvale &amp; the SEND review</title></head><body>"
                                   "<article><p>Families wait far too long for an autism assessment in "
                                   "Westvale, parents said on Tuesday.</p></article></body></html>")
    (folder / "d.txt").write_text("Outcomes in the early years are strong.\n")
    (tmp_path / "articles.yaml").write_text("- {id: d, file: articles/d.txt, area: South, "
                                            "title: Southby report}\n")
    page = classify(model_dir, folder, "-f", "html").stdout
    for title in ("Waits grow in Northmoor", "Easterby schools praised", "Westvale &amp; the SEND review",
                  "Southby report"):
        assert f"<h2>{title}</h2>" in page
    assert "Model tiny (a tfidf model) ·" in page and page.count("tiny") == 1 + page.count(str(model_dir))


def test_document_titles_fall_back_to_the_file_name(tmp_path):
    from sendclf import inputs as reading
    from sendclf.inputs import TITLE_MAX_CHARS

    (tmp_path / "s.jsonl").write_text('{"text": "Plans are late."}\n')
    (tmp_path / "long.txt").write_text("word " * 60 + "\n")
    sentences, article = reading.read_documents([str(tmp_path / "s.jsonl"), str(tmp_path / "long.txt")])
    assert sentences.title == "s.jsonl"  # sentences have no heading: their file's name
    long = article.title
    assert long.endswith("…") and len(long) <= TITLE_MAX_CHARS + 1


def test_a_binary_manifest_is_one_line(model_dir, tmp_path):
    folder = tmp_path / "articles"
    folder.mkdir()
    (folder / "a.txt").write_text("Waiting times for therapy are too long.\n")
    (folder / "articles.yaml").write_bytes(b"\xff\xfe\x00garbage\x81")
    result = classify(model_dir, folder, "-f", "html")
    assert_one_line_error(result, "articles.yaml: not a readable YAML manifest")


# ---- folders forgive, and say what they skipped; over-long lines are split ------------------------------


def test_a_folder_classifies_what_it_can_and_names_what_it_cannot(model_dir, tmp_path):
    folder = tmp_path / "letters"
    (folder / "articles").mkdir(parents=True)
    (folder / "articles" / "north.txt").write_text("Waiting times for therapy are too long.\n")
    (folder / "articles.yaml").write_text("- {id: north, file: articles/north.txt, area: Northby}\n"
                                          "- {id: york, file: york.md, area: Yorkby}\n")
    (folder / "broken.pdf").write_bytes(b"%PDF-1.7\n1 0 obj\n<< /Type /Catalog")
    (folder / "old.doc").write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1")
    (folder / "york.md").write_text("Families wait far too long for an autism assessment.\n")
    (folder / "logo.png").write_bytes(b"\x89PNG")
    target = tmp_path / "out.json"
    result = classify(model_dir, folder, "-o", target)
    assert result.exit_code == 1 and "Traceback" not in result.output
    documents = json.loads(target.read_text())["documents"]
    assert [Path(d["source"]).name for d in documents] == ["york.md", "north.txt"]
    assert result.stderr.splitlines() == [
        f"error: {folder / 'broken.pdf'}: truncated PDF (no %%EOF at its end): download it again",
        f"error: {folder / 'old.doc'}: an old Word file sendclf cannot read: save it as .docx or PDF",
        "note: ignored 1 file that is not a document (1 .png)",
        f"wrote 2 sentences from 2 document(s) to {target}",
        "error: 2 of 4 documents could not be read (named above); the output holds the other 2"]
    overview = json.loads(classify(model_dir, folder, "-f", "json", "--summary").stdout)
    assert overview["rows"] == "area" and set(overview["counts"]) == {"Northby", "Yorkby"}  # from the list


def test_stderr_has_one_order_model_notes_then_files_then_the_summary(model_dir, tmp_path, monkeypatch):
    monkeypatch.setattr("sendclf.api.Model.notes", property(lambda self: ["a note from the model"]))
    (tmp_path / "a.txt").write_bytes("Parents said waits were “too long”.".encode("cp1252"))
    (tmp_path / "b.html").write_text('<html><head><meta name="generator" content="sendclf"></head></html>')
    (tmp_path / "c.txt").write_text("")
    (tmp_path / "d.txt").write_text("Plans are late.\n")
    (tmp_path / "e.csv").write_text("a,b\n")
    result = classify(model_dir, tmp_path, "-f", "jsonl")
    assert result.exit_code == 1 and len(result.stdout.splitlines()) == 2
    assert [line.split(":")[0] for line in result.stderr.splitlines()] == [
        "note", "note", "skipped", "error", "note", "error"]
    assert "a note from the model" in result.stderr.splitlines()[0]
    assert result.stderr.splitlines()[-2:] == ["note: ignored 1 file that is not a document (1 .csv)",
                                               "error: 1 of 3 documents could not be read (named above); the "
                                               "output holds the other 2"]


def test_sendclfs_own_pages_in_a_folder_are_skipped(model_dir, trained_models, tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "a.txt").write_text("Waiting times for therapy are too long.\n")
    assert classify(model_dir, folder, "-f", "html", "-o", folder / "page.html").exit_code == 0
    report = runner.invoke(app, ["report", *map(str, trained_models), "--out", str(folder / "report")])
    assert report.exit_code == 0, report.output
    result = classify(model_dir, folder, "-f", "jsonl")
    assert result.exit_code == 0, result.output
    assert {json.loads(line)["source"] for line in result.stdout.splitlines()} == {str(folder / "a.txt")}
    skipped = [line for line in result.stderr.splitlines() if line.startswith("skipped: ")]
    own = ("page.html", "report/comparison.md", "report/index.html")
    assert skipped == [f"skipped: {folder / name}: {OWN_OUTPUT}" for name in own]
    alone = classify(model_dir, folder / "page.html")
    assert_one_line_error(alone, "page.html: sendclf's own output")


def test_classifys_own_jsonl_in_a_folder_is_skipped_and_sentences_jsonl_is_read(model_dir, tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "a.txt").write_text("Waiting times for therapy are too long.\n")
    (folder / "s.jsonl").write_text(json.dumps({"id": "s", "text": "Outcomes are strong.",
                                                "polarity": "strength"}) + "\n")
    assert classify(model_dir, folder, "-f", "jsonl", "-o", folder / "labels.jsonl").exit_code == 0
    again = classify(model_dir, folder, "-f", "jsonl")
    assert again.exit_code == 0, again.output
    assert len(again.stdout.splitlines()) == 2  # a.txt's sentence and s.jsonl's, not the labels read back
    assert again.stderr.splitlines() == [f"skipped: {folder / 'labels.jsonl'}: {OWN_OUTPUT}"]


def test_a_megabyte_line_of_prose_is_split_and_a_jsonl_line_is_not(model_dir, tmp_path):
    clause = "families in Northby wait far too long for an assessment of their needs, "
    (tmp_path / "long.txt").write_text(clause * (2 ** 20 // len(clause)) + "\n")
    words = " ".join(["Parents say the wait is long"] * 30)
    (tmp_path / "s.jsonl").write_text(json.dumps({"id": "w", "text": words}) + "\n")
    result = classify(model_dir, tmp_path / "long.txt", tmp_path / "s.jsonl", "-f", "csv", "--no-evidence")
    assert result.exit_code == 0, result.output
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    pieces = [r["text"] for r in rows if r["source"].endswith("long.txt")]
    assert len(pieces) > 1000 and max(len(p.split()) for p in pieces) <= 80
    assert [r["text"] for r in rows if r["id"] == "w"] == [words]
    assert result.stderr == (f"note: 1 over-long sentence in {tmp_path / 'long.txt'} was split at clause "
                             "boundaries (over 80 words)\n")
