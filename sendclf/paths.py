"""Where the project's files live. Everything is relative to the repository, whatever the cwd, unless
SENDCLF_MODELS or SENDCLF_SEEDS names another folder (models kept elsewhere, or a test's tiny ones)."""

import os
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CONFIGS = ROOT / "configs"
SEEDS = Path(os.environ.get("SENDCLF_SEEDS") or ROOT / "seeds")
MODELS = Path(os.environ.get("SENDCLF_MODELS") or ROOT / "models")
REPORTS = ROOT / "reports"
LABELS_CONFIG = CONFIGS / "labels.yaml"
