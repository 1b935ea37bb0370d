"""A tiny trained TF-IDF model for the classify tests: fitted in well under a second, no threshold tuning."""

from pathlib import Path

import numpy as np

from sendclf.models.base import Targets, build_model
from sendclf.models.tfidf import TfidfConfig

# polarity -> (theme, sentences): a few words per class are enough for the tests to see sensible output.
TINY_DATA = {
    "weakness": ("health_access", ["Waiting times for therapy are too long.",
                                   "Children wait two years for CAMHS appointments.",
                                   "Families wait far too long for an autism assessment."]),
    "strength": ("outcomes", ["Children achieve well in primary schools.",
                              "Outcomes in the early years are strong.",
                              "Young people achieve well and feel safe."]),
    "neutral": ("other", ["Inspectors visited the area in March.",
                          "The council must write a statement of action.",
                          "The report was published on Tuesday."]),
}


def train_tiny_model(directory: Path, labels) -> Path:
    texts, polarity, themes = [], [], []
    for polarity_id, (theme, sentences) in TINY_DATA.items():
        for sentence in sentences:
            row = np.zeros(len(labels.themes), dtype=np.float32)
            row[labels.theme_ids.index(theme)] = 1.0
            texts.append(sentence)
            polarity.append(labels.polarity_ids.index(polarity_id))
            themes.append(row)
    themes = np.array(themes)
    targets = Targets(texts, np.array(polarity), themes, themes.argmax(axis=1),
                      np.array([f"a{i % 3}" for i in range(len(texts))]))
    model = build_model("tfidf", TfidfConfig(), labels).fit(targets)
    model.remember(targets)
    model.save(directory)
    return directory
