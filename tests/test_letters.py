"""PDF and .docx letters: page and letter furniture removed, lines and pages rejoined; bad files one line.

The PDFs here are built by `pdf_file` from minimal PDF syntax (Helvetica text objects placed at x, y, one
content stream per page) or by fpdf2, a real PDF producer; the .docx files by hand or by python-docx. Every
letter is invented: no real letter is committed.
"""

import functools
import io
import json
import zipfile

import pytest
from test_cli_classify import assert_one_line_error
from typer.testing import CliRunner

from sendclf import inputs, letters, pdf_reader
from sendclf.cli import app
from sendclf.errors import SendclfError

runner = CliRunner()

LEFT, TOP, FOOT, PAGE_NUMBER_Y, CENTRE = 72, 790, 60, 40, 280
SIZE, LEADING = 11, 14
GAP = None  # a blank line's worth of space between paragraphs

FIRST_PAGE = [
    "Ofsted", "Clarendon House, 4 Fictional Row, Harrowfield HF1 2AB", "www.example.org/inspections", GAP,
    "12 March 2024", GAP,
    "Ms Jane Smith", "Director of Children's Services", "Kent County Council",
    "Town Hall, Market Square, Harrowfield HF2 9ZZ", GAP,
    "Dear Ms Smith", GAP,
    "Joint area SEND inspection in Kent", GAP,
    "Between 8 and 12 January 2024, Ofsted and the Care Quality Commission (CQC) carried out a",
    "joint inspection of the local area of Kent. Families wait far too long for an autism assess-",
    "ment, and many parents told inspectors that they felt let down by the long delays.", GAP,
    "Main findings", GAP,
    "Leaders have a clear understanding of the strengths and weaknesses of the area. They have",
    "worked hard to improve the quality of co-",
    "production with parents and carers, who now help to shape the local offer. Children",
    "achieve well in primary schools and the attendance of children and young people with",
]
SECOND_PAGE = [
    "special educational needs and/or disabilities (SEND) is improving in secondary schools.", GAP,
    "Areas for improvement", GAP,
    "\u2022 Leaders should reduce the waiting times for speech and language therapy.",
    "\u2022 Leaders should improve the quality of education, health and care plans.", GAP,
    "The local area partnership must write a statement of action that sets out how it will",
    "improve these weaknesses.",
]
THIRD_PAGE = [
    "Inspectors also found that the local offer is not well known to families.", GAP,
    "Yours sincerely", GAP,
    "Jane Doe", "His Majesty's Inspector",
]
HEADER = "Joint area SEND inspection in Kent: outcome letter"  # on every page but the first
FOOTER = "Ofsted and CQC, Kent local area, March 2024"

SENTENCES = [
    "Joint area SEND inspection in Kent",
    "Between 8 and 12 January 2024, Ofsted and the Care Quality Commission (CQC) carried out a joint "
    "inspection of the local area of Kent.",
    "Families wait far too long for an autism assessment, and many parents told inspectors that they "
    "felt let down by the long delays.",
    "Main findings",
    "Leaders have a clear understanding of the strengths and weaknesses of the area.",
    "They have worked hard to improve the quality of co-production with parents and carers, who now help "
    "to shape the local offer.",
    "Children achieve well in primary schools and the attendance of children and young people with "
    "special educational needs and/or disabilities (SEND) is improving in secondary schools.",
    "Areas for improvement",
    "Leaders should reduce the waiting times for speech and language therapy.",
    "Leaders should improve the quality of education, health and care plans.",
    "The local area partnership must write a statement of action that sets out how it will improve these "
    "weaknesses.",
    "Inspectors also found that the local offer is not well known to families.",
]


# ---- building test PDFs ----------------------------------------------------------------------------


def pdf_file(contents: list[bytes]) -> bytes:
    """A PDF with one page per content stream, Helvetica as /F1 (bold as /F2), and a correct cross-reference
    table."""
    objects = [b"<< /Type /Catalog /Pages 2 0 R >>", b"",
               b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>",
               b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica-Bold /Encoding /WinAnsiEncoding >>"]
    kids = []
    for content in contents:
        objects.append(b"<< /Length %d >>\nstream\n%s\nendstream" % (len(content), content))
        objects.append(b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] "
                       b"/Resources << /Font << /F1 3 0 R /F2 4 0 R >> >> /Contents %d 0 R >>"
                       % (len(objects)))
        kids.append(b"%d 0 R" % len(objects))
    objects[1] = b"<< /Type /Pages /Kids [%s] /Count %d >>" % (b" ".join(kids), len(kids))
    out, offsets = bytearray(b"%PDF-1.4\n"), []
    for number, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n%s\nendobj\n" % (number, body)
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return bytes(out)


def escaped(text: str) -> str:
    return text.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")


def text_at(x: float, y: float, text: str, bold: bool = False) -> str:
    return f"BT /F{2 if bold else 1} {SIZE} Tf {x} {y} Td ({escaped(text)}) Tj ET"


def page_content(lines: list[str | None], header: str | None, footer: str | None,
                 number: str | None) -> bytes:
    """Body lines from the top (None is a paragraph gap), with a header, a footer and a page number."""
    ops, y = [], TOP
    if header:
        ops.append(text_at(LEFT, y, header))
        y -= 2 * LEADING
    for line in lines:
        if line is not None:
            ops.append(text_at(LEFT, y, line))
        y -= LEADING
    if footer:
        ops.append(text_at(LEFT, FOOT, footer))
    if number:
        ops.append(text_at(CENTRE, PAGE_NUMBER_Y, number))
    return "\n".join(ops).encode("cp1252")


def letter_pdf(pages=(FIRST_PAGE, SECOND_PAGE, THIRD_PAGE), number="Page {} of {}") -> bytes:
    """A letter: address block, running header (not on page 1) and footer, page numbers."""
    return pdf_file([page_content(lines, HEADER if i else None, FOOTER, number.format(i + 1, len(pages)))
                     for i, lines in enumerate(pages)])


def encrypted(data: bytes, user_password: str) -> bytes:
    from pypdf import PdfReader, PdfWriter

    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(data)))
    writer.encrypt(user_password, "owner-secret", algorithm="RC4-128")
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


IMAGE_ONLY = pdf_file([b"q 200 0 0 100 72 600 cm BI /W 2 /H 1 /CS /G /BPC 8 ID \x00\xff EI Q"] * 2)


def docx_file(paragraphs: list[str]) -> bytes:
    body = "".join(f"<w:p><w:r><w:t xml:space=\"preserve\">{p}</w:t></w:r></w:p>" for p in paragraphs)
    xml = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
           '<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">'
           f"<w:body>{body}</w:body></w:document>")
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", xml)
    return out.getvalue()


# ---- reading letters -------------------------------------------------------------------------------


def texts(data: bytes, name: str = "letter.pdf") -> list[str]:
    return [i.text for i in inputs.document_from_bytes(name, data, "." + name.rsplit(".", 1)[1]).sentences]


def test_letter_pdf_gives_clean_sentences():
    assert texts(letter_pdf()) == SENTENCES


def test_paragraphs_are_kept_for_the_html_view():
    items = inputs.document_from_bytes("letter.pdf", letter_pdf(), ".pdf").sentences
    paragraph = {i.text: i.paragraph for i in items}
    assert paragraph[SENTENCES[0]] != paragraph[SENTENCES[1]]  # the heading
    assert paragraph[SENTENCES[1]] == paragraph[SENTENCES[2]] != paragraph[SENTENCES[4]]
    assert paragraph[SENTENCES[8]] != paragraph[SENTENCES[9]]  # each bullet is its own paragraph


@pytest.mark.parametrize("number", ["Page {} of {}", "{}", "- {} -", "{} of {}", "{}/{}"])
def test_page_numbers_of_every_style_are_dropped(number):
    assert texts(letter_pdf(number=number)) == SENTENCES


def test_a_page_break_after_a_full_stop_is_a_paragraph_break():
    first = ["The local area has improved a great deal since the last inspection in 2019, and",
             "leaders have worked hard to improve it.", GAP,
             "Leaders know their area well and have shared plans to improve it further."]
    second = ["Waiting times for therapy are still too long, and families wait years for an autism",
              "assessment."]
    items = inputs.document_from_bytes("x.pdf", letter_pdf((first, second, THIRD_PAGE)), ".pdf").sentences
    assert [i.paragraph for i in items] == [0, 1, 2, 3]


def test_a_page_ending_in_a_short_line_ends_its_paragraph():
    first = ["The local area has improved a great deal since the last inspection in 2019, and",
             "leaders have worked hard to improve it. Leaders should now do two things:", GAP,
             "\u2022 improve waiting times"]
    second = ["Waiting times for therapy are still too long, and families wait years for an autism",
              "assessment."]
    text = pdf_reader.pdf_text(letter_pdf((first, second, THIRD_PAGE)), "x.pdf")
    assert "improve waiting times\nWaiting times for therapy" in text


def test_letter_text_from_lines_without_positions():
    line = letters.Line
    pages = [[line("Dear Sir"), line("In this borough the waits that families face for an assess-"),
              line("ment are long and getting longer for most of them, and")],
             [line("- 2 -"), line("they harm children.")]]
    assert letters.letter_text(pages) == ("In this borough the waits that families face for an assessment "
                                          "are long and getting longer for most of them, and they harm "
                                          "children.")


@pytest.mark.parametrize(("head", "tail", "joined"), [
    ("an autism assess-", "ment here", "an autism assessment here"),
    ("better co-", "production", "better co-production"),
    ("a well-", "known offer", "a well-known offer"),
    ("an evidence-", "based plan", "an evidence-based plan"),
    ("the non-", "SEND pupils", "the non-SEND pupils"),
    ("a decision-", "making panel", "a decision-making panel"),
    ("com\u00ad", "munication", "communication"),
    ("families -", "not leaders", "families - not leaders"),
])
def test_hyphen_at_a_line_break(head, tail, joined):
    assert letters.join_lines(head, tail, set()) == joined


def test_the_letter_itself_says_whether_a_hyphen_is_real():
    assert letters.join_lines("short-", "listed", {"short-listed"}) == "short-listed"
    assert letters.join_lines("the co-", "hort", {"cohort"}) == "the cohort"
    assert letters.join_lines("a mid-", "year review", {"mid-year"}) == "a mid-year review"


def test_body_text_that_only_looks_like_furniture_on_one_page_stays():
    pages = [[letters.Line("Waits are long."), letters.Line("3")], [letters.Line("Outcomes are good.")]]
    assert letters.letter_text(pages) == "Waits are long.\nOutcomes are good."


def test_an_address_is_furniture_wherever_it_is_but_a_sentence_naming_one_is_not():
    address = [letters.Line("Town Hall, Market Square, Harrowfield HF2 9ZZ"), letters.Line("Clarendon House")]
    assert letters.letter_text([address]) == ""
    sentence = "Families said the drop-in at Fenwick House, HF4 1QT, closed without warning."
    assert letters.letter_text([[letters.Line(sentence)]]) == sentence


def test_a_dear_line_after_the_letter_has_begun_drops_nothing_before_it():
    body = ["In this borough the waits that families face for a first assessment are long and getting worse,",
            "and they harm children."]
    after = ["Dear families of Wexcombe", "Leaders have written to every family."]
    lines = [letters.Line(text) for text in ["Ms Ana Sousa", "Wexcombe WX3 7PL", *body, *after]]
    assert letters.letter_text([lines]) == f"{body[0]} {body[1]}\n{after[1]}"


def test_a_raised_footnote_mark_stays_in_its_line():
    from fpdf import FPDF

    measure = FPDF(unit="pt")
    measure.set_font("Helvetica", size=SIZE)
    first = "Inspectors read the case files of 40 children"
    mark = LEFT + measure.get_string_width(first)
    ops = [text_at(LEFT, TOP, first), text_at(mark, TOP + 4, "2"),
           text_at(mark + 6, TOP, " and found that most plans were written with the family,"),
           text_at(LEFT, TOP - LEADING, "as the code of practice expects.")]
    (sentence,) = texts(pdf_file(["\n".join(ops).encode("cp1252")]))
    assert sentence.startswith(first) and sentence.endswith("family, as the code of practice expects.")


def test_owner_password_only_pdf_is_read():
    assert texts(encrypted(letter_pdf(), "")) == SENTENCES


def test_docx_letter_paragraphs():
    data = docx_file(["Ms Jane Smith", "Kent County Council", "HF2 9ZZ", "Dear Ms Smith",
                      "Families wait far too long for an autism assessment. Outcomes are strong.",
                      "Inspectors visited in March.", "Yours sincerely", "Jane Doe"])
    assert texts(data, "letter.docx") == ["Families wait far too long for an autism assessment.",
                                          "Outcomes are strong.", "Inspectors visited in March."]


@pytest.mark.parametrize(("data", "message"), [
    (encrypted(letter_pdf(), "secret"), "encrypted PDF that needs a password"),
    (IMAGE_ONLY, "PDF with no text layer (scanned or image-only?)"),
    (letter_pdf()[:-600], "truncated PDF (no %%EOF at its end)"),
    (b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog /Pages 9 0 R >>\nendobj\nxref garbage\n%%EOF\n",
     "damaged PDF that cannot be read"),
    (b"Families wait far too long.\n", "not a PDF file (no %PDF- header) (it is text: give it a .txt name)"),
    (b"<!doctype html><p>Not found</p>", "(it is text: give it a .html name)"),
    (docx_file(["Waits are long."]), "(it is a zip archive: a .docx?)"),
    (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "not a PDF file (no %PDF- header)"),
])
def test_bad_pdfs_are_one_line_errors(data, message):
    with pytest.raises(SendclfError, match="^letter.pdf: ") as error:
        inputs.document_from_bytes("letter.pdf", data, ".pdf")
    assert message in str(error.value) and "\n" not in str(error.value)


def test_aes_pdf_without_cryptography_says_what_to_install(monkeypatch):
    import pypdf
    from pypdf.errors import DependencyError

    def needs_cryptography(stream):
        raise DependencyError("cryptography>=3.1 is required for AES algorithm")

    monkeypatch.setattr(pypdf, "PdfReader", needs_cryptography)
    with pytest.raises(SendclfError, match="letter.pdf: encrypted PDF \\(AES\\).*pip install cryptography"):
        inputs.document_from_bytes("letter.pdf", letter_pdf(), ".pdf")


@pytest.mark.parametrize(("data", "message"), [
    (b"PK\x03\x04 not really a zip", "not a Word .docx file"),
    (docx_file([])[:40], "not a Word .docx file"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 64, "encrypted or old-format Word file"),
    (docx_file([]), "no text in this .docx"),
])
def test_bad_docx_are_one_line_errors(data, message):
    with pytest.raises(SendclfError, match=message):
        inputs.document_from_bytes("letter.docx", data, ".docx")


def test_folder_picks_up_pdf_and_docx(tmp_path):
    (tmp_path / "a.pdf").write_bytes(letter_pdf())
    (tmp_path / "b.docx").write_bytes(docx_file(["Outcomes in the early years are strong."]))
    (tmp_path / "c.txt").write_text("Waits are long.")
    assert [d.source.rsplit("/", 1)[1] for d in inputs.read_documents([str(tmp_path)])] == [
        "a.pdf", "b.docx", "c.txt"]


# ---- letters in three layouts, from two PDF producers and as .docx ----------------------------------
# One invented letter set out three ways. A layout is rows from the top of the page: each row is the
# (x, text, bold) items set on one baseline, None a blank row. The same rows are written by the minimal
# writer above and by fpdf2, a real PDF producer; the .docx has the same paragraphs and tables.

RIGHT, THIRD = 330, 250
HEADING = "Area SEND inspection of Fernbridge Local Area Partnership"
SENDER = ["Ofsted", "Clarendon House, 4 Fictional Row", "Harrowfield HF1 2AB", "T 0300 000 0000"]
DATE = "14 May 2026"
RECIPIENTS = ["Priya Raman", "Director of Children's Services, Fernbridge Council",
              "Dr Tomasz Wilk, Chief Executive, NHS Fernbridge ICB",
              "Sam Okafor, local area nominated officer"]
BODY = [
    ["Between 9 and 13 March 2026, Ofsted and the Care Quality Commission (CQC) carried out a joint",
     "inspection of the local area partnership of Fernbridge."],
    ["Leaders know the strengths of the area well, and the parent carer forum helps to set the",
     "partnership's priorities. Too few education, health and care plans are finished within the 20-",
     "week limit, and families say that they have to chase every review themselves."],
]
IMPROVE = "Areas for improvement"
FINDING = ["Leaders should cut the time families wait for a first",
           "speech and language therapy appointment."]
DETAILS, TEAM = "Local area partnership details", "Inspection team"
PARTNERS = [("Local authority", "Integrated care board"),
            ("Priya Raman, Director of Children's Services", "Dr Tomasz Wilk, Chief Executive"),
            ("www.fernbridge.example.gov.uk", "Riverside House, Fernbridge FB2 3CD")]
PARTNERS_3 = [("Priya Raman", "Director of Children's Services", "Fernbridge Council"),
              ("Dr Tomasz Wilk", "Chief Executive", "NHS Fernbridge Integrated Care Board")]
NAMES_AND_ROLES = [("Ruth Ellison", "Ofsted lead inspector"), ("Marcus Hale", "CQC lead inspector"),
                   ("Nadia Brook", "Ofsted inspector")]
INSPECTORS = [("Ofsted", "Care Quality Commission"),
              ("Ruth Ellison, Ofsted lead inspector", "Marcus Hale, CQC lead inspector"),
              ("Nadia Brook, Ofsted inspector", "Owen Price, CQC inspector")]
SIGNATURE = ["Yours sincerely", None, "Ruth Ellison", "His Majesty's Inspector"]

LETTER_SENTENCES = [
    HEADING,
    "Between 9 and 13 March 2026, Ofsted and the Care Quality Commission (CQC) carried out a joint "
    "inspection of the local area partnership of Fernbridge.",
    "Leaders know the strengths of the area well, and the parent carer forum helps to set the partnership's "
    "priorities.",
    "Too few education, health and care plans are finished within the 20-week limit, and families say "
    "that they have to chase every review themselves.",
    IMPROVE,
    "Leaders should cut the time families wait for a first speech and language therapy appointment.",
]


def left(*texts, bold=False):
    return [[(LEFT, text, bold)] if text is not None else None for text in texts]


def table_rows(rows, xs=(LEFT, RIGHT)):
    return [[(x, cell, False) for x, cell in zip(xs, row, strict=True)] for row in rows]


def body_rows():
    rows = []
    for paragraph in BODY:
        rows += left(*paragraph, None)
    return rows + left(IMPROVE, None) + [[(LEFT, "Area for improvement", False), (THIRD, FINDING[0], False)],
                                         [(THIRD, FINDING[1], False)], None]


def classic():
    """Recipient top left beside the sender's address, date on the right, heading after "Dear ..."."""
    head = [[(LEFT, r, False), (RIGHT, s, False)] for r, s in zip(RECIPIENTS, SENDER, strict=True)]
    return (head + [[(RIGHT, DATE, False)], None] + left("Dear Ms Raman and Dr Wilk", None)
            + left(HEADING, None, bold=True) + body_rows() + left(DETAILS, None) + table_rows(PARTNERS)
            + [None] + left(TEAM, None) + table_rows(NAMES_AND_ROLES, (LEFT, THIRD)) + [None]
            + left(*SIGNATURE))


def heading_first():
    """Heading above everything, the recipient with the date on its first line, "Dear Director", tables in
    three columns (name | role | body)."""
    recipients = [[(LEFT, RECIPIENTS[0], False), (RIGHT + 80, DATE, False)]] + left(*RECIPIENTS[1:])
    return (left(HEADING, None, bold=True) + left(*SENDER, None) + recipients + [None]
            + left("Dear Director,", None) + body_rows() + left(DETAILS, None)
            + table_rows(PARTNERS_3, (LEFT, 180, 350)) + [None] + left(*SIGNATURE, None) + left(TEAM, None)
            + table_rows([(n, r, b) for (n, r), b in zip([("Ruth Ellison", "Lead inspector"),
                                                          ("Marcus Hale", "CQC inspector")],
                                                         ["Ofsted", "CQC"], strict=True)], (LEFT, 180, 350)))


def stacked():
    """Sender stacked top left, the date and recipient in a block on the right, a team table whose first
    column wraps."""
    head = left(*SENDER, None) + [[(RIGHT, text, False)] for text in [DATE, *RECIPIENTS]] + [None]
    team = [[(LEFT, "Ruth Ellison, Ofsted lead", False), (RIGHT, "Marcus Hale, CQC lead inspector", False)],
            [(LEFT, "inspector", False)]]
    return (head + left("Dear Ms Raman and Dr Wilk", None, HEADING, None) + body_rows() + left(TEAM, None)
            + team + [None] + left(DETAILS, None) + table_rows(PARTNERS) + [None] + left(*SIGNATURE))


LAYOUTS = {"classic": classic, "heading_first": heading_first, "stacked": stacked}


def minimal_pdf(rows) -> bytes:
    ops, y = [], TOP
    for row in rows:
        ops += [text_at(x, y, text, bold) for x, text, bold in row or []]
        y -= LEADING
    return pdf_file(["\n".join(ops).encode("cp1252")])


def glyph_by_glyph_pdf(rows) -> bytes:
    """As Chromium prints: every glyph, spaces too, its own Tj, moved on by its width (fpdf2 measures)."""
    from fpdf import FPDF

    measure, ops, y = FPDF(unit="pt"), [], TOP
    for row in rows:
        for x, text, bold in row or []:
            measure.set_font("Helvetica", "B" if bold else "", SIZE)
            moves = [f"{x} {y} Td"] + [f"{measure.get_string_width(c):.3f} 0 Td" for c in text[:-1]]
            glyphs = " ".join(f"{move} ({escaped(c)}) Tj" for move, c in zip(moves, text, strict=True))
            ops.append(f"BT /F{2 if bold else 1} {SIZE} Tf {glyphs} ET")
        y -= LEADING
    return pdf_file(["\n".join(ops).encode("cp1252")])


def fpdf2_pdf(rows, title: str | None = None) -> bytes:
    from fpdf import FPDF

    document = FPDF(unit="pt", format="A4")
    if title:
        document.set_title(title)
    document.add_page()
    y = document.h - TOP
    for row in rows:
        for x, text, bold in row or []:
            document.set_font("Helvetica", "B" if bold else "", SIZE)
            document.text(x, y, text)
        y += LEADING
    return bytes(document.output())


def paragraph(lines: list[str]) -> str:
    return functools.reduce(lambda head, tail: letters.join_lines(head, tail, set()), lines)


def docx_flow(layout: str) -> list:
    """The same letter as Word paragraphs (text, bold) and tables (lists of rows), for each layout."""
    body = [(paragraph(lines), False) for lines in BODY]
    findings = [(IMPROVE, False), [("Area for improvement", paragraph(FINDING))]]
    signature = [(text, False) for text in SIGNATURE if text]
    if layout == "classic":
        return ([list(zip(RECIPIENTS, SENDER, strict=True)), (DATE, False),
                 ("Dear Ms Raman and Dr Wilk", False), (HEADING, True), *body, *findings, (DETAILS, False),
                 PARTNERS, (TEAM, False), NAMES_AND_ROLES, *signature])
    if layout == "heading_first":
        return ([(HEADING, True), *[(text, False) for text in SENDER + [DATE] + RECIPIENTS],
                 ("Dear Director,", False), *body, *findings, (DETAILS, False), PARTNERS_3, *signature])
    return ([*[(text, False) for text in SENDER + [DATE] + RECIPIENTS], ("Dear Ms Raman and Dr Wilk", False),
             (HEADING, False), *body, *findings, (TEAM, False), INSPECTORS, (DETAILS, False), PARTNERS,
             *signature])


def word_file(flow: list) -> bytes:
    """A .docx written by python-docx: paragraphs, and tables whose cells are w:tc."""
    import docx

    document = docx.Document()
    for item in flow:
        if isinstance(item, tuple):
            document.add_paragraph().add_run(item[0]).bold = item[1]
            continue
        table = document.add_table(rows=0, cols=len(item[0]))
        for row in item:
            for cell, text in zip(table.add_row().cells, row, strict=True):
                cell.text = text
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


@pytest.mark.parametrize("layout", LAYOUTS)
@pytest.mark.parametrize("producer", [minimal_pdf, fpdf2_pdf, glyph_by_glyph_pdf],
                         ids=["minimal", "fpdf2", "glyph-by-glyph"])
def test_a_letter_in_any_layout_gives_only_its_sentences_and_its_heading_as_title(layout, producer):
    document = inputs.document_from_bytes("letter.pdf", producer(LAYOUTS[layout]()), ".pdf")
    assert [s.text for s in document.sentences] == LETTER_SENTENCES
    assert document.title == HEADING


def test_a_label_cell_close_beside_a_finding_is_not_glued_to_it():
    from fpdf import FPDF

    measure = FPDF(unit="pt")
    measure.set_font("Helvetica", size=SIZE)
    finding = "Leaders know the area well and act on what families tell them."
    ops = [text_at(LEFT, TOP, "Strength"), text_at(LEFT + measure.get_string_width("Strength") + SIZE * 1.8,
                                                    TOP, finding)]
    assert texts(pdf_file(["\n".join(ops).encode("cp1252")])) == [finding]


def test_a_bold_word_set_on_its_own_inside_a_line_stays_in_the_sentence():
    from fpdf import FPDF

    measure, x, ops = FPDF(unit="pt"), LEFT, []
    parts = [("Families say the ", False), ("SEND WAVES", True), (" panel meets too rarely.", False)]
    for text, bold in parts:
        ops.append(text_at(x, TOP, text, bold))
        measure.set_font("Helvetica", "B" if bold else "", SIZE)
        x += measure.get_string_width(text)
    assert texts(pdf_file(["\n".join(ops).encode("cp1252")])) == [
        "Families say the SEND WAVES panel meets too rarely."]


def test_justified_words_and_a_large_wrapped_heading_read_as_prose():
    """Each word moved on by Td in one text object, spread far apart as justified text is, and a heading
    in 16-point bold over two lines: one paragraph each, nothing taken for table cells."""
    heading = ["Area SEND inspection of Fernbridge Local", "Area Partnership"]
    lines = [*BODY[0], *BODY[1]]

    def words_at(y: float, text: str, font: str, size: float, spread: float) -> str:
        moves, x = [], LEFT
        for word in text.split():
            moves.append(f"{x - LEFT if moves else LEFT} {0 if moves else y} Td ({escaped(word)} ) Tj")
            x = LEFT + (len(word) + 1) * size * 0.5 + spread
        return f"BT /{font} {size} Tf {' '.join(moves)} ET"

    ops = [words_at(TOP - 20 * i, text, "F2", 16, 30) for i, text in enumerate(heading)]
    ops += [words_at(TOP - 60 - LEADING * i, text, "F1", SIZE, 12) for i, text in enumerate(lines)]
    document = inputs.document_from_bytes("letter.pdf", pdf_file(["\n".join(ops).encode("cp1252")]), ".pdf")
    assert [s.text for s in document.sentences] == [" ".join(heading), *LETTER_SENTENCES[1:4]]
    assert document.title == " ".join(heading)


@pytest.mark.parametrize(("metadata", "title"), [
    ("Fernbridge: outcome of the area SEND inspection", "Fernbridge: outcome of the area SEND inspection"),
    ("Microsoft Word - fernbridge_letter_final.docx", LETTER_SENTENCES[1][:60]),
    ("Untitled", LETTER_SENTENCES[1][:60]),
])
def test_without_a_heading_the_title_is_the_metadata_title_unless_it_names_a_file(metadata, title):
    rows = left(*SENDER, None, "Dear Director", None) + body_rows()
    document = inputs.document_from_bytes("letter.pdf", fpdf2_pdf(rows, metadata), ".pdf")
    assert document.title.startswith(title)
    word = word_file([("Dear Director", False), (paragraph(BODY[0]), False)])
    assert inputs.document_from_bytes("letter.docx", word, ".docx").title.startswith(LETTER_SENTENCES[1][:60])


def test_a_word_letter_takes_its_title_from_its_properties():
    import docx

    document = docx.Document()
    document.core_properties.title = "Fernbridge: outcome of the area SEND inspection"
    for text in ["Dear Director", paragraph(BODY[0])]:
        document.add_paragraph(text)
    out = io.BytesIO()
    document.save(out)
    found = inputs.document_from_bytes("letter.docx", out.getvalue(), ".docx")
    assert found.title == document.core_properties.title


@pytest.mark.parametrize("layout", LAYOUTS)
def test_a_word_letter_in_any_layout_gives_only_its_sentences(layout):
    document = inputs.document_from_bytes("letter.docx", word_file(docx_flow(layout)), ".docx")
    assert [s.text for s in document.sentences] == LETTER_SENTENCES
    assert document.title == HEADING


def test_fpdf2_flowed_letter_with_a_wrapping_table_takes_its_title_from_the_metadata():
    from fpdf import FPDF

    document = FPDF()
    document.set_title("Fernbridge local area partnership: inspection outcome")
    document.add_page()
    document.set_font("Helvetica", size=SIZE)
    head = [*SENDER, DATE, "", *RECIPIENTS, "", "Dear Ms Raman and Dr Wilk", ""]
    document.multi_cell(0, 5, "\n".join(head), new_x="LMARGIN", new_y="NEXT")
    for lines in BODY:
        document.multi_cell(0, 5, paragraph(lines), new_x="LMARGIN", new_y="NEXT")
        document.ln(4)
    finding = ("Leaders should reduce the time that families wait for a neurodevelopmental assessment, and "
               "tell them what help they can get in the meantime.")
    tables = [[*PARTNERS, ("Area for improvement", paragraph(FINDING))], [("Area for improvement", finding)]]
    for rows in tables:
        with document.table(col_widths=(50, 120)) as table:  # cells wrap and sit centred in their rows
            for row in rows:
                cells = table.row()
                for text in row:
                    cells.cell(text)
        document.ln(8)
    found = inputs.document_from_bytes("letter.pdf", bytes(document.output()), ".pdf")
    assert [s.text for s in found.sentences] == LETTER_SENTENCES[1:4] + LETTER_SENTENCES[5:] + [finding]
    assert found.title == "Fernbridge local area partnership: inspection outcome"


def test_cells_shown_in_one_text_object_are_never_glued():
    """One BT ... ET for the whole table, each cell placed by Tm, the first cell filling its column: the
    column its header row proves splits the row."""
    rows = [("Local authority", "Integrated care board"),
            ("Priya Raman, Director of Children's Services, Fernbridge", "Dr Tomasz Wilk, Chief Executive"),
            ("Area for improvement", "Leaders should publish the local offer in plain English.")]
    shows = [f"1 0 0 1 {x} {TOP - LEADING * i} Tm ({text}) Tj"
             for i, row in enumerate(rows) for x, text in zip((LEFT, 300), row, strict=True)]
    data = pdf_file([f"BT /F1 {SIZE} Tf {' '.join(shows)} ET".encode("cp1252")])
    assert texts(data) == ["Leaders should publish the local offer in plain English."]


# ---- through the CLI -------------------------------------------------------------------------------


def test_classify_a_pdf_letter(model_dir, tmp_path):
    (tmp_path / "letter.pdf").write_bytes(letter_pdf())
    result = runner.invoke(app, ["classify", "--model", str(model_dir), str(tmp_path / "letter.pdf"),
                                 "-f", "jsonl"])
    assert result.exit_code == 0, result.output
    assert result.stderr == ""
    assert [json.loads(line)["text"] for line in result.stdout.splitlines()] == SENTENCES


@pytest.mark.parametrize(("data", "message"), [
    (encrypted(letter_pdf(), "secret"), "letter.pdf: encrypted PDF that needs a password"),
    (IMAGE_ONLY, "letter.pdf: PDF with no text layer"),
    (letter_pdf()[: len(letter_pdf()) // 2], "letter.pdf: truncated PDF"),
    (b"%PDF-1.7\n" + bytes(range(256)) * 4 + b"\n%%EOF\n", "letter.pdf: damaged PDF"),
    (b"<html><body>Not found</body></html>", "letter.pdf: not a PDF file"),
])
@pytest.mark.parametrize("command", ["classify", "suggest"])
def test_bad_pdf_through_the_cli_is_one_line_and_exit_1(model_dir, tmp_path, data, message, command):
    (tmp_path / "letter.pdf").write_bytes(data)
    result = runner.invoke(app, [command, "--model", str(model_dir), str(tmp_path / "letter.pdf")])
    assert_one_line_error(result, message)
