from sendclf.paths import SEEDS
from sendclf.sentences import (
    MAX_SENTENCE_WORDS,
    article_sentences,
    clean_lines,
    shorter_pieces,
    split_sentences,
)


def texts(raw: str) -> list[str]:
    return [s.text for s in article_sentences("a", raw)]


def test_quotation_across_sentences_is_split():
    line = '"The partnership does not put children first. It should be rebuilt with scrutiny."'
    assert split_sentences(line) == [
        '"The partnership does not put children first.',
        'It should be rebuilt with scrutiny."',
    ]


def test_closing_curly_quote_stays_with_its_sentence():
    line = "Reforms were slow but young people felt “safe and well supported”, the report said."
    assert split_sentences(line) == [line]
    assert split_sentences("It was “woefully slow.” Then it improved.") == [
        "It was “woefully slow.”", "Then it improved."]


def test_abbreviations_do_not_break_sentences():
    line = "Mr. Smith and Dr. Jones met Cllr. Webb, e.g. on Monday. They agreed."
    assert split_sentences(line) == ["Mr. Smith and Dr. Jones met Cllr. Webb, e.g. on Monday.",
                                     "They agreed."]


def test_bullets_are_sentences_without_markers():
    raw = "The report found:\n  • waits are long\n- plans are poor.\n"
    assert texts(raw) == ["The report found:", "waits are long", "plans are poor."]


def test_york_date_marker_is_removed_and_the_sentence_kept():
    raw = ' date 2020-03-05 OFSTED says there are "significant weaknesses".\n'
    assert texts(raw) == ['OFSTED says there are "significant weaknesses".']


def test_furniture_is_dropped():
    raw = ("More on KentOnline\nA real sentence.\n-\nRegister Now to Continue Reading\n"
           "Free access to 4 subscriber-only articles per month\n")
    assert texts(raw) == ["A real sentence."]


def test_ids_are_stable_article_plus_index():
    sentences = article_sentences("york", "One. Two.\nThree.")
    assert [s.id for s in sentences] == ["york-000", "york-001", "york-002"]


def real(name: str) -> str:
    return (SEEDS / "articles" / f"{name}.txt").read_text(encoding="utf-8")


def test_furniture_removed_from_the_real_articles():
    joined = {name: "\n".join(clean_lines(real(name)))
              for name in ("newham", "middlesbrough-cypnow", "kent", "york")}
    assert "Comments" not in joined["newham"] and "Read the rules" not in joined["newham"]
    assert joined["newham"].endswith("in Newham.”")
    assert "Register Now" not in joined["middlesbrough-cypnow"]
    assert "Sign in" not in joined["middlesbrough-cypnow"]
    assert "subscriber" not in joined["middlesbrough-cypnow"]
    assert not joined["kent"].startswith("More on")
    assert joined["york"].startswith("OFSTED says")


def test_splitting_is_deterministic():
    assert article_sentences("kent", real("kent")) == article_sentences("kent", real("kent"))


def test_markdown_heading_marks_are_not_part_of_a_sentence():
    from sendclf.sentences import clean_lines

    assert clean_lines("# Easterby praised for inclusive schools\n\n## Findings\nText here.") == [
        "Easterby praised for inclusive schools", "Findings", "Text here."]


# ---- over-long sentences: cut for classify, never in the seeds -------------------------------------------


def test_a_sentence_within_the_limit_is_left_as_it_is():
    line = "Waits are long; plans are late,  and  parents are tired."
    assert shorter_pieces(line, max_words=10) == ([line], False)


def test_an_over_long_sentence_is_cut_at_clauses_first():
    line = "waits are long; plans are late, parents are tired – and schools say so too"
    assert shorter_pieces(line, max_words=7) == (
        ["waits are long; plans are late,", "parents are tired", "– and schools say so too"], False)


def test_a_clause_still_too_long_is_cut_between_words():
    pieces, cut_words = shorter_pieces("one two three four five six seven, eight", max_words=3)
    assert pieces == ["one two three", "four five six", "seven, eight"] and cut_words


def test_no_seed_sentence_is_over_the_limit():
    """So cutting could never change a seed sentence's id, even were it applied to the seeds."""
    for path in (SEEDS / "articles").glob("*.txt"):
        assert all(len(s.text.split()) <= MAX_SENTENCE_WORDS
                   for s in article_sentences(path.stem, path.read_text(encoding="utf-8")))


def test_a_long_line_of_abbreviations_splits_in_linear_time():
    import time

    line = "waits e.g. Long " * 8000  # 128 kB: searched from the line's start, each "e.g." took 10 s in all
    started = time.perf_counter()
    assert split_sentences(line) == [line.strip()]
    assert time.perf_counter() - started < 1
