"""Letters in PDF (and Word .docx): their prose without the page and letter furniture, a paragraph a line.

Ofsted and the CQC publish local-area SEND outcome letters as PDFs. Their text layer (no OCR: a scan has
none) comes out as page lines: running headers and footers, page numbers, the recipient's address block,
words hyphenated across lines and sentences broken across pages. `letter_text` drops or mends these, so
`sentences.paragraph_sentences` gets prose as it gets a news article. Paragraphs are told apart by the
vertical gaps between lines, so a heading does not run into the paragraph under it. pypdf is imported only
when a PDF is read; a .docx is read with the standard library alone (its headers and footers are separate
parts).
"""

from __future__ import annotations

import math
import re
from contextlib import contextmanager
from dataclasses import dataclass

from sendclf.errors import SendclfError

PDF_MAGIC = b"%PDF-"
MAGIC_WINDOW = 1024  # the PDF header may follow a little junk, as readers allow
EOF_MARKER = b"%%EOF"
EOF_WINDOW = 1024  # a complete PDF ends with %%EOF, give or take trailing whitespace or NULs
REASON_CHARS = 80  # how much of a parser's message an error line quotes

# Running headers and footers: a line among the first or last EDGE_LINES of a page that recurs (digits
# aside, so "Page 2 of 5" in a footer still matches) on at least RUNNING_SHARE of the pages, and on two.
EDGE_LINES = 3
RUNNING_SHARE = 0.5
MIN_RUNNING_PAGES = 2
PAGE_NUMBER = re.compile(r"(?:page\s*)?[-–—]?\s*\d{1,4}\s*[-–—]?(?:\s*(?:of|/)\s*\d{1,4})?", re.IGNORECASE)

# A gap between two lines wider than this many times the document's line pitch starts a paragraph. The
# pitch is the PITCH_QUANTILE of the drops from one line to the next (most are inside paragraphs, but
# letters have many short ones), ignoring drops under MIN_LINE_DROP points (raised or lowered text).
PARAGRAPH_GAP = 1.3
PITCH_QUANTILE = 0.25
MIN_LINE_DROP = 4.0
# A line may sit a little above the one before (superscripts, baseline jitter) and still follow it.
BASELINE_TOLERANCE = 0.5

SENTENCE_END = re.compile(r"[.!?:;][\"”’')\]]*$")
BULLET = re.compile(r"^\s*(?:[•●▪◦‣■□○◆➢✓\ue000-\uf8ff]\s*|\d{1,2}[.)]\s+)")  # \ue000-: Symbol-font bullets

# A short line is under SHORT_LINE_SHARE of a full one (the FULL_LINE_QUANTILE of the letter's line
# lengths): a line that wraps on to the next one, or the next page, is a full one.
SHORT_LINE_SHARE = 0.6
FULL_LINE_QUANTILE = 0.9
# The address block above a letter's first paragraph: short lines that end no sentence or word, and any
# line with a postcode, phone number, e-mail or web address. Dropping stops at the first line that is
# neither.
CONTACT = re.compile(
    r"\b[A-Z]{1,2}\d[A-Z\d]?\s*\d[A-Z]{2}\b"  # a UK postcode
    r"|\S+@\S+\.\w+|\bwww\.\S+|https?://\S+"
    r"|^(?:T|Tel|Telephone|Textphone|Phone|Fax|Email|E)\b\.?:?\s*\+?[\d(]")
# "Yours sincerely" closes the letter: the signature, inspectors' names and copy list follow.
SIGN_OFF = re.compile(r"^\s*yours\s+(?:sincerely|faithfully|truly)\b", re.IGNORECASE)

# A word hyphenated across a line break ("assess-" / "ment") is joined without its hyphen, unless the
# hyphen is real: the line after starts with a capital or digit ("non-" / "SEND"), the hyphenated form is
# written elsewhere in the letter, or it is a common compound (its first or last part is below). When the
# joined word is written elsewhere in the letter, that wins.
LINE_END_HYPHEN = re.compile(r"([A-Za-z]+)-$")
SOFT_HYPHEN = "\u00ad"
COMPOUND_HEADS = frozenset(
    "co non self well ill cross long short full part high low face year one two three first joined "
    "decision person child family evidence school age".split())
COMPOUND_TAILS = frozenset(
    "based centred centered led making term time up level wide related specific focused quality being "
    "funded known old agency professional".split())
WORD = re.compile(r"[A-Za-z]+(?:-[A-Za-z]+)*")

# Ligatures and no-break spaces of the printed page as the plain letters and spaces the models know.
PLAIN_TEXT = str.maketrans({"ﬀ": "ff", "ﬁ": "fi", "ﬂ": "fl", "ﬃ": "ffi", "ﬄ": "ffl", "\u00a0": " "})

DOCX_BODY = "word/document.xml"
W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
ZIP_MAGIC = b"PK\x03\x04"
OLE_MAGIC = b"\xd0\xcf\x11\xe0"  # an encrypted .docx, or an old .doc, is an OLE file, not a zip


@dataclass(frozen=True)
class Line:
    """One text line of a page; `y` is its baseline (PDF points, up is larger; None when unknown)."""

    text: str
    y: float | None = None


# ---- reading PDFs ----------------------------------------------------------------------------------


@contextmanager
def quiet_pypdf():
    """pypdf reports damage it works around through logging and warnings; the error line says enough."""
    import logging
    import warnings

    logger = logging.getLogger("pypdf")
    level = logger.level
    logger.setLevel(logging.CRITICAL)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            yield
    finally:
        logger.setLevel(level)


def page_lines(page) -> list[Line]:
    """A page's lines as pypdf's plain extraction gives them, each with the baseline of its first text."""
    lines: list[Line] = []
    text, y = "", None

    def visit(fragment, cm, tm, font, size):
        nonlocal text, y
        parts = fragment.split("\n")
        for i, part in enumerate(parts):
            if i:
                lines.append(Line(text, y))
                text, y = "", None
            if part.strip() and y is None:
                y = tm[4] * cm[1] + tm[5] * cm[3] + cm[5]  # the text position on the page
            text += part

    page.extract_text(visitor_text=visit)
    lines.append(Line(text, y))
    cleaned = (Line(" ".join(line.text.translate(PLAIN_TEXT).split()), line.y) for line in lines)
    return [line for line in cleaned if line.text]


def check_pdf_bytes(data: bytes, source: str) -> None:
    """Refuse at once what is not a PDF at all, or was cut short, before pypdf guesses at it."""
    head = data[:MAGIC_WINDOW]
    if PDF_MAGIC not in head:
        hint = ""
        if head.startswith(ZIP_MAGIC):
            hint = " (it is a zip archive: a .docx?)"
        elif b"\x00" not in head:
            hint = f" (it is text: give it a {'.html' if head.lstrip().startswith(b'<') else '.txt'} name)"
        raise SendclfError(f"{source}: not a PDF file (no %PDF- header){hint}")
    if EOF_MARKER not in data[-EOF_WINDOW:]:
        raise SendclfError(f"{source}: truncated PDF (no %%EOF at its end): download it again")


def pdf_pages(data: bytes, source: str) -> list[list[Line]]:
    """The lines of every page of a PDF; an encrypted, damaged or image-only PDF is one clear error."""
    check_pdf_bytes(data, source)
    import io

    from pypdf import PdfReader
    from pypdf.errors import DependencyError

    with quiet_pypdf():
        try:
            reader = PdfReader(io.BytesIO(data))
            if reader.is_encrypted and not reader.decrypt(""):
                raise SendclfError(f"{source}: encrypted PDF that needs a password: save an unprotected copy")
            pages = [page_lines(page) for page in reader.pages]
        except SendclfError:
            raise
        except DependencyError:
            raise SendclfError(f"{source}: encrypted PDF (AES) that cannot be opened without the "
                               f"'cryptography' package: pip install cryptography, or save an "
                               f"unprotected copy") from None
        except Exception as error:  # a damaged file can fail anywhere in pypdf, with any exception
            reason = (str(error).splitlines() or [type(error).__name__])[0][:REASON_CHARS]
            raise SendclfError(f"{source}: damaged PDF that cannot be read ({reason})") from None
    if not pages:
        raise SendclfError(f"{source}: PDF with no pages")
    if not any(pages):
        raise SendclfError(f"{source}: PDF with no text layer (scanned or image-only?): sendclf reads text, "
                           f"not images; run OCR on it first")
    return pages


def pdf_text(data: bytes, source: str) -> str:
    """The prose of a PDF letter, a paragraph a line."""
    return letter_text(pdf_pages(data, source))


# ---- removing the furniture ------------------------------------------------------------------------


def running_key(text: str) -> str:
    return re.sub(r"\d+", "#", text.lower())


def drop_running_lines(pages: list[list[Line]]) -> list[list[Line]]:
    """Pages without page numbers and the headers and footers that recur at the top or bottom of most."""
    def edges(page: list[Line]) -> list[int]:
        return sorted(set(range(min(EDGE_LINES, len(page)))) | set(range(max(0, len(page) - EDGE_LINES),
                                                                           len(page))))

    counts: dict[str, int] = {}
    for page in pages:
        for key in {running_key(page[i].text) for i in edges(page)}:
            counts[key] = counts.get(key, 0) + 1
    needed = max(MIN_RUNNING_PAGES, math.ceil(RUNNING_SHARE * len(pages)))
    running = {key for key, count in counts.items() if count >= needed}
    kept = []
    for page in pages:
        furniture = {i for i in edges(page)
                     if PAGE_NUMBER.fullmatch(page[i].text) or running_key(page[i].text) in running}
        kept.append([line for i, line in enumerate(page) if i not in furniture])
    return kept


def ends_sentence(text: str) -> bool:
    return SENTENCE_END.search(text) is not None


def quantile(values: list[float], share: float) -> float:
    """The value `share` of the way up the sorted values, rounded up: the largest of ten or fewer at 0.9."""
    ordered = sorted(values)
    return ordered[math.ceil(share * (len(ordered) - 1))]


def short_length(texts: list[str]) -> float:
    """Lines shorter than this are short (see SHORT_LINE_SHARE)."""
    return SHORT_LINE_SHARE * quantile([len(text) for text in texts], FULL_LINE_QUANTILE)


def address_lines(texts: list[str]) -> int:
    """How many of the first lines are the letter's address block (sender, recipient, date, "Dear ...").
    0 when no other line follows them: then they are no block above a letter."""
    if not texts:
        return 0
    short_line = short_length(texts)
    count = 0
    for text in texts:
        short = len(text) < short_line and not ends_sentence(text) and not text.endswith("-")
        if not (short or CONTACT.search(text)):
            return count
        count += 1
    return 0


def sign_off_line(texts: list[str]) -> int:
    """The index of "Yours sincerely" (everything from it on is signature), else the number of lines."""
    return next((i for i, text in enumerate(texts) if SIGN_OFF.match(text)), len(texts))


def without_letter_furniture(texts: list[str]) -> slice:
    """The lines between the address block and the sign-off."""
    return slice(address_lines(texts), sign_off_line(texts))


def join_hyphenated(head: str, tail: str, vocabulary: set[str]) -> str:
    """Two lines joined where the first ends with a hyphen after a letter (see LINE_END_HYPHEN's rule)."""
    first = LINE_END_HYPHEN.search(head).group(1)
    second = WORD.match(tail)
    if not tail[:1].islower() or second is None:
        return head + tail
    second_part = second.group().split("-")[0]
    joined, hyphenated = (first + second_part).lower(), f"{first}-{second_part}".lower()
    real = (hyphenated in vocabulary or first.lower() in COMPOUND_HEADS
            or second_part.lower() in COMPOUND_TAILS)
    if joined in vocabulary or not real:
        return head[:-1] + tail
    return head + tail


def join_lines(head: str, tail: str, vocabulary: set[str]) -> str:
    """A line wrapped inside a paragraph joined to the next, mending a word broken across them."""
    if head.endswith(SOFT_HYPHEN):
        return head[:-1] + tail
    if LINE_END_HYPHEN.search(head):
        return join_hyphenated(head, tail, vocabulary)
    return f"{head} {tail}"


def line_pitch(pages: list[list[Line]]) -> float | None:
    """The distance between the baselines of two lines of a paragraph (see PITCH_QUANTILE)."""
    drops = [above.y - below.y for page in pages for above, below in zip(page, page[1:], strict=False)
             if above.y is not None and below.y is not None and above.y - below.y >= MIN_LINE_DROP]
    return quantile(drops, PITCH_QUANTILE) if drops else None


def paragraphs(pages: list[list[Line]], pitch: float | None) -> list[str]:
    """Lines joined into paragraphs. A paragraph starts after a wide gap, at a bullet, or at a new page
    whose previous page ended a sentence or with a short line: a sentence broken across pages stays whole."""
    short_line = short_length([line.text for page in pages for line in page]) if pages else 0
    vocabulary = {w.lower() for page in pages for line in page for w in WORD.findall(line.text)}
    result: list[str] = []
    previous: Line | None = None
    for page in pages:
        for i, line in enumerate(page):
            text = BULLET.sub("", line.text) if BULLET.match(line.text) else line.text
            if i == 0:
                starts = (previous is None or ends_sentence(previous.text)
                          or len(previous.text) < short_line)
            else:
                above = page[i - 1]
                starts = (pitch is not None and above.y is not None and line.y is not None
                          and (above.y - line.y > PARAGRAPH_GAP * pitch
                               or line.y - above.y > BASELINE_TOLERANCE * pitch))
            if starts or not result or BULLET.match(line.text):
                result.append(text)
            else:
                result[-1] = join_lines(result[-1], text, vocabulary)
            previous = line
    return [p for p in result if p.strip()]


def letter_text(pages: list[list[Line]]) -> str:
    """A letter's prose, a paragraph a line: no running headers, footers or page numbers, no address block
    or signature, lines and pages rejoined."""
    pitch = line_pitch(pages)  # from every line, furniture included: the more the surer
    pages = drop_running_lines(pages)
    flat = [(p, line) for p, page in enumerate(pages) for line in page]
    keep = without_letter_furniture([line.text for _, line in flat])
    kept: list[list[Line]] = [[] for _ in pages]
    for p, line in flat[keep]:
        kept[p].append(line)
    return "\n".join(paragraphs([page for page in kept if page], pitch))


# ---- reading .docx ---------------------------------------------------------------------------------


def docx_paragraphs(data: bytes, source: str) -> list[str]:
    """The text of every w:p paragraph of the document body (tables included), in order."""
    import io
    import zipfile
    from xml.etree import ElementTree

    if data.startswith(OLE_MAGIC):
        raise SendclfError(f"{source}: not a .docx but an encrypted or old-format Word file: save it as an "
                           f"unprotected .docx")
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            body = ElementTree.fromstring(archive.read(DOCX_BODY))
    except (zipfile.BadZipFile, KeyError):
        raise SendclfError(f"{source}: not a Word .docx file (no {DOCX_BODY} in a zip archive)") from None
    except (ElementTree.ParseError, OSError, RuntimeError, zipfile.LargeZipFile) as error:
        reason = str(error).splitlines()[0][:REASON_CHARS] if str(error) else type(error).__name__
        raise SendclfError(f"{source}: damaged .docx that cannot be read ({reason})") from None
    texts = []
    for paragraph in body.iter(f"{W}p"):
        parts = []
        for node in paragraph.iter():
            if node.tag == f"{W}t" and node.text:
                parts.append(node.text)
            elif node.tag in (f"{W}tab", f"{W}br", f"{W}cr"):
                parts.append(" ")
            elif node.tag == f"{W}noBreakHyphen":
                parts.append("-")
        text = " ".join("".join(parts).translate(PLAIN_TEXT).split())
        if text:
            texts.append(BULLET.sub("", text))
    return texts


def docx_text(data: bytes, source: str) -> str:
    """The prose of a .docx letter, a paragraph a line, without its address block and signature."""
    texts = docx_paragraphs(data, source)
    if not texts:
        raise SendclfError(f"{source}: no text in this .docx")
    return "\n".join(texts[without_letter_furniture(texts)])
