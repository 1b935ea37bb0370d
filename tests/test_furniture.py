"""The shared test of docs/LABELS.md "What counts as a sentence": letter furniture is not a sentence."""

import pytest

from sendclf.furniture import is_furniture, reads_as_prose


@pytest.mark.parametrize("line", [
    "Dear Ms Okonjo and Dr Patel", "Dear Director,", "Yours faithfully", "Kind regards",
    "Gillan House, 12 Orchard Way", "Wexcombe WX3 7PL", "T 0300 555 0199", "Tel: 01632 960 123",
    "inspections@example.org", "www.example.gov.uk/send", "3 February 2027", "Monday, 3 February 2027",
    "Mr Callum Reid", "Dr Ana Sousa, Chief Nurse, NHS Wexcombe Integrated Care Board",
    "Director of Education and Skills", "Local area nominated officer", "Leo Marsh, CQC lead inspector",
    "Wexcombe Metropolitan Borough Council", "Lena Ford, Director of Children's Services.",
])
def test_addresses_contacts_names_and_roles_are_furniture(line):
    assert is_furniture(line)


@pytest.mark.parametrize("line", [
    "Main findings", "Areas for improvement", "Area SEND inspection of Wexcombe Local Area Partnership",
    "Council head quits after damning SEND report", "Inspectors visited in May.",
    "The local offer at www.example.gov.uk is hard to find and out of date.",
    "The director of children's services has promised to cut waiting times.",
    "Dear parents have been left waiting for months, a councillor said.",
])
def test_sentences_and_headings_are_not_furniture(line):
    assert not is_furniture(line)


def test_prose_needs_an_ending_and_a_lower_case_word_beyond_connectives():
    assert reads_as_prose("Waits are long.")
    assert not reads_as_prose("Waits are long")
    assert not reads_as_prose("Ana Sousa, Head of the Service.")
