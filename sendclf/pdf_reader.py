"""PDF letters as positioned lines: each shown string with its x, y, size and weight.

pypdf reports a string's position only when it flushes text, so the font setting is repeated after every
string drawn, and each string comes with its own position. Strings drawn one glyph at a time (as Chromium
prints) or spread over a justified line join into runs; runs set side by side are table cells (or an
address beside a date), never one glued line. `sendclf.letters.read_letter` takes it from there. pypdf is
imported only when a PDF is read.
"""

from __future__ import annotations

import math
import re
from contextlib import contextmanager
from dataclasses import dataclass, replace

from sendclf import furniture
from sendclf.errors import SendclfError
from sendclf.letters import (
    PLAIN_TEXT,
    REASON_CHARS,
    Letter,
    Line,
    ends_sentence,
    join_lines,
    metadata_title,
    read_letter,
)

PDF_MAGIC = b"%PDF-"
MAGIC_WINDOW = 1024  # the PDF header may follow a little junk, as readers allow
EOF_MARKER = b"%%EOF"
EOF_WINDOW = 1024  # a complete PDF ends with %%EOF, give or take trailing whitespace or NULs

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
# A font whose name says so is bold: its text may be the letter's heading.
BOLD_FONT = re.compile(r"bold|black|heavy|semibold|demi", re.IGNORECASE)
TEXT_SHOWING = (b"Tj", b"TJ", b"'", b'"')  # the operators that show a string

ZIP_MAGIC = b"PK\x03\x04"


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


def pdf_letter(data: bytes, source: str) -> Letter:
    """The prose of a PDF letter, a paragraph a line, and its title."""
    pages, title = pdf_pages(data, source)
    return read_letter(pages, title)


def pdf_text(data: bytes, source: str) -> str:
    """The prose of a PDF letter, a paragraph a line."""
    return pdf_letter(data, source).text
