"""Where the project's files live. Everything is relative to the repository, whatever the cwd."""

from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CONFIGS = ROOT / "configs"
SEEDS = ROOT / "seeds"
MODELS = ROOT / "models"
REPORTS = ROOT / "reports"
LABELS_CONFIG = CONFIGS / "labels.yaml"
