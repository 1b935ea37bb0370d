"""Is this line a sentence, or letter furniture? The one test the letter reader and `suggest` share.

A letter carries lines that are not sentences about SEND services: the address block, contact details,
the date, "Dear ...", "Yours sincerely", signatures, and tables of names and roles. Labelling them wastes
a labeller's time and classifying them adds rows nobody wants, so docs/LABELS.md ("What counts as a
sentence") writes the rule down and this module is its only implementation. The rule is about the shape
of a line, not one letter's wording: a line that reads as prose (it ends a sentence and has words in lower
case that are not mere connectives) is a sentence whatever it mentions; anything else is furniture when
it carries a contact detail, a date alone, a name with an honorific, a role, or is a run of capitalised
words naming a place or body.
"""

from __future__ import annotations

import re

# A line reads as prose when it ends a sentence, has at least PROSE_MIN_WORDS words and at least one word
# in lower case that is not a connective ("of", "and"): "Helen Ashcroft, Director of Children's Services."
# is a name and a role even with a full stop.
PROSE_MIN_WORDS = 3
SENTENCE_END = re.compile(r"[.!?][\"”’')\]]*$")
CONNECTIVES = frozenset("of and the for to in on at by & with a an".split())
WORDS = re.compile(r"[A-Za-z][A-Za-z'’.-]*")

SALUTATION = re.compile(r"^\s*dear\b", re.IGNORECASE)
SIGN_OFF = re.compile(r"^\s*(?:yours\s+(?:sincerely|faithfully|truly)|kind\s+regards|best\s+wishes)\b",
                      re.IGNORECASE)
CONTACT = re.compile(
    r"\b[A-Z]{1,2}\d[A-Z\d]?\s*\d[A-Z]{2}\b"  # a UK postcode
    r"|\S+@\S+\.\w+|\bwww\.\S+|https?://\S+"  # an e-mail or web address
    r"|^(?:T|Tel|Telephone|Textphone|Phone|Mobile|Fax|Email|E)\b\.?:?\s*\+?[\d(]"  # "T 0300 ..."
    r"|(?:\+44\s?|\b0)\d{2,4}[\s-]?\d{3}[\s-]?\d{3,4}\b")  # a UK phone number
MONTHS = "january|february|march|april|may|june|july|august|september|october|november|december"
DATE_ALONE = re.compile(
    rf"^(?:date:?\s*)?(?:[a-z]+day,?\s+)?\d{{1,2}}(?:st|nd|rd|th)?\s+(?:{MONTHS}),?\s+\d{{4}}$"
    rf"|^(?:date:?\s*)?\d{{1,2}}[/.]\d{{1,2}}[/.]\d{{2,4}}$", re.IGNORECASE)
HONORIFIC = re.compile(r"^(?:Mr|Mrs|Ms|Miss|Mx|Dr|Prof|Professor|Cllr|Councillor|Sir|Dame|Rev)\.?\s+[A-Z]")
# Whole words that name a post. A line that is not prose is a name and role ("Sam Patel, Director of
# Education") or a role ("Chief Executive", "Ofsted lead inspector") when it is capitalised throughout, has
# a role after a capitalised name and a comma, or ends in a role within ROLE_LINE_MAX_WORDS words; a
# headline that merely mentions a post ("Council head quits over delays") is none of these.
ROLE_LINE_MAX_WORDS = 6
ROLES = re.compile(
    r"\b(?:director|officer|inspector|executive|manager|commissioner|chair|chairperson|nurse|lead|head|"
    r"headteacher|coordinator|co-ordinator|adviser|advisor|secretary|councillor|principal|deputy|"
    r"clinician)\b", re.IGNORECASE)
NAME_THEN_ROLE = re.compile(r"^[A-Z][\w'’.-]*(?:\s+[A-Z][\w'’.-]*)*\s*,")
# Words that make a run of capitalised words a body or a place ("Harrowfield Borough Council", "Town
# Hall, Market Square"): without one, a comma or a digit, a title-case line may be a heading.
PLACES = re.compile(
    r"\b(?:council|board|trust|partnership|authority|nhs|icb|ofsted|cqc|commission|borough|county|city|"
    r"department|house|hall|street|road|square|lane|avenue|gate|row|place|court|floor|building|centre|"
    r"way|close|drive|park)\b", re.IGNORECASE)


def words(text: str) -> list[str]:
    return WORDS.findall(text)


def reads_as_prose(text: str) -> bool:
    """True for a sentence: it ends like one, and some word in lower case is more than a connective."""
    found = words(text)
    return (SENTENCE_END.search(text.strip()) is not None and len(found) >= PROSE_MIN_WORDS
            and any(w[0].islower() and w.lower() not in CONNECTIVES for w in found))


def is_salutation(text: str) -> bool:
    return SALUTATION.match(text) is not None and not reads_as_prose(text)


def is_sign_off(text: str) -> bool:
    return SIGN_OFF.match(text) is not None


def capitalised(text: str) -> bool:
    found = words(text)
    return bool(found) and all(w[0].isupper() or w.lower() in CONNECTIVES for w in found)


def names_a_body_or_place(text: str) -> bool:
    """Every word capitalised (connectives aside), and a comma, a digit or a word naming a body or place."""
    marked = "," in text or any(c.isdigit() for c in text) or PLACES.search(text) is not None
    return capitalised(text) and marked


def names_a_role(text: str) -> bool:
    """A name and role, or a role alone (see ROLE_LINE_MAX_WORDS)."""
    if ROLES.search(text) is None:
        return False
    found = words(text)
    ends_in_role = len(found) <= ROLE_LINE_MAX_WORDS and ROLES.fullmatch(found[-1].rstrip(".")) is not None
    named = NAME_THEN_ROLE.match(text) is not None and ROLES.search(text.split(",", 1)[1]) is not None
    return capitalised(text) or ends_in_role or named


def is_furniture(text: str) -> bool:
    """True for a line that is letter furniture, not a sentence (see the module docstring)."""
    text = " ".join(text.split())
    if is_salutation(text) or is_sign_off(text):
        return True
    if not text or reads_as_prose(text):
        return False
    return bool(CONTACT.search(text) or DATE_ALONE.match(text) or HONORIFIC.match(text)
                or names_a_role(text) or names_a_body_or_place(text))
