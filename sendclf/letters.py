"""Letters in PDF (and Word .docx): their prose without the page and letter furniture, a paragraph a line.

Ofsted and the CQC publish local-area SEND outcome letters as PDFs. Their text layer (no OCR: a scan has
none) comes out as positioned strings: running headers and footers, page numbers, the sender's and the
recipient's address blocks (often side by side), tables of names and roles, words hyphenated across lines
and sentences broken across pages. `pdf_letter` reads each shown string with its x and y (glyphs drawn
one by one, as Chromium prints, joined into runs), so strings set side by side are table cells (or an
address beside a date), never one glued line; it then drops what is
furniture by the one shared test (`sendclf.furniture`: addresses, contacts, the salutation, the sign-off,
names and roles, table cells that are not sentences) and mends the rest, so
`sentences.paragraph_sentences` gets prose as it gets a news article. The title is the letter's own
heading, else the PDF's title. pypdf is imported only when a PDF is read; a .docx is read with the
standard library alone (its headers and footers are separate parts; its tables are w:tbl cells).
"""

from __future__ import annotations

import math
import re
from contextlib import contextmanager
from dataclasses import dataclass, replace

from sendclf import furniture
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

# Strings on one line: baselines within ROW_TOLERANCE of the font size (a raised footnote mark too).
# A string's width is estimated at CHAR_WIDTH of the font size a character, give or take WIDTH_SLACK of the
# estimate (pypdf gives where a string starts, not where it ends). A string starts a new cell when it
# begins more than CELL_GAP font sizes after the end of the one before it; exactly (within ALIGN_TOLERANCE
# points) where such a cell starts on other lines of the page (a column); or when it was not drawn right
# after the string to its left. Strings moved on along a line in one text object (glyph by glyph, or a
# justified line's words) first join into runs, each within RUN_GAP font sizes of the one before.
ROW_TOLERANCE = 0.5
CHAR_WIDTH = 0.5
WIDTH_SLACK = 0.1
CELL_GAP = 1.5
PLACED_CELL_GAP = 1.0  # for a string set at a position of its own, as a table's cells are
RUN_GAP = 3.0
COLUMN_ROWS = 2  # a column is where cells a wide gap proves start on this many lines
ALIGN_TOLERANCE = 1.0
# Two pieces of text are side by side (table cells, or an address beside a date) when their baselines are
# within BESIDE_BAND font sizes and one lies wholly to the right of the other. A line under or over a cell,
# within CELL_DROP font sizes, starting at its x (within COLUMN_TOLERANCE font sizes) and ending before the
# next column, belongs to that cell's column (a blank line is more than CELL_DROP).
BESIDE_BAND = 1.5
CELL_DROP = 2.1
COLUMN_TOLERANCE = 1.0
# Text this much larger than the body's commonest size is a heading, as bold text is.
LARGER = 1.15
BOLD_FONT = re.compile(r"bold|black|heavy|semibold|demi", re.IGNORECASE)
TEXT_SHOWING = (b"Tj", b"TJ", b"'", b'"')

SENTENCE_END = re.compile(r"[.!?:;][\"”’')\]]*$")
BULLET = re.compile(r"^\s*(?:[•●▪◦‣■□○◆➢✓\ue000-\uf8ff]\s*|\d{1,2}[.)]\s+)")  # \ue000-: Symbol-font bullets

# A short line is under SHORT_LINE_SHARE of a full one (the FULL_LINE_QUANTILE of the letter's line
# lengths): a line that wraps on to the next one, or the next page, is a full one; a short one ends its
# paragraph.
SHORT_LINE_SHARE = 0.6
FULL_LINE_QUANTILE = 0.9
# The letter's heading, and its title: emphasised (bold or larger) text of at least HEADING_MIN_WORDS
# words, before the first paragraph of prose. Lines above "Dear ..." are the letter's head (sender,
# date, recipient) and go, but for such a heading.
HEADING_MIN_WORDS = 3
HEADING_MAX_WORDS = 12  # a section's heading is no longer than this
# A title in a file's metadata that only names a file or a template says nothing.
NO_TITLE = re.compile(r"\.(?:docx?|pdf|html?|odt|rtf)$|^microsoft word\b|^untitled\b|^document\d*$",
                      re.IGNORECASE)

# A word hyphenated across a line break ("assess-" / "ment") is joined without its hyphen, unless the
# hyphen is real: the line after starts with a capital or digit ("non-" / "SEND"), a digit comes before
# it ("20-" / "week"), the hyphenated form is written elsewhere in the letter, or it is a common compound
# (its first or last part is below). When the joined word is written elsewhere in the letter, that wins.
LINE_END_HYPHEN = re.compile(r"([A-Za-z0-9]+)-$")
SOFT_HYPHEN = "\u00ad"
COMPOUND_HEADS = frozenset(
    "co non self well ill cross long short full part high low face year one two three first joined "
    "decision person child family evidence school age".split())
COMPOUND_TAILS = frozenset(
    "based centred centered led making term time up level wide related specific focused quality being "
    "funded known old agency professional week day month year hour".split())
WORD = re.compile(r"[A-Za-z]+(?:-[A-Za-z]+)*")

# Ligatures and no-break spaces of the printed page as the plain letters and spaces the models know.
PLAIN_TEXT = str.maketrans({"ﬀ": "ff", "ﬁ": "fi", "ﬂ": "fl", "ﬃ": "ffi", "ﬄ": "ffl", "\u00a0": " "})

DOCX_BODY = "word/document.xml"
DOCX_PROPERTIES = "docProps/core.xml"
W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
DC_TITLE = "{http://purl.org/dc/elements/1.1/}title"
DOCX_HEADING_STYLE = re.compile(r"heading|title", re.IGNORECASE)
ZIP_MAGIC = b"PK\x03\x04"
OLE_MAGIC = b"\xd0\xcf\x11\xe0"  # an encrypted .docx, or an old .doc, is an OLE file, not a zip


@dataclass(frozen=True)
class Line:
    """One text line of a page; `y` is its baseline (PDF points, up is larger; None when unknown), `x` its
    start. `bold` marks a heading's emphasis (bold or large type); `cell` a table cell, or text set beside
    other text: it is kept only when it reads as a sentence."""

    text: str
    y: float | None = None
    x: float | None = None
    size: float | None = None
    bold: bool = False
    cell: bool = False


@dataclass(frozen=True)
class Letter:
    """A letter's prose, a paragraph a line, and its title (None when it shows none)."""

    text: str
    title: str | None


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


@dataclass(eq=False)
class Piece:
    """Text shown at one place: a string as the PDF shows it, or strings merged along a line."""

    text: str
    x: float
    y: float
    size: float
    bold: bool
    order: int = 0  # its place in the page's drawing order
    last: int | None = None  # the drawing order of its last string, when merged
    block: int = 0  # the text object (BT ... ET) it was drawn in
    placed: bool = True  # set at a position of its own (Tm, or a new text object), not moved on by Td

    def end(self) -> float:
        """Where the text ends, estimated (see CHAR_WIDTH)."""
        return self.x + CHAR_WIDTH * self.size * max(1, len(self.text.strip()))

    def margin(self) -> float:
        """How far off `end` may be."""
        return WIDTH_SLACK * (self.end() - self.x)


def shown_strings(page, reader) -> list[Piece]:
    """Every string the page shows, with its start, font size and weight. pypdf's extraction hands text to
    a visitor when the font is set, so the font is set again after each string shown: each then comes with
    its own position, and two cells on one line are never one string."""
    from pypdf.generic import ContentStream, NameObject

    if page.get_contents() is None:
        return []
    content = ContentStream(page.get_contents(), reader, "bytes")  # bytes: as pypdf's extraction reads it
    operations, font = [], None
    for operands, operator in content.operations:
        operations.append((operands, operator))
        if operator == b"Tf":
            font = list(operands)
        elif operator in TEXT_SHOWING and font is not None:
            operations.append((list(font), b"Tf"))
    content.operations = operations
    page[NameObject("/Contents")] = content
    strings: list[Piece] = []
    state = {"block": 0, "placed": True, "shown": True}  # the text object; how the next string was placed

    def watch(operator, operands, cm, tm):
        if operator == b"BT":
            state.update(block=state["block"] + 1, placed=True)
        elif operator == b"Tm":
            state["placed"] = True
        elif operator in TEXT_SHOWING:
            state.update(shown=state["placed"], placed=False)

    def visit(text, cm, tm, font_resource, size):
        if not text.strip("\n"):  # a space shown on its own is kept: it parts words drawn glyph by glyph
            return
        text = " ".join(text.translate(PLAIN_TEXT).split("\n"))
        x = tm[4] * cm[0] + tm[5] * cm[2] + cm[4]
        y = tm[4] * cm[1] + tm[5] * cm[3] + cm[5]
        size = (size or 1) * (math.hypot(tm[2] * cm[0] + tm[3] * cm[2], tm[2] * cm[1] + tm[3] * cm[3]) or 1)
        name = str(font_resource.get("/BaseFont", "")) if font_resource else ""
        strings.append(Piece(text, x, y, size, BOLD_FONT.search(name) is not None, len(strings),
                             block=state["block"], placed=state["shown"]))

    page.extract_text(visitor_text=visit, visitor_operand_before=watch)
    return strings


def rows(strings: list[Piece]) -> list[list[Piece]]:
    """Strings grouped into lines by baseline, top to bottom, each line left to right."""
    result: list[list[Piece]] = []
    for piece in sorted(strings, key=lambda p: -p.y):
        if result and abs(result[-1][0].y - piece.y) <= ROW_TOLERANCE * piece.size:
            result[-1].append(piece)
        else:
            result.append([piece])
    return [sorted(row, key=lambda p: p.x) for row in result]


def merged(pieces: list[Piece], keep_spaces: bool = False) -> Piece:
    text = "".join(p.text for p in pieces)
    text = text if keep_spaces else " ".join(text.split())
    bold = sum(len(p.text) for p in pieces if p.bold) * 2 >= sum(len(p.text) for p in pieces)
    return Piece(text, pieces[0].x, pieces[0].y, max(p.size for p in pieces), bold, pieces[0].order,
                 drawn_last(pieces[-1]), pieces[-1].block, pieces[0].placed)


def drawn_last(piece: Piece) -> int:
    return piece.order if piece.last is None else piece.last


def runs(row: list[Piece]) -> list[Piece]:
    """A line's strings merged into runs where each is moved on (Td) from the one drawn just before it, in
    the same text object, within RUN_GAP font sizes of its estimated end: text drawn glyph by glyph or
    word by word (as Chromium prints, a justified line's words spread apart) is one run. The columns of
    `split_row` are then looked for at the start of a run, never inside a word."""
    result: list[list[Piece]] = []
    for piece in sorted(row, key=lambda p: p.order):
        last = result[-1][-1] if result else None
        if (last is not None and piece.order == last.order + 1 and piece.block == last.block
                and not piece.placed and piece.x - last.end() <= RUN_GAP * piece.size + last.margin()):
            result[-1].append(piece)
        else:
            result.append([piece])
    return sorted((merged(run, keep_spaces=True) for run in result), key=lambda p: p.x)


def split_row(row: list[Piece], columns: list[float]) -> list[Piece]:
    """A line's strings merged into pieces. A new piece begins at a wide gap, at a known column's start, or
    at a string not drawn right after the one to its left (a table drawn cell by cell: a centred cell
    beside the second line of a wrapped one)."""
    pieces: list[list[Piece]] = [[row[0]]]
    for piece in row[1:]:
        current = merged(pieces[-1])
        gap = (PLACED_CELL_GAP if piece.placed else CELL_GAP) * piece.size
        wide = piece.x - current.end() > gap + current.margin()
        apart = piece.order != drawn_last(pieces[-1][-1]) + 1
        if wide or apart or any(abs(piece.x - column) <= ALIGN_TOLERANCE for column in columns):
            pieces.append([piece])
        else:
            pieces[-1].append(piece)
    return [merged(group) for group in pieces]


def beside(a: Piece, b: Piece) -> bool:
    """Side by side: on one line (`split_row` set them apart), or baselines close and one wholly to the
    right of the other."""
    if a is b or abs(a.y - b.y) > BESIDE_BAND * max(a.size, b.size):
        return False
    left, right = (a, b) if a.x < b.x else (b, a)
    return abs(a.y - b.y) <= ROW_TOLERANCE * max(a.size, b.size) or right.x >= left.end()


def page_lines(page, reader) -> list[Line]:
    """A page's lines, top to bottom; text set side by side becomes cells, each cell's lines joined."""
    found = [runs(row) for row in rows(shown_strings(page, reader))]
    starts = [round(p.x / ALIGN_TOLERANCE) for row in found for p in split_row(row, [])[1:]]
    columns = [start * ALIGN_TOLERANCE for start in set(starts) if starts.count(start) >= COLUMN_ROWS]
    pieces = [p for row in found for p in split_row(row, columns) if p.text]
    cells = [p for p in pieces if any(beside(p, q) for q in pieces)]
    grown = True
    while grown:  # a cell's wrapped lines, above or below the line it shares, belong to its column
        more = [p for p in pieces if p not in cells and any(in_column(p, cell, cells) for cell in cells)]
        cells += more
        grown = bool(more)
    lines = [Line(p.text, p.y, p.x, p.size, p.bold) for p in pieces if p not in cells]
    lines += [Line(c.text, c.y, c.x, c.size, c.bold, cell=True) for c in joined_cells(cells)]
    return sorted(lines, key=lambda line: (-line.y, line.x))


def in_column(piece: Piece, cell: Piece, cells: list[Piece]) -> bool:
    """The piece sits just under or over the cell, at its x, in the same weight, and ends before the next
    column to its right (a cell beside this one)."""
    drop = abs(cell.y - piece.y)
    next_column = min((c.x for c in cells if c.x > cell.x + COLUMN_TOLERANCE * cell.size and beside(c, cell)),
                      default=math.inf)
    return (0 < drop <= CELL_DROP * cell.size and abs(piece.x - cell.x) <= COLUMN_TOLERANCE * cell.size
            and piece.bold == cell.bold and piece.end() <= next_column)


def joined_cells(cells: list[Piece]) -> list[Piece]:
    """A column's pieces joined where one continues the sentence above it: the one above ends no sentence,
    and this one starts in lower case (or the one above ends with a comma or hyphen), and is no web or
    e-mail address. Never across columns: cells side by side stay apart."""
    result: list[Piece] = []
    bottom = 0.0  # the baseline of the last line joined into the last cell
    for cell in sorted(cells, key=lambda c: (round(c.x), -c.y)):
        above = result[-1] if result else None
        continues = (above is not None and abs(above.x - cell.x) <= COLUMN_TOLERANCE * cell.size
                     and 0 < bottom - cell.y <= CELL_DROP * cell.size and not ends_sentence(above.text)
                     and (cell.text[:1].islower() or above.text.endswith((",", "-")))
                     and not furniture.CONTACT.search(cell.text))
        if continues:
            result[-1] = replace(above, text=join_lines(above.text, cell.text, set()))
        else:
            result.append(cell)
        bottom = cell.y
    return result


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


def pdf_pages(data: bytes, source: str) -> tuple[list[list[Line]], str | None]:
    """The lines of every page of a PDF and its title metadata; an encrypted, damaged or image-only PDF is
    one clear error."""
    check_pdf_bytes(data, source)
    import io

    from pypdf import PdfReader
    from pypdf.errors import DependencyError

    with quiet_pypdf():
        try:
            reader = PdfReader(io.BytesIO(data))
            if reader.is_encrypted and not reader.decrypt(""):
                raise SendclfError(f"{source}: encrypted PDF that needs a password: save an unprotected copy")
            pages = [page_lines(page, reader) for page in reader.pages]
            title = metadata_title(reader.metadata.title if reader.metadata else None)
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
    return pages, title


def metadata_title(title) -> str | None:
    """A file's own title, unless it only names a file or a template."""
    title = " ".join(str(title or "").split())
    return title if title and not NO_TITLE.search(title) else None


def pdf_letter(data: bytes, source: str) -> Letter:
    """The prose of a PDF letter, a paragraph a line, and its title."""
    pages, title = pdf_pages(data, source)
    return read_letter(pages, title)


def pdf_text(data: bytes, source: str) -> str:
    """The prose of a PDF letter, a paragraph a line."""
    return pdf_letter(data, source).text


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
        dropped = {i for i in edges(page)
                   if PAGE_NUMBER.fullmatch(page[i].text) or running_key(page[i].text) in running}
        kept.append([line for i, line in enumerate(page) if i not in dropped])
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


def is_heading(line: Line) -> bool:
    """Emphasised text of a few words that ends no sentence and is no furniture: a letter's heading."""
    return (line.bold and not line.cell and len(furniture.words(line.text)) >= HEADING_MIN_WORDS
            and not ends_sentence(line.text) and not furniture.is_furniture(line.text))


def letter_head(lines: list[Line]) -> int:
    """How many of the first lines are the letter's head (sender, date, recipient): all lines up to and
    including "Dear ..." if it comes before the first full line of plain text that is no furniture, else
    the first lines that are short and end no sentence, or are furniture (0 when no other line follows
    them: then they are no head above a letter)."""
    if not lines:
        return 0
    short_line = short_length([line.text for line in lines])
    for i, line in enumerate(lines):
        if furniture.is_salutation(line.text):
            return i + 1
        if (len(line.text) >= short_line and not (line.cell or line.bold)
                and not furniture.is_furniture(line.text)):
            break
    for count, line in enumerate(lines):
        short = len(line.text) < short_line and not ends_sentence(line.text) and not line.text.endswith("-")
        if not (short or line.cell or furniture.is_furniture(line.text)):
            return count
    return 0


def letter_body(lines: list[Line]) -> list[bool]:
    """Which lines are the letter's body: not its head (but for a heading in it), nor the sign-off
    ("Yours sincerely") and the signatures, names and copy list after it."""
    head = letter_head(lines)
    sign_off = next((i for i, line in enumerate(lines) if i >= head and furniture.is_sign_off(line.text)),
                    len(lines))
    body: list[bool] = []
    for i, line in enumerate(lines):
        heading = is_heading(line) or (bool(body) and body[-1] and line.bold and lines[i - 1].bold)
        body.append((i >= head or heading) and i < sign_off)  # a heading's wrapped lines are bold too
    return body


def is_sentence(paragraph: Line) -> bool:
    """The shared test (sendclf.furniture); a table cell must also read as a sentence."""
    if paragraph.cell and not furniture.reads_as_prose(paragraph.text):
        return False
    return not furniture.is_furniture(paragraph.text)


def section_heading(paragraph: Line) -> bool:
    """A few words that end no sentence: they head what follows them."""
    return (not paragraph.cell and not ends_sentence(paragraph.text)
            and len(furniture.words(paragraph.text)) <= HEADING_MAX_WORDS)


def without_furniture(items: list[Line]) -> list[Line]:
    """The paragraphs that are sentences, and no heading whose whole section was furniture (a table of
    names under "Inspection team")."""
    if not items:
        return []
    kept = [is_sentence(p) for p in items]
    result = []
    for i, paragraph in enumerate(items):
        if not kept[i]:
            continue
        if section_heading(paragraph):
            section = []
            for later, keep in zip(items[i + 1:], kept[i + 1:], strict=True):
                if keep and section_heading(later):
                    break
                section.append(keep)
            if section and not any(section):
                continue
        result.append(paragraph)
    return result


def letter_title(items: list[Line], metadata: str | None) -> str | None:
    """The letter's own heading (emphasised, before its first sentence of prose), else its metadata title."""
    for paragraph in items:
        if furniture.reads_as_prose(paragraph.text):
            break
        if is_heading(paragraph):
            return paragraph.text
    return metadata


def body_size(pages: list[list[Line]]) -> float | None:
    """The commonest font size, counted in characters: the size of the letter's prose."""
    sizes: dict[float, int] = {}
    for line in (line for page in pages for line in page if line.size):
        sizes[round(line.size, 1)] = sizes.get(round(line.size, 1), 0) + len(line.text)
    return max(sizes, key=sizes.get) if sizes else None


def emphasised(pages: list[list[Line]]) -> list[list[Line]]:
    """Lines in type LARGER than the body's size marked as emphasised, like bold ones."""
    body = body_size(pages)
    if body is None:
        return pages
    return [[replace(line, bold=True) if line.size and line.size >= LARGER * body else line for line in page]
            for page in pages]


def join_hyphenated(head: str, tail: str, vocabulary: set[str]) -> str:
    """Two lines joined where the first ends with a hyphen after a letter or digit (see LINE_END_HYPHEN's
    rule)."""
    first = LINE_END_HYPHEN.search(head).group(1)
    second = WORD.match(tail)
    if not tail[:1].islower() or second is None or any(c.isdigit() for c in first):
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


def extent(line: Line) -> float:
    """How wide a line is, in characters times font size (larger type fills a line with fewer)."""
    return len(line.text) * (line.size or 1)


def paragraphs(pages: list[list[Line]], pitch: float | None) -> list[Line]:
    """Lines joined into paragraphs. A paragraph starts after a wide gap or a short line, at a bullet, a
    table cell or a change between emphasised and plain text, or at a new page whose previous page ended a
    sentence or with a short line: a sentence broken across pages stays whole."""
    widths = [extent(line) for page in pages for line in page]
    short_line = SHORT_LINE_SHARE * quantile(widths, FULL_LINE_QUANTILE) if widths else 0
    body = body_size(pages)
    vocabulary = {w.lower() for page in pages for line in page for w in WORD.findall(line.text)}
    result: list[Line] = []
    previous: Line | None = None
    for page in pages:
        for i, line in enumerate(page):
            text = BULLET.sub("", line.text) if BULLET.match(line.text) else line.text
            if previous is None:
                starts = True
            elif i == 0:
                starts = ends_sentence(previous.text) or extent(previous) < short_line
            else:
                scale = max(1.0, line.size / body) if line.size and body else 1.0  # larger type, wider pitch
                starts = ((pitch is not None and previous.y is not None and line.y is not None
                           and (previous.y - line.y > PARAGRAPH_GAP * pitch * scale
                                or line.y - previous.y > BASELINE_TOLERANCE * pitch))
                          or (extent(previous) < short_line and not previous.text.endswith("-")))
            starts = starts or line.cell or previous.cell or line.bold != previous.bold
            if starts or BULLET.match(line.text):
                result.append(replace(line, text=text))
            else:
                result[-1] = replace(result[-1], text=join_lines(result[-1].text, text, vocabulary))
            previous = line
    return [p for p in result if p.text.strip()]


def read_letter(pages: list[list[Line]], metadata_title: str | None = None, wrapped: bool = True) -> Letter:
    """A letter's prose, a paragraph a line, and its title: no running headers, footers or page numbers,
    no head, sign-off or furniture, and (`wrapped`: lines of a page, not a .docx's paragraphs) lines and
    pages rejoined."""
    pitch = line_pitch(pages)  # from every line, furniture included: the more the surer
    pages = emphasised(drop_running_lines(pages))
    flat = [(p, line) for p, page in enumerate(pages) for line in page]
    body = letter_body([line for _, line in flat])
    kept: list[list[Line]] = [[] for _ in pages]
    for (p, line), keep in zip(flat, body, strict=True):
        if keep:
            kept[p].append(line)
    if wrapped:
        items = paragraphs([page for page in kept if page], pitch)
    else:
        items = [replace(line, text=BULLET.sub("", line.text)) for page in kept for line in page]
    items = without_furniture(items)
    return Letter("\n".join(p.text for p in items), letter_title(items, metadata_title))


def letter_text(pages: list[list[Line]]) -> str:
    """A letter's prose, a paragraph a line (see `read_letter`)."""
    return read_letter(pages).text


# ---- reading .docx ---------------------------------------------------------------------------------


def docx_parts(data: bytes, source: str):
    """The document body and the core properties (None if absent) of a .docx, parsed."""
    import io
    import zipfile
    from xml.etree import ElementTree

    if data.startswith(OLE_MAGIC):
        raise SendclfError(f"{source}: not a .docx but an encrypted or old-format Word file: save it as an "
                           f"unprotected .docx")
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            body = ElementTree.fromstring(archive.read(DOCX_BODY))
            names = set(archive.namelist())
            properties = (ElementTree.fromstring(archive.read(DOCX_PROPERTIES))
                          if DOCX_PROPERTIES in names else None)
    except (zipfile.BadZipFile, KeyError):
        raise SendclfError(f"{source}: not a Word .docx file (no {DOCX_BODY} in a zip archive)") from None
    except (ElementTree.ParseError, OSError, RuntimeError, zipfile.LargeZipFile) as error:
        reason = str(error).splitlines()[0][:REASON_CHARS] if str(error) else type(error).__name__
        raise SendclfError(f"{source}: damaged .docx that cannot be read ({reason})") from None
    return body, properties


def docx_paragraph(paragraph, cell: bool) -> Line | None:
    """A w:p as a line: its text, whether it is a heading (a Heading or Title style, or bold throughout)."""
    parts, plain = [], False
    for node in paragraph.iter():
        if node.tag == f"{W}r":
            text = "".join(t.text or "" for t in node.iter(f"{W}t"))
            bold = node.find(f"{W}rPr/{W}b")
            if text.strip() and (bold is None or bold.get(f"{W}val") in ("0", "false")):
                plain = True
        elif node.tag == f"{W}t" and node.text:
            parts.append(node.text)
        elif node.tag in (f"{W}tab", f"{W}br", f"{W}cr"):
            parts.append(" ")
        elif node.tag == f"{W}noBreakHyphen":
            parts.append("-")
    text = " ".join("".join(parts).translate(PLAIN_TEXT).split())
    if not text:
        return None
    style = paragraph.find(f"{W}pPr/{W}pStyle")
    heading = style is not None and DOCX_HEADING_STYLE.search(style.get(f"{W}val", "")) is not None
    return Line(BULLET.sub("", text), bold=heading or not plain, cell=cell)


def docx_lines(element, cell: bool = False) -> list[Line]:
    """The body's paragraphs in order; a table's are its cells' paragraphs, each a cell of its own."""
    lines = []
    for child in element:
        if child.tag == f"{W}p":
            line = docx_paragraph(child, cell)
            lines += [line] if line else []
        elif child.tag == f"{W}tbl":
            for table_cell in child.iter(f"{W}tc"):
                lines += [line for p in table_cell.findall(f"{W}p") if (line := docx_paragraph(p, True))]
        else:  # content controls and custom XML hold paragraphs and tables too
            lines += docx_lines(child, cell)
    return lines


def docx_letter(data: bytes, source: str) -> Letter:
    """The prose of a .docx letter, a paragraph a line, without its head, tables of names, signature and
    furniture, and its title."""
    body, properties = docx_parts(data, source)
    lines = docx_lines(body)
    if not lines:
        raise SendclfError(f"{source}: no text in this .docx")
    title = properties.find(DC_TITLE) if properties is not None else None
    return read_letter([lines], metadata_title(title.text if title is not None else None), wrapped=False)


def docx_text(data: bytes, source: str) -> str:
    """The prose of a .docx letter, a paragraph a line."""
    return docx_letter(data, source).text
