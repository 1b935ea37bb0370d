import pytest

from sendclf.errors import SendclfError
from sendclf.labels import LabelSet


def test_contract_matches_annotation_guide(labels):
    assert labels.polarity_ids == ["weakness", "strength", "neutral"]
    assert len(labels.theme_ids) == 12 and labels.no_theme == "other"
    assert all(label.description for label in labels.themes)


def test_round_trip(labels):
    assert LabelSet.from_dict(labels.to_dict()) == labels


def test_no_theme_must_be_a_theme(labels):
    raw = labels.to_dict() | {"no_theme": "missing"}
    with pytest.raises(SendclfError, match="no_theme"):
        LabelSet.from_dict(raw)


def test_theme_phrases_cover_every_real_theme(labels):
    phrases, index = labels.theme_phrases()
    assert len(phrases) == len(index) > len(labels.themes)
    assert set(index) == set(range(len(labels.themes))) - {labels.no_theme_index}
    assert "funding pressure" in phrases and all(len(p) >= 3 for p in phrases)
