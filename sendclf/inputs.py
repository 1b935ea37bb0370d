"""Reading new text for `sendclf classify` and `sendclf suggest`: files, folders, web pages, letters (PDF,
.docx), JSONL, stdin.

Articles (.txt, .md, stdin, the main text of .html pages, and the prose of .pdf and .docx letters, see
`sendclf.pdf`) go through `corpus.article_sentences`, so they
are cleaned and split exactly as the labelled seeds were; a .jsonl file holds sentences that are classified
as they are, and so does stdin when it starts with "{" (no article does; JSONL always does). Every input is
read and checked before any model is loaded, so a bad path fails in milliseconds, never after a long model
load. trafilatura is imported only for web pages, pypdf only for PDFs.
"""

from __future__ import annotations

import codecs
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from sendclf.corpus import article_sentences, clean_lines, split_sentences
from sendclf.errors import SendclfError
from sendclf.jsonl import json_lines

ARTICLE_SUFFIXES = (".txt", ".md")
HTML_SUFFIXES = (".html", ".htm")
JSONL_SUFFIXES = (".jsonl",)
PDF_SUFFIXES = (".pdf",)
DOCX_SUFFIXES = (".docx",)
SUPPORTED_SUFFIXES = ARTICLE_SUFFIXES + HTML_SUFFIXES + PDF_SUFFIXES + DOCX_SUFFIXES + JSONL_SUFFIXES
STDIN = "-"
STDIN_SOURCE = "stdin"
JSONL_START = b"{"  # stdin whose first non-blank byte is this is read as JSONL
MANIFEST_NAME = "articles.yaml"  # names the area of each article file, as seeds/articles.yaml does

UTF8 = "utf-8"
CP1252 = "cp1252"
# Longest first: the UTF-32 little-endian BOM starts with the UTF-16 one.
UNICODE_BOMS = ((codecs.BOM_UTF32_LE, "utf-32"), (codecs.BOM_UTF32_BE, "utf-32"),
                (codecs.BOM_UTF16_LE, "utf-16"), (codecs.BOM_UTF16_BE, "utf-16"))


@dataclass(frozen=True)
class Item:
    """One sentence to classify; `paragraph` keeps the article's layout for the HTML view."""

    id: str
    index: int
    text: str
    paragraph: int


@dataclass
class Document:
    source: str
    kind: str  # "article" (split into sentences) or "sentences" (JSONL, one record each)
    items: list[Item]
    encoding: str = UTF8


# ---- reading inputs --------------------------------------------------------------------------------


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


def extract_html(html: str, source: str) -> str:
    """The main text of a web page: navigation, comments, adverts and boilerplate are dropped. (No
    deduplication: trafilatura's is a process-wide cache that empties a page seen twice.)"""
    import trafilatura

    text = trafilatura.extract(html, include_comments=False, include_tables=False, include_images=False,
                               include_links=False, include_formatting=False, favor_precision=True,
                               deduplicate=False, with_metadata=False, output_format="txt")
    if not text or not text.strip():
        hint = "" if "<" in html else " (it has no HTML tags: give plain text a .txt name)"
        raise SendclfError(f"{source}: no article text found in this HTML page{hint}")
    return text


def article_items(source: str, raw: str) -> list[Item]:
    """Sentences exactly as the seeds were split, each with the index of the paragraph it came from."""
    sentences = article_sentences(source, raw)
    paragraphs = [p for p, line in enumerate(clean_lines(raw)) for _ in split_sentences(line)]
    return [Item(f"{source}:{s.index}", s.index, s.text, p)
            for s, p in zip(sentences, paragraphs, strict=True)]


def jsonl_items(source: str, text: str) -> list[Item]:
    """One sentence per record, taken as is; blank lines are skipped, anything else malformed is an error."""
    items = []
    for _, where, record in json_lines(text, source, ", line "):
        if not isinstance(record, dict):
            raise SendclfError(f"{where}: expected a JSON object with a \"text\" field")
        sentence = record.get("text")
        if not isinstance(sentence, str) or not sentence.strip():
            raise SendclfError(f"{where}: no \"text\" (a non-empty string) in this record")
        record_id = record.get("id")
        if record_id is not None and not isinstance(record_id, str | int):
            raise SendclfError(f"{where}: \"id\" must be a string or an integer")
        index = len(items)
        items.append(Item(str(record_id) if record_id is not None else f"{source}:{index}", index,
                          sentence.strip(), index))
    return items


def letter_document(source: str, data: bytes, suffix: str) -> Document:
    """A PDF or .docx letter: binary, so not decoded; its prose is read as an article."""
    from sendclf import pdf

    text = pdf.pdf_text(data, source) if suffix in PDF_SUFFIXES else pdf.docx_text(data, source)
    items = article_items(source, text)
    if not items:
        raise SendclfError(f"{source}: no sentences to classify")
    return Document(source, "article", items)


def document_from_bytes(source: str, data: bytes, suffix: str) -> Document:
    """One document from a file's bytes; the suffix says how to read it (anything unknown is an article)."""
    if not data.strip():
        raise SendclfError(f"{source}: empty file")
    if suffix in PDF_SUFFIXES + DOCX_SUFFIXES:
        return letter_document(source, data, suffix)
    text, encoding = decode(data, source)
    if not text.strip():
        raise SendclfError(f"{source}: empty file")
    if suffix in JSONL_SUFFIXES:
        items, kind = jsonl_items(source, text), "sentences"
    else:
        if suffix in HTML_SUFFIXES:
            text = extract_html(text, source)
        items, kind = article_items(source, text), "article"
    if not items:
        raise SendclfError(f"{source}: no sentences to classify")
    return Document(source, kind, items, encoding)


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


def manifest_entries(paths: Iterable[str]) -> list[tuple[Path, dict]]:
    """(resolved file, entry) for every entry of an `articles.yaml` manifest (the format of seeds/) in a
    folder given or in its parent; file paths in it are relative to the manifest. A damaged manifest is
    one line."""
    import yaml

    found = []
    for name in paths:
        folder = Path(name)
        if not folder.is_dir():
            continue
        for manifest in (folder / MANIFEST_NAME, folder.parent / MANIFEST_NAME):
            if not manifest.is_file():
                continue
            try:
                entries = yaml.safe_load(manifest.read_text(encoding=UTF8)) or []
            except (OSError, UnicodeDecodeError, yaml.YAMLError) as error:
                raise SendclfError(f"{manifest}: not a readable YAML manifest "
                                   f"({str(error).splitlines()[0]})") from None
            if not isinstance(entries, list) or not all(isinstance(e, dict) and "file" in e for e in entries):
                raise SendclfError(f"{manifest}: each entry needs file and area")
            found += [((manifest.parent / str(e["file"])).resolve(), e) for e in entries]
    return found


def read_areas(paths: list[str]) -> dict[str, str]:
    """Resolved file path -> area, from the manifests `manifest_entries` finds."""
    entries = manifest_entries(paths)
    missing = [str(file) for file, entry in entries if "area" not in entry]
    if missing:
        raise SendclfError(f"{missing[0]}: its manifest entry needs file and area")
    return {str(file): str(entry["area"]) for file, entry in entries}


def read_documents(paths: list[str], stdin: bytes | None = None) -> list[Document]:
    """Every input as a document; no paths means stdin, whose bytes the caller reads and passes in."""
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
        documents.append(document_from_bytes(source, data, path.suffix.lower()))
    return documents
