"""Word .docx letters as lines, with the standard library alone: the body's paragraphs in order (headers
and footers are separate parts), a table's w:tc cells as cells, heading styles as emphasis, and the title
from the document's properties. `sendclf.letters.read_letter` takes it from there.
"""

from __future__ import annotations

import re

from sendclf.errors import SendclfError
from sendclf.letters import BULLET, PLAIN_TEXT, REASON_CHARS, Letter, Line, metadata_title, read_letter

DOCX_BODY = "word/document.xml"
DOCX_PROPERTIES = "docProps/core.xml"
W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
DC_TITLE = "{http://purl.org/dc/elements/1.1/}title"
DOCX_HEADING_STYLE = re.compile(r"heading|title", re.IGNORECASE)

OLE_MAGIC = b"\xd0\xcf\x11\xe0"  # an encrypted .docx, or an old .doc, is an OLE file, not a zip


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
