"""Splitting an article into sentences: a raw article -> furniture removed -> sentences, each with the
paragraph it came from.

Articles arrive as scraped text: the story, then (or before it) page furniture such as comment rules,
paywall prompts and "More on ..." links. The furniture is not part of the article, so it is dropped
before any sentence is labelled or classified. Every caller (labelling, training, `sendclf classify`)
goes through `paragraph_sentences`, so new text is split exactly as the seeds were, and once.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

# A line that starts one of these ends the article: everything from it on is furniture.
END_OF_ARTICLE = re.compile(
    r"^\s*(Register Now to Continue Reading|Comments:\s*Our rules|Comments\s*$)", re.IGNORECASE
)

# Whole lines that are furniture wherever they stand.
FURNITURE_LINE = re.compile(
    r"""^\s*(?:
        [-–—•*]                                   # a lone list marker
      | More\ on\ \S.*                            # "More on KentOnline"
      | Read\ the\ rules\ here\.?
      | Please\ report\ any\ comments.*
      | Already\ have\ an\ account\?.*
      | Sign\ in(?:\ here)?\.?
      | (?:Subscribe|Register)\ (?:now|today)\b.*
      | What's\ Included
    )\s*$""",
    re.IGNORECASE | re.VERBOSE,
)

# The York article opens with a scraped " date 2020-03-05 " marker in front of its first sentence.
DATE_MARKER = re.compile(r"^\s*date\s+\d{4}-\d{2}-\d{2}\s+")

LIST_MARKER = re.compile(r"^\s*(?:[•▪◦‣*–—-]|\d{1,2}[.)]|#{1,6})\s+")  # bullets, numbers, Markdown headings

# Tokens that end with a full stop but do not end a sentence.
ABBREVIATIONS = frozenset(
    "mr mrs ms dr prof cllr st no nos vs etc e.g i.e approx dept govt inc ltd co jan feb mar apr "
    "jun jul aug sep sept oct nov dec".split()
)

# A sentence ends at . ! or ? (plus any closing quotes or brackets), before whitespace and a capital,
# a digit or an opening quote. A closing curly quote followed by lower case ("... supported”, the
# report said") is therefore not a boundary.
BOUNDARY = re.compile(r"[.!?]+[\"”’')\]]*\s+(?=[\"“‘(\[]?[A-Z0-9])")
LAST_TOKEN = re.compile(r"(\S+)$")
# The characters before a full stop that are searched for its token: no abbreviation is longer, and searching
# only these keeps a megabyte line with thousands of "e.g." linear.
ABBREVIATION_WINDOW = 40

# A longer "sentence" (a list run together, a scraped line with no full stop) is no sentence a model was
# trained on, and its labels would hide whatever it holds: classify cuts it into pieces (`shorter_pieces`).
# The seeds' longest sentence has 65 words, and their split is never cut.
MAX_SENTENCE_WORDS = 80
# Where a clause ends: after a semicolon, colon or comma, or before a dash standing between spaces.
CLAUSE_BOUNDARY = re.compile(r"(?<=[;:,])\s+|\s+(?=[–—-]\s)")


@dataclass(frozen=True)
class Sentence:
    """One sentence of an article (or one record of a sentences file): its place is kept for the reader."""

    id: str
    index: int  # its position in the article or file
    text: str
    paragraph: int  # the article line it came from: the HTML view lays sentences out by paragraph


def clean_lines(raw: str) -> list[str]:
    """The article's text lines with furniture, list markers and blank lines removed."""
    lines: list[str] = []
    for line in raw.replace("\r\n", "\n").replace("\r", "\n").split("\n"):
        if END_OF_ARTICLE.match(line):
            break
        if FURNITURE_LINE.match(line):
            continue
        line = DATE_MARKER.sub("", line) if not lines else line
        line = LIST_MARKER.sub("", line).strip()
        if line:
            lines.append(line)
    return lines


def _is_abbreviation(text_before_stop: str) -> bool:
    match = LAST_TOKEN.search(text_before_stop)
    if not match:
        return False
    token = match.group(1).lower().lstrip("\"“‘'(")
    return token in ABBREVIATIONS or re.fullmatch(r"[a-z]", token) is not None


def split_sentences(paragraph: str) -> list[str]:
    """Split one paragraph (a line of the article) into sentences."""
    sentences, start = [], 0
    for match in BOUNDARY.finditer(paragraph):
        stop = match.start()
        before = paragraph[max(start, stop - ABBREVIATION_WINDOW):stop]
        if paragraph[match.start()] == "." and _is_abbreviation(before):
            continue
        end = match.end()
        sentences.append(paragraph[start:end].strip())
        start = end
    sentences.append(paragraph[start:].strip())
    return [s for s in sentences if s]


def paragraph_sentences(raw: str) -> list[tuple[int, str]]:
    """(paragraph, sentence) for every sentence of an article, in order."""
    return [(paragraph, sentence) for paragraph, line in enumerate(clean_lines(raw))
            for sentence in split_sentences(line)]


def article_sentences(article_id: str, raw: str, id_format: str = "{article}-{index:03d}") -> list[Sentence]:
    """All sentences of an article; ids are `id_format` of the article and the index (stable: the seeds'
    labels name them)."""
    return [Sentence(id_format.format(article=article_id, index=i), i, text, paragraph)
            for i, (paragraph, text) in enumerate(paragraph_sentences(raw))]


def shorter_pieces(sentence: str, max_words: int = MAX_SENTENCE_WORDS) -> tuple[list[str], bool]:
    """A sentence of more than `max_words` words cut into pieces of at most that many, whole clauses packed
    together (an article's lines are its paragraphs, so a sentence never spans two); a clause that is still
    too long is cut between words. The flag says whether any was."""
    if len(sentence.split()) <= max_words:
        return [sentence], False
    pieces: list[list[str]] = []
    current: list[str] = []
    cut_words = False
    for clause in CLAUSE_BOUNDARY.split(sentence):
        words = clause.split()
        if current and len(current) + len(words) > max_words:
            pieces.append(current)
            current = []
        current += words
        if len(current) > max_words:  # one clause alone is too long
            cut_words = True
            whole = len(current) - len(current) % max_words
            pieces += [current[start:start + max_words] for start in range(0, whole, max_words)]
            current = current[whole:]
    pieces.append(current)
    return [" ".join(piece) for piece in pieces if piece], cut_words
