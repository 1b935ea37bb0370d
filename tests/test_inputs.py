"""Reading inputs: decoding, articles, JSONL, web pages, folders, stdin; bad input is one clear error."""

import codecs
from pathlib import Path

import pytest

from sendclf import inputs
from sendclf.errors import SendclfError
from sendclf.sentences import article_sentences

ARTICLE = ("More on KentOnline\n"
           "Waiting times for therapy are too long. Children achieve well in primary schools.\n"
           "Inspectors visited the area in March.\n"
           "Comments: Our rules\nThis comment is furniture.\n")

PAGE = """<!doctype html><html><head><title>SEND report | Gazette</title></head><body>
<header><nav><ul><li><a href="/">Home</a></li><li><a href="/news">News</a></li>
<li><a href="/sport">Sport</a></li><li><a href="/jobs">Jobs</a></li></ul></nav></header>
<div class="advert">Advertisement: cheap flights to Malaga, book now and save!</div>
<main><article><h1>Report criticises SEND services</h1>
<p>Inspectors found that families wait far too long for an autism assessment in the borough.</p>
<p>The report said children achieve well in primary schools and feel safe there.</p>
<p>The council must write a statement of action setting out how it will improve its services.</p>
<p>Ofsted and the Care Quality Commission visited the area in March and spoke to many parents.</p>
</article>
<section class="comments" id="comments"><h2>Comments</h2>
<div class="comment"><p>Absolutely shameful, the councillors should all resign immediately today.</p></div>
</section></main>
<footer><p>Copyright 2024 Gazette Media. All rights reserved.</p><a href="/privacy">Privacy</a></footer>
</body></html>"""


# ---- decoding --------------------------------------------------------------------------------------


def test_decode_utf8_with_and_without_bom():
    assert inputs.decode("café".encode(), "a") == ("café", "utf-8")
    assert inputs.decode(b"\xef\xbb\xbfcaf\xc3\xa9", "a") == ("café", "utf-8")


def test_decode_falls_back_to_windows_1252():
    assert inputs.decode("“quoted” café".encode("cp1252"), "a") == ("“quoted” café", "cp1252")


def test_decode_utf16_with_bom():
    assert inputs.decode("Waits are long.".encode("utf-16"), "a") == ("Waits are long.", "utf-16")


def test_decode_rejects_binary():
    with pytest.raises(SendclfError, match=r"scan\.pdf: binary file"):
        inputs.decode(b"%PDF-1.4\x00\x01\x02", "scan.pdf")


def test_decode_rejects_neither_utf8_nor_cp1252():
    with pytest.raises(SendclfError, match=r"a\.txt: neither UTF-8 nor Windows-1252.*0x81"):
        inputs.decode(b"abc \x81 def", "a.txt")


# ---- reading inputs --------------------------------------------------------------------------------


def test_article_sentences_are_the_seeds_split_with_paragraphs():
    (doc,) = inputs.read_documents([], ARTICLE.encode())
    items = doc.sentences
    expected = article_sentences("kent.txt", ARTICLE)
    assert [i.text for i in items] == [s.text for s in expected]
    assert [i.id for i in items] == ["stdin:0", "stdin:1", "stdin:2"]
    assert [i.paragraph for i in items] == [0, 0, 1]


def test_seed_article_reads_exactly_as_the_seeds():
    path = Path(__file__).resolve().parents[1] / "seeds" / "articles" / "kent.txt"
    (doc,) = inputs.read_documents([str(path)])
    assert [i.text for i in doc.sentences] == [s.text for s in article_sentences("kent", path.read_text())]


def test_jsonl_sentences_keep_ids_and_text_as_is():
    text = ('{"id": "x1", "text": "Waits are long. Very long."}\n\n'
            '{"text": "Outcomes are good."}\n{"id": 7, "text": "A"}\n')
    items = inputs.jsonl_sentences("s.jsonl", text)
    assert [(i.id, i.text) for i in items] == [
        ("x1", "Waits are long. Very long."), ("s.jsonl:1", "Outcomes are good."), ("7", "A")]


@pytest.mark.parametrize(("line", "message"), [
    ("not json", r"s\.jsonl, line 2: not valid JSON"),
    ('["a list"]', r"s\.jsonl, line 2: expected a JSON object"),
    ('{"id": "b"}', r"s\.jsonl, line 2: no \"text\""),
    ('{"text": "   "}', r"s\.jsonl, line 2: no \"text\""),
    ('{"text": 3}', r"s\.jsonl, line 2: no \"text\""),
    ('{"text": "ok", "id": [1]}', r"s\.jsonl, line 2: \"id\" must be"),
])
def test_bad_jsonl_line_names_the_line(line, message):
    with pytest.raises(SendclfError, match=message):
        inputs.jsonl_sentences("s.jsonl", '{"text": "fine"}\n' + line + "\n")


def test_html_page_keeps_the_article_and_drops_navigation_adverts_and_comments():
    items = inputs.document_from_bytes("page.html", PAGE.encode(), ".html").sentences
    texts = " ".join(i.text for i in items)
    assert "autism assessment" in texts and "statement of action" in texts
    for furniture in ("Home", "Sport", "Malaga", "resign", "Copyright", "Privacy"):
        assert furniture not in texts


def test_html_without_article_text_is_an_error():
    with pytest.raises(SendclfError, match="no article text"):
        inputs.document_from_bytes("blank.html", b"<html><body><script>var x;</script></body></html>",
                                   ".html")


def test_folder_reads_subfolders_and_says_what_it_could_not_read(tmp_path):
    (tmp_path / "b.txt").write_text("Waits are long.")
    (tmp_path / "a.md").write_text("Outcomes are good.")
    (tmp_path / "c.jsonl").write_text('{"text": "One sentence."}\n')
    (tmp_path / "notes.odt").write_bytes(b"PK\x03\x04")
    (tmp_path / "photo.PNG").write_bytes(b"\x89PNG")
    (tmp_path / "Makefile").write_text("all:\n")
    (tmp_path / ".hidden.txt").write_text("Hidden.")
    (tmp_path / ".git").mkdir()
    (tmp_path / ".git" / "x.txt").write_text("Hidden too.")
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "d.txt").write_text("Plans are late.")
    (tmp_path / "sub" / "empty.txt").write_text("")
    reading = inputs.read_inputs([str(tmp_path)])
    assert [str(Path(d.source).relative_to(tmp_path)) for d in reading.documents] == [
        "a.md", "b.txt", "c.jsonl", "sub/d.txt"]
    assert [d.kind for d in reading.documents] == ["article", "article", "sentences", "article"]
    assert [(kind, Path(line.split(":")[0]).name) for kind, line in reading.lines] == [
        ("error", "notes.odt"), ("error", "empty.txt")]
    assert "save it as .docx or PDF" in reading.lines[0][1] and reading.failed == 2
    assert reading.ignored == {".png": 1, "(no extension)": 1}


def test_a_subfolder_that_cannot_be_listed_is_a_line(tmp_path, monkeypatch):
    import os

    (tmp_path / "a.txt").write_text("Waits are long.")
    (tmp_path / "locked").mkdir()
    (tmp_path / "locked" / "b.txt").write_text("Plans are late.")
    scandir, listdir = os.scandir, os.listdir

    def refuse(real):
        def call(path="."):
            if Path(path).name == "locked":
                raise PermissionError(13, "Permission denied", str(path))
            return real(path)
        return call

    monkeypatch.setattr(os, "scandir", refuse(scandir))  # as a folder without read permission does
    monkeypatch.setattr(os, "listdir", refuse(listdir))
    reading = inputs.read_inputs([str(tmp_path)])
    assert [Path(d.source).name for d in reading.documents] == ["a.txt"]
    assert reading.lines == [("error", f"{tmp_path / 'locked'}: cannot read this folder (Permission denied)")]


def test_an_article_list_in_a_subfolder_names_its_areas(tmp_path):
    (tmp_path / "north" / "articles").mkdir(parents=True)
    (tmp_path / "north" / "articles" / "a.txt").write_text("Waits are long.")
    (tmp_path / "north" / "articles.yaml").write_text("- {id: a, file: articles/a.txt, area: Northby}\n")
    (tmp_path / "b.txt").write_text("Plans are late.")
    reading = inputs.read_inputs([str(tmp_path)])
    assert [d.area for d in reading.documents] == [None, "Northby"] and not reading.lines
    assert not reading.ignored  # an article list is read, not ignored


OWN_HEADS = ['<meta name="generator" content="sendclf">', "<meta name=generator content=sendclf>",
             "<title>sendclf: 3 documents</title>"]  # classify's page, the report, an older page


@pytest.mark.parametrize("head", OWN_HEADS)
def test_pages_sendclf_wrote_are_skipped_with_a_line(tmp_path, head):
    (tmp_path / "page.html").write_text(f"<html><head>{head}</head><body>{PAGE}</body></html>")
    (tmp_path / "a.txt").write_text("Waits are long.")
    reading = inputs.read_inputs([str(tmp_path)])
    assert [Path(d.source).name for d in reading.documents] == ["a.txt"]
    assert reading.lines == [("skipped", f"{tmp_path / 'page.html'}: sendclf's own output (a page, report or "
                                         "labels), not a document")]
    assert reading.failed == 0


@pytest.mark.parametrize("first", ["# sendclf model: tfidf", "# Model comparison"])
def test_a_model_card_or_the_reports_markdown_is_skipped(tmp_path, first):
    (tmp_path / "README.md").write_text(f"{first}\n\nWaits are long.\n")
    assert inputs.read_inputs([str(tmp_path / "README.md")]).lines[0][0] == "skipped"
    (tmp_path / "README.md").write_text("# Model comparison of Northby schools\n\nWaits are long.\n")
    assert inputs.read_inputs([str(tmp_path / "README.md")]).documents


def test_a_page_that_mentions_sendclf_is_read(tmp_path):
    (tmp_path / "page.html").write_text(PAGE.replace("SEND report | Gazette", "Gazette: sendclf reviewed"))
    assert inputs.read_inputs([str(tmp_path / "page.html")]).documents


def test_named_files_forgive_too_and_keep_their_order(tmp_path):
    (tmp_path / "a.txt").write_text("Waits are long.")
    (tmp_path / "x.doc").write_bytes(b"\xd0\xcf\x11\xe0")
    reading = inputs.read_inputs([str(tmp_path / name) for name in ("nope.txt", "a.txt", "x.doc")])
    assert [d.source for d in reading.documents] == [str(tmp_path / "a.txt")]
    assert [line.split(": ", 1)[1] for _, line in reading.lines] == [
        "no such file or folder", "an old Word file sendclf cannot read: save it as .docx or PDF"]


# ---- over-long sentences ------------------------------------------------------------------------------


def test_an_over_long_line_is_split_and_renumbered_with_a_note():
    line = ", ".join(["waits are long for families"] * 40)  # 200 words, clauses of five
    doc = inputs.document_from_bytes("x.txt", f"Short first.\n{line}\n".encode(), ".txt")
    assert [len(s.text.split()) for s in doc.sentences] == [2, 80, 80, 40]
    assert [s.id for s in doc.sentences] == [f"x.txt:{i}" for i in range(4)]
    assert [s.paragraph for s in doc.sentences] == [0, 1, 1, 1]
    assert doc.notes() == ["1 over-long sentence in x.txt was split at clause boundaries (over 80 words)"]


def test_a_jsonl_sentence_is_never_split():
    text = " ".join(["word"] * 500)
    doc = inputs.document_from_bytes("s.jsonl", f'{{"text": "{text}"}}\n'.encode(), ".jsonl")
    assert [s.text for s in doc.sentences] == [text] and doc.notes() == []


@pytest.mark.parametrize(("setup", "message"), [
    (lambda p: None, "no such file or folder"),
    (lambda p: p.mkdir(), "folder has no"),
    (lambda p: p.write_text(""), "empty file"),
    (lambda p: p.write_text("  \n\n "), "empty file"),
    (lambda p: p.write_bytes(b"\x7fELF\x00\x00"), "binary file"),
    (lambda p: p.write_text("Comments: Our rules\nOnly furniture.\n"), "no sentences"),
])
def test_bad_paths_are_one_line_errors(tmp_path, setup, message):
    path = tmp_path / "input.txt"
    setup(path)
    with pytest.raises(SendclfError, match=message):
        inputs.read_documents([str(path)])


def test_stdin_is_an_article():
    (doc,) = inputs.read_documents([], b"Waits are long. Outcomes are good.\n")
    assert doc.source == "stdin" and [i.id for i in doc.sentences] == ["stdin:0", "stdin:1"]


def test_jsonl_on_stdin_is_read_as_sentences():
    stdin = b'{"id": "a", "text": "Dr. Jones said waits are long. They are."}\n\n{"text": "Good."}\n'
    (doc,) = inputs.read_documents([], codecs.BOM_UTF8 + stdin)
    assert doc.kind == "sentences"
    assert [(i.id, i.text) for i in doc.sentences] == [("a", "Dr. Jones said waits are long. They are."),
                                                   ("stdin:1", "Good.")]


def test_malformed_jsonl_on_stdin_is_an_error():
    with pytest.raises(SendclfError, match="stdin, line 2"):
        inputs.read_documents([], b'{"text": "Fine."}\n{"text": \n')


def test_empty_stdin_is_an_error():
    with pytest.raises(SendclfError, match="no text on stdin"):
        inputs.read_documents(["-"], b"  \n")


def test_cp1252_file_is_read_and_reported(tmp_path):
    (tmp_path / "old.txt").write_bytes("Parents said the service was “poor”.".encode("cp1252"))
    (doc,) = inputs.read_documents([str(tmp_path / "old.txt")])
    assert doc.encoding == "cp1252" and doc.sentences[0].text == "Parents said the service was “poor”."
