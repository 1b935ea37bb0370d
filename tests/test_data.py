import json

import pytest

from sendclf.data import count_table, load_dataset
from sendclf.errors import SendclfError
from sendclf.paths import SEEDS
from tests.conftest import write_seeds


def test_dataset_schema(tiny_seeds, labels):
    seeds, _, _ = tiny_seeds
    ds = load_dataset(labels, seeds)
    assert ds.column_names == ["id", "article", "area", "text", "polarity", "themes"]
    assert ds.features["polarity"].names == labels.polarity_ids
    assert ds.features["themes"].feature.names == labels.theme_ids
    assert ds[1]["themes"] == [labels.theme_ids.index("local_offer"),
                               labels.theme_ids.index("coproduction")]
    assert ds["article"] == ["alpha", "alpha", "beta"]


def test_count_table(tiny_seeds, labels):
    columns, rows = count_table(load_dataset(labels, tiny_seeds[0]), labels)
    assert columns == ["alpha", "beta", "total"]
    table = dict(rows)
    assert table["sentences"] == [2, 1, 3]
    assert table["polarity: neutral"] == [0, 1, 1]
    assert table["theme: coproduction"] == [1, 0, 1]


@pytest.mark.parametrize("change, message", [
    (lambda r: r.pop(), "has no label"),
    (lambda r: r[0].update(text="Waiting times are fine."), "no longer matches"),
    (lambda r: r.append({**r[0], "id": "gamma-000"}), "unknown id"),
    (lambda r: r[2].update(themes=["other", "leadership"]), "must stand alone"),
    (lambda r: r.append(dict(r[0])), "duplicate id"),
    (lambda r: r[0].update(polarity="bad"), "unknown polarity"),
    (lambda r: r[0].update(themes=["nonsense"]), "unknown theme"),
    (lambda r: r[0].update(themes=[]), "has no theme"),
])
def test_validation_errors_name_file_and_line(tmp_path, labels, tiny_seeds, change, message):
    _, articles, records = tiny_seeds
    records = [dict(r) for r in records]
    change(records)
    seeds = write_seeds(tmp_path / "bad", articles, records)
    with pytest.raises(SendclfError, match=message) as info:
        load_dataset(labels, seeds)
    assert "labels.jsonl" in str(info.value)


def test_line_number_is_reported(tmp_path, labels, tiny_seeds):
    _, articles, records = tiny_seeds
    records = [dict(r) for r in records]
    records[2]["themes"] = ["other", "outcomes"]
    seeds = write_seeds(tmp_path / "bad", articles, records)
    with pytest.raises(SendclfError, match=r"labels.jsonl:3:"):
        load_dataset(labels, seeds)


def test_invalid_json_line(tiny_seeds, labels):
    seeds, _, _ = tiny_seeds
    with open(seeds / "labels.jsonl", "a") as f:
        f.write("{not json\n")
    with pytest.raises(SendclfError, match=r"labels.jsonl:4: not valid JSON"):
        load_dataset(labels, seeds)


def test_real_seed_corpus_is_valid_and_complete(labels):
    ds = load_dataset(labels)
    assert len(set(ds["article"])) == 5
    lines = (SEEDS / "labels.jsonl").read_text(encoding="utf-8").splitlines()
    assert len(lines) == len(ds) >= 100
    assert all(json.loads(line)["themes"] for line in lines)
