"""Reading new text for `sendclf classify` and `sendclf suggest`: files, folders, web pages, letters (PDF,
.docx), JSONL, stdin -> complete documents.

A document is everything a reader and a renderer need of one input: its sentences (each with the paragraph
it came from), its title and, where an article list names it, its local area. Each file and each article
list is read once, and each article is split once. Articles (.txt, .md, stdin, the main text of .html
pages, and the prose of .pdf and .docx letters, see `sendclf.letters`) are split by
`sentences.article_sentences`, exactly as the labelled seeds were, and then an over-long "sentence" is cut
into pieces (`sentences.shorter_pieces`); a .jsonl file holds sentences that are classified as they are,
never split, and so does stdin when it starts with "{" (no article does; JSONL always does).

Reading forgives (`read_inputs`): folders are read with their subfolders, and a document that cannot be read
is one line (with its fix) while the rest are still read, as `grep -r` does. A folder's files that are not
documents are counted by extension, hidden ones left out, and pages and reports sendclf wrote itself skipped
with a line.
Every input is read and checked before any model is loaded, so a bad path fails in milliseconds, never
after a long model load. trafilatura is imported only for web pages, pypdf only for PDFs.
"""

from __future__ import annotations

import codecs
import html
import json
import os
import re
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from sendclf.errors import SendclfError
from sendclf.jsonl import json_lines
from sendclf.sentences import MAX_SENTENCE_WORDS, Sentence, article_sentences, shorter_pieces

ARTICLE_SUFFIXES = (".txt", ".md")
HTML_SUFFIXES = (".html", ".htm")
JSONL_SUFFIXES = (".jsonl",)
PDF_SUFFIXES = (".pdf",)
DOCX_SUFFIXES = (".docx",)
SUPPORTED_SUFFIXES = ARTICLE_SUFFIXES + HTML_SUFFIXES + PDF_SUFFIXES + DOCX_SUFFIXES + JSONL_SUFFIXES
# Documents sendclf cannot read, and what to do instead: in a folder, such a file is a line, never silence.
# Spreadsheets and slides hold no letters or articles: they are ignored with the other files.
UNREADABLE_SUFFIXES = {
    ".doc": "an old Word file sendclf cannot read: save it as .docx or PDF",
    ".rtf": "a Rich Text file sendclf cannot read: save it as .docx or PDF",
    ".odt": "an OpenDocument text sendclf cannot read: save it as .docx or PDF",
    ".pages": "a Pages document sendclf cannot read: export it as .docx or PDF",
}
DOCUMENT_SUFFIXES = SUPPORTED_SUFFIXES + tuple(UNREADABLE_SUFFIXES)
NO_SUFFIX = "(no extension)"  # how an ignored file without one is counted
ARTICLE_SENTENCE_ID = "{article}:{index}"  # an article's sentence ids: "letter.pdf:3"
STDIN = "-"
STDIN_SOURCE = "stdin"
JSONL_START = b"{"  # stdin whose first non-blank byte is this is read as JSONL
# The article list: names the area (and optionally the title) of each article file, as seeds/ does. One in a
# folder given, in any of its subfolders or in its parent is read; the file paths in it say which it names.
ARTICLE_LIST = "articles.yaml"

UTF8 = "utf-8"
CP1252 = "cp1252"
# Longest first: the UTF-32 little-endian BOM starts with the UTF-16 one.
UNICODE_BOMS = ((codecs.BOM_UTF32_LE, "utf-32"), (codecs.BOM_UTF32_BE, "utf-32"),
                (codecs.BOM_UTF16_LE, "utf-16"), (codecs.BOM_UTF16_BE, "utf-16"))

TITLE_MAX_CHARS = 90  # a longer title is shortened at a word, with an ellipsis
HTML_TITLE = re.compile(r"<title[^>]*>(.*?)</title>", re.IGNORECASE | re.DOTALL)
HTML_HEAD_BYTES = 65536  # where a page's <title> is looked for
# What sendclf wrote itself: a page (classify's, the report's) by its generator mark, or for a page written
# before the mark, by its title; the report's comparison.md and a model card by their first line. Read back,
# they would classify sendclf's own labels, scores and evidence as an article.
OWN_PAGE = re.compile(r"""<meta\s+name=["']?generator["']?\s+content=["']?sendclf\b|<title>sendclf\b""",
                      re.IGNORECASE)
OWN_MARKDOWN = re.compile(r"\ufeff?# (?:sendclf model: .*|Model comparison)[ \t]*\r?$", re.MULTILINE)
# classify's own JSONL: its records carry every score (sentences to classify carry a text and an id).
OWN_JSONL_KEYS = frozenset({"polarity_scores", "theme_scores"})
OWN_OUTPUT = "sendclf's own output (a page, report or labels), not a document"
MARKDOWN_HEADING = re.compile(r"^#{1,6}\s+")


@dataclass
class Document:
    """One input, read whole."""

    source: str  # the path as given (a folder's files: the folder joined with the name), or "stdin"
    kind: str  # "article" (split into sentences) or "sentences" (JSONL, one record each)
    sentences: list[Sentence]
    title: str  # what a reader calls it (`document_title`)
    area: str | None = None  # the local area its article list names, if any
    encoding: str = UTF8
    split: str | None = None  # how over-long sentences were cut, if any were (`split_over_long`)

    def notes(self) -> list[str]:
        """What the user should hear about how it was read."""
        notes = [] if self.encoding == UTF8 else [f"{self.source} is not UTF-8; read it as {self.encoding}"]
        return notes + ([self.split] if self.split else [])


NOTE, SKIPPED, FAILED = "note", "skipped", "error"  # the kinds of line a file can get
Input = tuple[str, Path | None]  # (source name, the file; None for stdin)


@dataclass
class Reading:
    """All the inputs gave: the documents, and what the user should hear about each file, in input order."""

    documents: list[Document] = field(default_factory=list)
    lines: list[tuple[str, str]] = field(default_factory=list)  # (NOTE, SKIPPED or FAILED, the line)
    ignored: Counter[str] = field(default_factory=Counter)  # a folder's files that are not documents, by type

    @property
    def failed(self) -> int:
        return sum(kind == FAILED for kind, _ in self.lines)

    def ignored_note(self) -> list[str]:
        """The folders' files that are not documents, counted by extension: one line, if there were any."""
        if not self.ignored:
            return []
        counts = ", ".join(f"{n} {suffix}" for suffix, n in sorted(self.ignored.items()))
        total = sum(self.ignored.values())
        files = "1 file that is not a document" if total == 1 else f"{total} files that are not documents"
        return [f"ignored {files} ({counts})"]

    def nothing_read(self) -> str:
        """The error when no document can be classified: the one file's own line when only one is to blame
        (as for one file named alone), else a count of the lines above it."""
        if len(self.lines) == 1:
            return "; ".join([self.lines[0][1], *self.ignored_note()])
        if not self.failed:
            return "nothing to classify: every file was skipped or ignored (above)"
        return f"none of the {self.failed} documents could be read"

    def partial(self) -> str | None:
        """The last line when some documents could not be read: the output holds the others."""
        if not self.failed:
            return None
        read = len(self.documents)
        return (f"{self.failed} of {self.failed + read} documents could not be read (named above); the "
                f"output holds the other {read}")


def read_inputs(paths: list[str], stdin: bytes | None = None) -> Reading:
    """Every input read, forgiving: a file that cannot be read is a line of its own (`FAILED`, with the fix)
    and the others are still read. No paths means stdin, whose bytes the caller reads and passes in. Only a
    damaged article list stops the reading: it would give files the wrong area."""
    reading = Reading()
    files, listings = find_files(paths or [STDIN], reading.ignored)
    listed = article_list(listings)
    for source, path in files:
        try:
            document = read_file(source, path, stdin, listed)
        except SendclfError as error:
            reading.lines.append((FAILED, str(error)))
            continue
        if document is None:
            reading.lines.append((SKIPPED, f"{source}: {OWN_OUTPUT}"))
            continue
        reading.documents.append(document)
        reading.lines += [(NOTE, note) for note in document.notes()]
    return reading


def read_documents(paths: list[str], stdin: bytes | None = None) -> list[Document]:
    """Every input as a document, strictly (for the Python API and tests): the first file that cannot be
    read is the error."""
    reading = read_inputs(paths, stdin)
    for kind, line in reading.lines:
        if kind == FAILED:
            raise SendclfError(line)
    if not reading.documents:
        raise SendclfError(reading.nothing_read())
    return reading.documents


def read_file(source: str, path: Path | None, stdin: bytes | None, listed: dict) -> Document | None:
    """One input (a file, or stdin for None) as a document; None for a page or report sendclf wrote. Every
    problem is a SendclfError naming the input."""
    if path is None:
        if not stdin or not stdin.strip():
            raise SendclfError("no text on stdin (give a PATH, or pipe in an article or JSONL sentences)")
        as_jsonl = stdin.removeprefix(codecs.BOM_UTF8).lstrip().startswith(JSONL_START)
        return document_from_bytes(source, stdin, JSONL_SUFFIXES[0] if as_jsonl else ARTICLE_SUFFIXES[0])
    suffix = path.suffix.lower()
    if path.is_dir():  # only a folder that gave no documents comes this far: empty, or not to be listed
        try:
            os.listdir(path)
        except OSError as error:
            raise SendclfError(f"{source}: cannot read this folder ({error.strerror})") from None
        raise SendclfError(f"{source}: folder has no {', '.join(SUPPORTED_SUFFIXES)} files")
    if not path.exists():
        raise SendclfError(f"{source}: no such file or folder")
    if not path.is_file():
        raise SendclfError(f"{source}: not a regular file or folder")
    if suffix in UNREADABLE_SUFFIXES:
        raise SendclfError(f"{source}: {UNREADABLE_SUFFIXES[suffix]}")
    try:
        data = path.read_bytes()
    except OSError as error:
        raise SendclfError(f"{source}: cannot read ({error.strerror})") from None
    if written_by_sendclf(data, suffix):
        return None
    return document_from_bytes(source, data, suffix, listed.get(str(path.resolve())))


def written_by_sendclf(data: bytes, suffix: str) -> bool:
    """Whether a file is a page, report or labels file sendclf wrote (`OWN_PAGE`, `OWN_MARKDOWN`,
    `OWN_JSONL_KEYS`)."""
    head = data[:HTML_HEAD_BYTES].decode(UTF8, errors="replace")
    if suffix in HTML_SUFFIXES:
        return OWN_PAGE.search(head) is not None
    if suffix in JSONL_SUFFIXES:
        first = next((line for line in data.splitlines() if line.strip()), b"")
        try:
            record = json.loads(first)
        except ValueError:
            return False  # the JSONL reader names the line
        return isinstance(record, dict) and OWN_JSONL_KEYS <= record.keys()
    return suffix == ARTICLE_SUFFIXES[1] and OWN_MARKDOWN.match(head) is not None


def document_from_bytes(source: str, data: bytes, suffix: str, entry: dict | None = None) -> Document:
    """One document from a file's bytes; the suffix says how to read it (anything unknown is an article).
    `entry` is the file's entry in an article list."""
    if not data.strip():
        raise SendclfError(f"{source}: empty file")
    encoding, page_title = UTF8, None
    if suffix in PDF_SUFFIXES + DOCX_SUFFIXES:  # binary, so not decoded: the letter's prose is an article
        from sendclf import docx_reader, pdf_reader

        read = pdf_reader.pdf_letter if suffix in PDF_SUFFIXES else docx_reader.docx_letter
        letter = read(data, source)
        page_title = shorten(letter.title) if letter.title else None  # its own heading, else its metadata
        kind, sentences = "article", article_sentences(source, letter.text, ARTICLE_SENTENCE_ID)
    else:
        text, encoding = decode(data, source)
        if not text.strip():
            raise SendclfError(f"{source}: empty file")
        if suffix in JSONL_SUFFIXES:
            kind, sentences = "sentences", jsonl_sentences(source, text)
        else:
            if suffix in HTML_SUFFIXES:
                page_title = html_title(data)
                text = extract_html(text, source)
            kind, sentences = "article", article_sentences(source, text, ARTICLE_SENTENCE_ID)
    if not sentences:
        raise SendclfError(f"{source}: no sentences to classify")
    split = None
    if kind == "article":
        sentences, split = split_over_long(source, sentences)
    entry = entry or {}
    listed_title = shorten(str(entry["title"])) if entry.get("title") else None
    title = document_title(source, kind, sentences, listed_title, page_title)
    return Document(source, kind, sentences, title, entry.get("area"), encoding, split)


def split_over_long(source: str, sentences: list[Sentence]) -> tuple[list[Sentence], str | None]:
    """An article's sentences with every over-long one cut into pieces (`sentences.shorter_pieces`) and all
    renumbered, and the note that says so; unchanged, and no note, when none was over the limit. Only new
    text comes here: the seeds' sentence ids never change."""
    pieces, over, cut_words = [], 0, False
    for sentence in sentences:
        texts, cut = shorter_pieces(sentence.text)
        over += len(texts) > 1
        cut_words |= cut
        pieces += [(sentence.paragraph, text) for text in texts]
    if not over:
        return sentences, None
    renumbered = [Sentence(ARTICLE_SENTENCE_ID.format(article=source, index=i), i, text, paragraph)
                  for i, (paragraph, text) in enumerate(pieces)]
    where = "clause and word boundaries" if cut_words else "clause boundaries"
    sentences_in = f"{over} over-long sentence in {source} was" if over == 1 else \
        f"{over} over-long sentences in {source} were"
    return renumbered, f"{sentences_in} split at {where} (over {MAX_SENTENCE_WORDS} words)"


# ---- reading and decoding --------------------------------------------------------------------------


def decode(data: bytes, source: str) -> tuple[str, str]:
    """Text and the encoding used: UTF-8 (or UTF-16/32 with a BOM), else Windows-1252; binary is refused.
    A file that is none of these is one line naming the byte and offset where each decoding failed."""
    for bom, encoding in UNICODE_BOMS:
        if data.startswith(bom):
            try:
                text = data.decode(encoding)
            except UnicodeDecodeError as error:
                raise SendclfError(f"{source}: not valid {encoding.upper()} text despite its byte-order mark "
                                   f"({error.reason} at offset {error.start}: "
                                   f"{_bytes(data, error.start, error.end)})") from None
            if "\x00" in text:
                raise SendclfError(f"{source}: binary file (contains NUL characters), not text")
            return text, encoding
    if b"\x00" in data:
        raise SendclfError(f"{source}: binary file (a NUL byte at offset {data.index(0)}), not text")
    skip = len(codecs.BOM_UTF8) if data.startswith(codecs.BOM_UTF8) else 0  # offsets: from the file start
    try:
        return data[skip:].decode(UTF8), UTF8
    except UnicodeDecodeError as utf8_error:
        try:
            return data[skip:].decode(CP1252), CP1252
        except UnicodeDecodeError as cp1252_error:
            at, utf8_at = cp1252_error.start + skip, utf8_error.start + skip
            raise SendclfError(
                f"{source}: neither UTF-8 nor Windows-1252 text (byte 0x{data[at]:02x} at offset {at} is "
                f"undefined in Windows-1252; as UTF-8, byte 0x{data[utf8_at]:02x} at offset {utf8_at} is "
                f"invalid): save it as UTF-8") from None


def _bytes(data: bytes, start: int, end: int) -> str:
    return " ".join(f"0x{b:02x}" for b in data[start:max(end, start + 1)][:4])


def extract_html(page: str, source: str) -> str:
    """The main text of a web page: navigation, comments, adverts and boilerplate are dropped. (No
    deduplication: trafilatura's is a process-wide cache that empties a page seen twice.)"""
    import trafilatura

    text = trafilatura.extract(page, include_comments=False, include_tables=False, include_images=False,
                               include_links=False, include_formatting=False, favor_precision=True,
                               deduplicate=False, with_metadata=False, output_format="txt")
    if not text or not text.strip():
        hint = "" if "<" in page else " (it has no HTML tags: give plain text a .txt name)"
        raise SendclfError(f"{source}: no article text found in this HTML page{hint}")
    return text


def jsonl_sentences(source: str, text: str) -> list[Sentence]:
    """One sentence per record, taken as is; blank lines are skipped, anything else malformed is an error."""
    sentences = []
    for _, where, record in json_lines(text, source, ", line "):
        if not isinstance(record, dict):
            raise SendclfError(f"{where}: expected a JSON object with a \"text\" field")
        sentence = record.get("text")
        if not isinstance(sentence, str) or not sentence.strip():
            raise SendclfError(f"{where}: no \"text\" (a non-empty string) in this record")
        record_id = record.get("id")
        if record_id is not None and not isinstance(record_id, str | int):
            raise SendclfError(f"{where}: \"id\" must be a string or an integer")
        index = len(sentences)
        sentences.append(Sentence(str(record_id) if record_id is not None else f"{source}:{index}", index,
                                  sentence.strip(), index))
    return sentences


# ---- what a reader calls a document ------------------------------------------------------------------


def document_title(source: str, kind: str, sentences: list[Sentence], listed: str | None = None,
                   page: str | None = None) -> str:
    """The title an article list gives, else a web page's <title>, else an article's first line (its
    heading, in a news story or a letter: the sentences of its first paragraph), else the file's name."""
    title = listed if listed is not None else page
    if not title and kind == "article":
        first = [s.text for s in sentences if s.paragraph == sentences[0].paragraph]
        title = shorten(MARKDOWN_HEADING.sub("", " ".join(first)))
    return title or Path(source).name or source


def html_title(data: bytes) -> str | None:
    """The <title> of a web page, if it has one."""
    match = HTML_TITLE.search(data[:HTML_HEAD_BYTES].decode(UTF8, errors="replace"))
    return (shorten(html.unescape(match.group(1))) if match else "") or None


def shorten(text: str, limit: int = TITLE_MAX_CHARS) -> str:
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    return text[:limit].rsplit(" ", 1)[0].rstrip(" ,;:–-") + "…"


# ---- which files, and their article lists ----------------------------------------------------------------


def find_files(paths: Iterable[str], ignored: Counter[str]) -> tuple[list[Input], list[Path]]:
    """(source name, file) for every input, in order, and the article lists that apply to them. A folder
    gives the documents in it and in its subfolders (a folder with none gives itself, so reading it says
    so), and its article lists and its parent's; the files in it that are not documents are counted in
    `ignored`. Stdin gives None."""
    files: list[Input] = []
    listings: list[Path] = []
    for name in paths:
        path = Path(name)
        if name == STDIN or not path.is_dir():
            files.append((STDIN_SOURCE, None) if name == STDIN else (name, path))
            continue
        documents = []
        listings += [path.parent / ARTICLE_LIST]
        for file in folder_files(path):
            if file.name == ARTICLE_LIST:
                listings.append(file)
            elif file.suffix.lower() in DOCUMENT_SUFFIXES or file.is_dir():  # a folder not listed
                documents.append((str(file), file))
            else:
                ignored[file.suffix.lower() or NO_SUFFIX] += 1
        files += documents or [(name, path)]
    return files, [listing for listing in dict.fromkeys(listings) if listing.is_file()]


def folder_files(folder: Path) -> Iterator[Path]:
    """Every regular file in a folder, then in its subfolders, sorted; hidden files and folders (.git, an
    editor's backups, a half-written output) are left out without a word. A subfolder that cannot be listed
    comes last, as itself: reading it says why."""
    unlisted: list[OSError] = []
    for root, folders, names in os.walk(folder, onerror=unlisted.append):
        folders[:] = sorted(name for name in folders if not name.startswith("."))
        for name in sorted(names):
            file = Path(root) / name
            if not name.startswith(".") and file.is_file():
                yield file
    yield from (Path(error.filename) for error in unlisted)


def article_list(listings: Iterable[Path]) -> dict[str, dict]:
    """Resolved file path -> its entry (`file`, `area`, optionally `title`), from article lists
    (`articles.yaml`, the format of seeds/); file paths in one are relative to it. A damaged list, or an
    entry without an area, is one line."""
    import yaml

    found = {}
    for listing in listings:
        try:
            entries = yaml.safe_load(listing.read_text(encoding=UTF8)) or []
        except (OSError, UnicodeDecodeError, yaml.YAMLError) as error:
            raise SendclfError(f"{listing}: not a readable YAML manifest "
                               f"({str(error).splitlines()[0]})") from None
        if not isinstance(entries, list) or not all(isinstance(e, dict) and "file" in e for e in entries):
            raise SendclfError(f"{listing}: each entry needs file and area")
        for entry in entries:
            file = (listing.parent / str(entry["file"])).resolve()
            if "area" not in entry:
                raise SendclfError(f"{file}: its manifest entry needs file and area")
            found[str(file)] = {**entry, "area": str(entry["area"])}
    return found
