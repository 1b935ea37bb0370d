"""Reading new text for `sendclf classify` and `sendclf suggest`: files, folders, web pages, letters (PDF,
.docx), JSONL, stdin -> complete documents.

A document is everything a reader and a renderer need of one input: its sentences (each with the paragraph
it came from), its title and, where an article list names it, its local area. Each file and each article
list is read once, and each article is split once. Articles (.txt, .md, stdin, the main text of .html
pages, and the prose of .pdf and .docx letters, see `sendclf.letters`) are split by
`sentences.article_sentences`, exactly as the labelled seeds were; a .jsonl file holds sentences that are
classified as they are, and so does stdin when it starts with "{" (no article does; JSONL always does).
Every input is read and checked before any model is loaded, so a bad path fails in milliseconds, never
after a long model load. trafilatura is imported only for web pages, pypdf only for PDFs.
"""

from __future__ import annotations

import codecs
import html
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from sendclf.errors import SendclfError
from sendclf.jsonl import json_lines
from sendclf.sentences import Sentence, article_sentences

ARTICLE_SUFFIXES = (".txt", ".md")
HTML_SUFFIXES = (".html", ".htm")
JSONL_SUFFIXES = (".jsonl",)
PDF_SUFFIXES = (".pdf",)
DOCX_SUFFIXES = (".docx",)
SUPPORTED_SUFFIXES = ARTICLE_SUFFIXES + HTML_SUFFIXES + PDF_SUFFIXES + DOCX_SUFFIXES + JSONL_SUFFIXES
STDIN = "-"
STDIN_SOURCE = "stdin"
JSONL_START = b"{"  # stdin whose first non-blank byte is this is read as JSONL
# The article list: names the area (and optionally the title) of each article file, as seeds/ does. One in
# a folder given, or in its parent, applies to the files of that folder.
ARTICLE_LIST = "articles.yaml"

UTF8 = "utf-8"
CP1252 = "cp1252"
# Longest first: the UTF-32 little-endian BOM starts with the UTF-16 one.
UNICODE_BOMS = ((codecs.BOM_UTF32_LE, "utf-32"), (codecs.BOM_UTF32_BE, "utf-32"),
                (codecs.BOM_UTF16_LE, "utf-16"), (codecs.BOM_UTF16_BE, "utf-16"))

TITLE_MAX_CHARS = 90  # a longer title is shortened at a word, with an ellipsis
HTML_TITLE = re.compile(r"<title[^>]*>(.*?)</title>", re.IGNORECASE | re.DOTALL)
HTML_HEAD_BYTES = 65536  # where a page's <title> is looked for
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

    def note(self) -> str | None:
        """What the user should hear about how it was read."""
        return None if self.encoding == UTF8 else f"{self.source} is not UTF-8; read it as {self.encoding}"


def read_documents(paths: list[str], stdin: bytes | None = None) -> list[Document]:
    """Every input as a complete document; no paths means stdin, whose bytes the caller reads and passes
    in."""
    listed = article_list(paths)
    documents = []
    for source, path in expand_paths(paths or [STDIN]):
        if path is None:
            if not stdin or not stdin.strip():
                raise SendclfError("no text on stdin (give a PATH, or pipe in an article or JSONL sentences)")
            as_jsonl = stdin.removeprefix(codecs.BOM_UTF8).lstrip().startswith(JSONL_START)
            suffix = JSONL_SUFFIXES[0] if as_jsonl else ARTICLE_SUFFIXES[0]
            documents.append(document_from_bytes(source, stdin, suffix))
            continue
        try:
            data = path.read_bytes()
        except OSError as error:
            raise SendclfError(f"{source}: cannot read ({error.strerror})") from None
        entry = listed.get(str(path.resolve()))
        documents.append(document_from_bytes(source, data, path.suffix.lower(), entry))
    return documents


def document_from_bytes(source: str, data: bytes, suffix: str, entry: dict | None = None) -> Document:
    """One document from a file's bytes; the suffix says how to read it (anything unknown is an article).
    `entry` is the file's entry in an article list."""
    if not data.strip():
        raise SendclfError(f"{source}: empty file")
    encoding, page_title = UTF8, None
    if suffix in PDF_SUFFIXES + DOCX_SUFFIXES:  # binary, so not decoded: the letter's prose is an article
        from sendclf import letters

        read = letters.pdf_letter if suffix in PDF_SUFFIXES else letters.docx_letter
        letter = read(data, source)
        page_title = shorten(letter.title) if letter.title else None  # its own heading, else its metadata
        kind, sentences = "article", article_sentences(source, letter.text, "{article}:{index}")
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
            kind, sentences = "article", article_sentences(source, text, "{article}:{index}")
    if not sentences:
        raise SendclfError(f"{source}: no sentences to classify")
    entry = entry or {}
    listed_title = shorten(str(entry["title"])) if entry.get("title") else None
    title = document_title(source, kind, sentences, listed_title, page_title)
    return Document(source, kind, sentences, title, entry.get("area"), encoding)


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


def expand_paths(paths: Iterable[str]) -> Iterator[tuple[str, Path | None]]:
    """(source name, file) for every input; a folder gives its supported files, sorted; stdin gives None."""
    for name in paths:
        if name == STDIN:
            yield STDIN_SOURCE, None
            continue
        path = Path(name)
        if path.is_dir():
            files = sorted(p for p in path.iterdir()
                           if p.is_file() and p.suffix.lower() in SUPPORTED_SUFFIXES
                           and not p.name.startswith("."))
            if not files:
                raise SendclfError(f"{name}: folder has no {', '.join(SUPPORTED_SUFFIXES)} files")
            yield from ((str(p), p) for p in files)
        elif path.is_file():
            yield name, path
        elif path.exists():
            raise SendclfError(f"{name}: not a regular file or folder")
        else:
            raise SendclfError(f"{name}: no such file or folder")


def article_list(paths: Iterable[str]) -> dict[str, dict]:
    """Resolved file path -> its entry (`file`, `area`, optionally `title`), from the article list
    (`articles.yaml`, the format of seeds/) in each folder given or in its parent; file paths in it are
    relative to the list. A damaged list, or an entry without an area, is one line."""
    import yaml

    found = {}
    for name in paths:
        folder = Path(name)
        if not folder.is_dir():
            continue
        for listing in (folder / ARTICLE_LIST, folder.parent / ARTICLE_LIST):
            if not listing.is_file():
                continue
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
