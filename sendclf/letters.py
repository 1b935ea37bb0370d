"""Letters (PDF and Word .docx): their prose without the page and letter furniture, a paragraph a line.

Ofsted and the CQC publish local-area SEND outcome letters. Read as lines (`Line`: text with its position,
size and emphasis, from `sendclf.pdf_reader` or `sendclf.docx_reader`), a letter carries running headers
and footers, page numbers, the sender's and the recipient's address blocks, tables of names and roles,
words hyphenated across lines and sentences broken across pages. `read_letter` drops what is furniture by
the one shared test (`sendclf.furniture`: addresses, contacts, the salutation, the sign-off, names and
roles, table cells that are not sentences) and mends the rest, so `sentences.paragraph_sentences` gets
prose as it gets a news article. The title is the letter's own heading, else the file's title.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, replace

from sendclf import furniture

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

# Text this much larger than the body's commonest size is a heading, as bold text is.
LARGER = 1.15

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


def metadata_title(title) -> str | None:
    """A file's own title, unless it only names a file or a template."""
    title = " ".join(str(title or "").split())
    return title if title and not NO_TITLE.search(title) else None


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
