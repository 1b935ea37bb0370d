"""The one builder of tiny models for the tests: TF-IDF on fixed sentences (under a second), a random
two-layer BERT (seconds), and TF-IDF models trained the real way by `sendclf train` on three short articles.

conftest.py trains each once per test run (session fixtures); tests copy a folder before changing it.
"""

from pathlib import Path

import numpy as np

from sendclf.models.registry import build_model
from sendclf.models.tfidf import TfidfConfig
from sendclf.targets import Targets

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

# Two models trained by `sendclf train` that differ: strong vs weak regularisation.
TRAINED_CONFIGS = {"sharp": "theme_c: 4.0\npolarity_c: 4.0\n",
                   "blunt": "theme_c: 0.01\npolarity_c: 0.01\n"}


def tiny_targets(labels) -> Targets:
    """TINY_DATA as training arrays, in three made-up areas."""
    texts, polarity, themes = [], [], []
    for polarity_id, (theme, sentences) in TINY_DATA.items():
        for sentence in sentences:
            texts.append(sentence)
            polarity.append(labels.polarity_ids.index(polarity_id))
            themes.append(np.eye(len(labels.themes), dtype=np.float32)[labels.theme_ids.index(theme)])
    themes = np.array(themes)
    return Targets(texts, np.array(polarity), themes, themes.argmax(axis=1),
                   np.array([f"a{i % 3}" for i in range(len(texts))]))


def train_tiny_model(directory: Path, labels) -> Path:
    """A TF-IDF model fitted on TINY_DATA (no threshold tuning), with its evidence memory, saved."""
    targets = tiny_targets(labels)
    model = build_model("tfidf", TfidfConfig(), labels).fit(targets)
    model.remember(targets)
    model.save(directory)
    return directory


def build_tiny_bert(directory: Path) -> Path:
    """A randomly initialised two-layer BERT with the packaged MiniLM's tokenizer: a transformer model in
    seconds."""
    import torch
    from transformers import AutoTokenizer, BertConfig, BertModel

    from sendclf.encoders import resolve_encoder

    tokenizer = AutoTokenizer.from_pretrained(resolve_encoder(None), local_files_only=True)
    torch.manual_seed(0)
    config = BertConfig(vocab_size=tokenizer.vocab_size, hidden_size=16, num_hidden_layers=2,
                        num_attention_heads=2, intermediate_size=32, max_position_embeddings=64)
    BertModel(config).save_pretrained(directory)
    tokenizer.save_pretrained(directory)
    return directory


def train_tiny_transformer(directory: Path, encoder: Path, labels, **settings):
    """The tiny random BERT fine-tuned on TINY_DATA (seconds), with its training memory, saved."""
    from sendclf.models.transformer import TransformerConfig

    config = TransformerConfig(encoder=str(encoder), epochs=2, batch_size=4, max_length=32,
                               inference_batch_size=3, probe_epochs=2, threads=1, train_precision="float32",
                               inference_precision="float32")
    for key, value in settings.items():
        setattr(config, key, value)
    model = build_model("transformer", config, labels)
    model.show_progress = False
    data = tiny_targets(labels)
    model.fit(data)
    model.remember(data)
    model.save(directory)
    return model


def train_models(root: Path, names=tuple(TRAINED_CONFIGS)) -> list[Path]:
    """Tiny TF-IDF models trained the real way (`sendclf.train`) on three short articles: seconds."""
    from conftest import write_trainable_seeds

    from sendclf.train import train

    seeds = write_trainable_seeds(root / "seeds")
    dirs = []
    for name in names:
        config = root / f"{name}.yaml"
        config.write_text(TRAINED_CONFIGS[name])
        train("tfidf", config_path=config, out_dir=root / "models" / name, seeds=seeds, quiet=True)
        dirs.append(root / "models" / name)
    return dirs
