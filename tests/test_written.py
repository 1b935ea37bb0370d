"""The written corpus: valid by the label contract, covering every cell, and no copy of the seeds."""

import re
from collections import Counter

import numpy as np
import pytest

from sendclf.data import WRITTEN_KEYS, read_label_records, read_written
from sendclf.errors import SendclfError
from sendclf.paths import SEEDS

RUN = 8  # words in a row that a written sentence may not share with a seed sentence


def runs(text: str, n: int = RUN) -> set[tuple[str, ...]]:
    words = re.findall(r"[a-z0-9]+", text.lower())
    return {tuple(words[i:i + n]) for i in range(len(words) - n + 1)}


@pytest.fixture(scope="module")
def written(labels):
    return read_written(labels)


def test_no_written_sentence_shares_a_run_of_8_words_with_a_seed(written):
    seed_runs = set().union(*(runs(r.text) for r in read_label_records(SEEDS / "labels.jsonl")))
    leaks = [(r.id, " ".join(sorted(runs(r.text) & seed_runs)[0])) for _, r in written
             if runs(r.text) & seed_runs]
    assert leaks == []


def test_the_leak_check_would_catch_a_copied_sentence():
    seed = read_label_records(SEEDS / "labels.jsonl")[0].text
    assert runs("Reporters wrote: " + seed.lower()) & runs(seed)


def test_every_polarity_and_theme_cell_is_covered(written, labels):
    cells = Counter((r.themes[0], r.polarity) for _, r in written)
    for theme in labels.theme_ids:
        if theme == labels.no_theme:
            continue
        assert cells[(theme, "weakness")] >= 40 and cells[(theme, "strength")] >= 40, theme
        assert cells[(theme, "neutral")] >= 15, theme
    assert sum(n for (theme, _), n in cells.items() if theme == labels.no_theme) >= 300
    assert len(written) >= 2500


def test_invalid_written_records_are_one_clear_error(tmp_path, labels):
    folder = tmp_path / "written"
    folder.mkdir()
    good = '{"id": "w1", "text": "Waits are long.", "polarity": "weakness", "themes": ["health_access"], ' \
           '"register": "news", "area": "Invented"}'
    for bad, message in (
        (good.replace('"news"', '"news", "extra": 1'), "exactly the keys"),
        (good.replace('["health_access"]', '["other", "inclusion"]'), "must stand alone"),
        (good.replace("weakness", "bad"), "unknown polarity"),
        (good + "\n" + good.replace('"w1"', '"w2"'), "duplicate text"),
        ("not json", "not valid JSON"),
    ):
        (folder / "batch.jsonl").write_text(bad + "\n")
        with pytest.raises(SendclfError, match=message):
            read_written(labels, tmp_path)
    assert set(WRITTEN_KEYS) == {"id", "text", "polarity", "themes", "register", "area"}


NEAR = 0.8  # MiniLM cosine similarity at which a written sentence reads as a paraphrase of a seed one


@pytest.mark.slow
def test_no_written_sentence_paraphrases_a_seed_sentence(written):
    """Beyond shared words: the packaged MiniLM finds no written sentence this close to a seed sentence
    (an audit found 'The report also picked out ...' beside a seed's 'The report did identify ...')."""
    pytest.importorskip("torch")
    from sendclf.encoders import resolve_encoder
    from sendclf.models import transformer_net as tn

    tokenizer, encoder = tn.load_encoder(resolve_encoder(None))
    net = tn.TransformerNet(encoder, 3, 12, 0.0, 20.0).eval()

    def unit(texts):
        ids = tokenizer(texts, truncation=True, max_length=128)["input_ids"]
        with tn.torch_session(0):
            v = tn.embed_ids(net, ids, tokenizer.pad_token_id, 64, "float32", "cpu")
        return v / np.linalg.norm(v, axis=1, keepdims=True)

    seeds = [r.text for r in read_label_records(SEEDS / "labels.jsonl")]
    similarity = unit([r.text for _, r in written]) @ unit(seeds).T
    close = [(written[i][1].id, round(float(similarity[i].max()), 3)) for i in np.flatnonzero(
        similarity.max(axis=1) >= NEAR)]
    assert close == []


def test_the_dev_set_is_apart_from_every_training_sentence(written, labels):
    """No dev sentence is a training sentence or shares a run of 8 words with a seed one, and no dev file is
    ever read as training data."""
    from sendclf.data import DEV_DIR

    dev = read_written(labels, SEEDS, (DEV_DIR,))
    assert len(dev) >= 600
    training = {r.text.strip().lower() for _, r in written}
    training |= {r.text.strip().lower() for r in read_label_records(SEEDS / "labels.jsonl")}
    assert [r.id for _, r in dev if r.text.strip().lower() in training] == []
    seed_runs = set().union(*(runs(r.text) for r in read_label_records(SEEDS / "labels.jsonl")))
    assert [r.id for _, r in dev if runs(r.text) & seed_runs] == []
    assert not {r.id for _, r in dev} & {r.id for _, r in written}


def test_the_hard_dev_set_is_apart_from_every_training_sentence_and_the_written_dev_set(written, labels):
    from sendclf.data import DEV_DIR, HARD_DEV_DIR

    hard = read_written(labels, SEEDS, (HARD_DEV_DIR,))
    assert len(hard) >= 500
    elsewhere = {r.text.strip().lower() for _, r in written + read_written(labels, SEEDS, (DEV_DIR,))}
    elsewhere |= {r.text.strip().lower() for r in read_label_records(SEEDS / "labels.jsonl")}
    assert [r.id for _, r in hard if r.text.strip().lower() in elsewhere] == []
    seed_runs = set().union(*(runs(r.text) for r in read_label_records(SEEDS / "labels.jsonl")))
    assert [r.id for _, r in hard if runs(r.text) & seed_runs] == []
