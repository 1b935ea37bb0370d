"""No input gives a traceback: random bytes, JSONL, HTML and text in many encodings, fed as files to
`sendclf classify`, `sendclf suggest` and `sendclf data --add`, end in valid output (exit 0) or in exactly
one line on stderr (exit 1)."""

import codecs
import json
import os
import shutil
import tempfile
from pathlib import Path

import pytest
from conftest import write_seeds
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from sendclf import inputs
from sendclf.cli import app
from sendclf.errors import SendclfError

runner = CliRunner()
# A few seconds by default; SENDCLF_FUZZ=500 hunts longer, with fresh random examples each run.
FUZZ = int(os.environ.get("SENDCLF_FUZZ", "0"))
EXAMPLES = settings(max_examples=FUZZ or 15, deadline=None, derandomize=not FUZZ,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
ENCODINGS = ["utf-8", "utf-8-sig", "utf-16", "utf-16-le", "utf-32", "latin-1", "cp1252", "shift_jis",
             "euc-jp", "gb18030", "koi8-r", "iso-8859-7", "mac-roman"]
SUFFIXES = [".txt", ".md", ".html", ".jsonl", ".pdf", ".docx", ".csv", ""]
WORDS = ["Waiting", "times", "for", "therapy", "are", "too", "long", "Children", "achieve", "well", "in",
         "schools", "inspectors", "visited", "café", "naïve", "–", "“quoted”", "日本語", "Ωμέγα", "\t", "\n",
         ".", "!", "?", "\u2028", "\x0c", "\x1c", "\ufeff", "\x85", "<", ">", "&amp;", "{", "}", "\"", "\\"]

sentences = st.lists(st.sampled_from(WORDS), max_size=30).map(" ".join) | st.text(max_size=200)
json_values = st.recursive(st.none() | st.booleans() | st.integers() | st.floats(allow_nan=True) | sentences,
                           lambda inner: st.lists(inner, max_size=3)
                           | st.dictionaries(st.sampled_from(["text", "id", "labelled", "polarity", "themes",
                                                              "area", "x"]), inner, max_size=4),
                           max_leaves=8)
records = st.fixed_dictionaries({}, optional={
    "text": sentences | json_values, "id": st.text(max_size=5) | st.integers() | json_values,
    "labelled": st.booleans() | json_values,
    "polarity": st.sampled_from(["weakness", "strength", "neutral", "bad"]) | json_values,
    "themes": st.lists(st.sampled_from(["health_access", "other", "outcomes", "inclusion", "nope"]),
                       max_size=3) | json_values,
    "area": st.text(max_size=5) | json_values})
jsonl_lines = st.lists(records.map(json.dumps) | json_values.map(json.dumps) | sentences
                       | st.just("") | st.just("{\"text\": "), max_size=6)
jsonl = st.tuples(jsonl_lines, st.sampled_from(["\n", "\r\n", "\r"])).map(lambda t: t[1].join(t[0]))
TAGS = ["p", "div", "h1", "article", "main", "script", "style", "nav", "br", "table", "td", "html", "body",
        "head", "title", "!--", "![CDATA[", "?xml", "meta charset='shift_jis'"]
html_parts = st.one_of(sentences, st.sampled_from(TAGS).map(lambda t: f"<{t}>"),
                       st.sampled_from(TAGS).map(lambda t: f"</{t}>"), st.just("&#0;"), st.just("&#xD800;"))
html = st.lists(html_parts, max_size=40).map("".join)


def encoded(texts: st.SearchStrategy[str]) -> st.SearchStrategy[bytes]:
    """Text in one of many encodings (characters an encoding lacks are dropped)."""
    return st.tuples(texts, st.sampled_from(ENCODINGS)).map(lambda t: t[0].encode(t[1], errors="ignore"))


any_file = st.one_of(
    st.tuples(st.binary(max_size=400), st.sampled_from(SUFFIXES)),
    st.tuples(encoded(sentences), st.sampled_from([".txt", ".md", ""])),
    st.tuples(encoded(jsonl), st.sampled_from([".jsonl", ".txt"])),
    st.tuples(encoded(html), st.sampled_from([".html", ".htm"])),
)


@pytest.fixture(scope="module")
def seeds(tmp_path_factory):
    root = tmp_path_factory.mktemp("seeds") / "seeds"
    write_seeds(root, {"alpha": "Waiting times for therapy are too long.\n"},
                [{"id": "alpha-000", "text": "Waiting times for therapy are too long.",
                  "polarity": "weakness", "themes": ["health_access"]}])
    return root


def run(args: list[str]):
    """The command's result, after checking it ended in one of the two ways a user may see."""
    result = runner.invoke(app, args)
    assert "Traceback" not in result.output, result.output
    if result.exit_code == 0:
        return result
    assert result.exit_code == 1 and isinstance(result.exception, SystemExit), (result.exception, args)
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: "), result.stderr
    return result


def as_file(folder: Path, content: bytes, suffix: str) -> Path:
    path = folder / f"input{suffix}"
    path.write_bytes(content)
    return path


def jsonl_rows_of(command: list[str], file: tuple[bytes, str]) -> list[dict] | None:
    """The JSONL rows `command` prints for `file`, or None where it refused it (in one line: `run` checks)."""
    with tempfile.TemporaryDirectory() as folder:
        result = run([*command, str(as_file(Path(folder), *file))])
    if result.exit_code:
        return None
    return [json.loads(line) for line in result.stdout.split("\n") if line]


@EXAMPLES
@given(file=any_file)
def test_classify_never_crashes(model_dir, file):
    rows = jsonl_rows_of(["classify", "--model", str(model_dir), "--format", "jsonl"], file)
    if rows is not None:
        assert rows and all(r["polarity"] in ("weakness", "strength", "neutral") and r["themes"]
                            for r in rows)


@EXAMPLES
@given(file=any_file)
def test_suggest_never_crashes(model_dir, file):
    rows = jsonl_rows_of(["suggest", "--model", str(model_dir), "--n", "3"], file)
    if rows is not None:
        assert 1 <= len(rows) <= 3 and all(r["labelled"] is False for r in rows)


@EXAMPLES
@given(file=any_file | st.tuples(encoded(jsonl), st.just(".jsonl")))
def test_data_add_never_crashes(seeds, file):
    with tempfile.TemporaryDirectory() as folder:
        copy = Path(folder) / "seeds"
        shutil.copytree(seeds, copy)
        path = as_file(Path(folder), *file)
        result = run(["data", "--seeds", str(copy), "--add", str(path)])
        if result.exit_code == 0:
            assert "valid" in result.stdout and "added" in result.stderr
            again = run(["data", "--seeds", str(copy)])
            assert again.exit_code == 0, again.stderr  # whatever was added, the seeds still load


# ---- the cases found, pinned ---------------------------------------------------------------------------


def test_data_add_of_a_binary_file_is_one_line(seeds, tmp_path):
    path = as_file(tmp_path, b"\x7fELF\x00\x01\x02\x03", ".jsonl")
    result = run(["data", "--seeds", str(seeds), "--add", str(path)])
    assert result.exit_code == 1 and "input.jsonl: binary file (a NUL byte at offset 4)" in result.stderr


def test_data_add_reads_the_encodings_classify_reads(seeds, tmp_path):
    line = {"id": "x1", "text": "Les délais d’attente sont longs.", "polarity": "weakness",
            "themes": ["health_access"], "labelled": True}
    copy = tmp_path / "seeds"
    shutil.copytree(seeds, copy)
    path = as_file(tmp_path, json.dumps(line, ensure_ascii=False).encode("utf-16"), ".jsonl")
    result = run(["data", "--seeds", str(copy), "--add", str(path)])
    assert result.exit_code == 0 and "added 1 labelled" in result.stderr


@pytest.mark.parametrize(("data", "message"), [
    ("お知らせ：待ち時間".encode("shift_jis"),
     r"byte 0x81 at offset 8 is undefined in Windows-1252; as UTF-8, byte 0x82 at offset 0 is invalid"),
    ("caf\u00e9 \x81".encode("latin-1"),
     r"byte 0x81 at offset 5 is undefined in Windows-1252; as UTF-8, byte 0xe9 at offset 3 is invalid"),
    (codecs.BOM_UTF8 + b"ab\xe9\x81", r"byte 0x81 at offset 6 .* byte 0xe9 at offset 5"),
    (codecs.BOM_UTF16_LE + b"a\x00\x00\xdc",
     r"not valid UTF-16 text .*illegal encoding at offset 4: 0x00 0xdc"),
    (b"abc\x00def", r"binary file \(a NUL byte at offset 3\)"),
])
def test_a_decoding_error_names_the_byte_and_offset_that_failed(data, message):
    with pytest.raises(SendclfError, match=message):
        inputs.decode(data, "f.txt")


@pytest.mark.parametrize("encoding", ["utf-16", "utf-16-le", "utf-32", "utf-8-sig"])
def test_unicode_with_a_byte_order_mark_is_read(encoding):
    text = "Waiting times are too long. Ωμέγα."
    data = text.encode(encoding)
    if encoding == "utf-16-le":
        data = codecs.BOM_UTF16_LE + data
    assert inputs.decode(data, "f.txt")[0] == text


@pytest.mark.parametrize(("lines", "message"), [
    ([{"id": "a", "text": "One.", "polarity": "neutral", "themes": ["other"], "labelled": True},
      {"id": "a", "text": "Two.", "polarity": "neutral", "themes": ["other"], "labelled": True}],
     "input.jsonl:2: id 'a' is already used"),
    ([{"id": "b", "text": " ", "polarity": "neutral", "themes": ["other"], "labelled": True}],
     "input.jsonl:1: themes must be a list and text non-empty"),
    ([{"id": "c", "text": "Three.", "polarity": "neutral", "themes": "other", "labelled": True}],
     "input.jsonl:1: themes must be a list"),
])
def test_data_add_refuses_lines_that_would_break_the_seeds(seeds, tmp_path, lines, message):
    copy = tmp_path / "seeds"
    shutil.copytree(seeds, copy)
    path = as_file(tmp_path, "".join(json.dumps(line) + "\n" for line in lines).encode(), ".jsonl")
    result = run(["data", "--seeds", str(copy), "--add", str(path)])
    assert result.exit_code == 1 and message in result.stderr
    assert run(["data", "--seeds", str(copy)]).exit_code == 0


@EXAMPLES
@given(files=st.lists(any_file, min_size=1, max_size=4))
def test_a_folder_of_anything_never_crashes_and_every_stderr_line_says_what_it_is(model_dir, files):
    """A folder forgives: exit 0, or exit 1 with a line per file it could not read and a last error line."""
    with tempfile.TemporaryDirectory() as folder:
        for i, (content, suffix) in enumerate(files):
            (Path(folder) / ("sub" if i % 2 else "")).mkdir(exist_ok=True)
            (Path(folder) / ("sub" if i % 2 else "") / f"input{i}{suffix}").write_bytes(content)
        result = runner.invoke(app, ["classify", "--model", str(model_dir), "-f", "jsonl", folder])
    assert "Traceback" not in result.output and result.exit_code in (0, 1), result.output
    lines = result.stderr.splitlines()
    assert all(line.startswith(("note: ", "skipped: ", "error: ")) for line in lines), lines
    assert (result.exit_code == 1) == any(line.startswith("error: ") for line in lines)
    if result.exit_code:
        assert lines[-1].startswith("error: ")


@EXAMPLES
@given(words=st.lists(st.sampled_from(["waits", "are", "long,", "plans;", "late", "–", "schools:"]),
                      max_size=300), limit=st.integers(1, 90))
def test_cutting_a_sentence_keeps_its_words_in_order_within_the_limit(words, limit):
    from sendclf.sentences import shorter_pieces

    pieces, _ = shorter_pieces(" ".join(words), max_words=limit)
    assert " ".join(pieces).split() == words
    assert len(pieces) == 1 or all(0 < len(piece.split()) <= limit for piece in pieces)
