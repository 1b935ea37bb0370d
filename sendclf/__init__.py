"""sendclf: polarity and theme labels for SEND inspection sentences.

    from sendclf import load_model
    model = load_model("tfidf")  # a model name under models/, or a model directory
    rows = model.classify(["Families wait too long for an assessment.", "Outcomes are strong."])

The API is imported on first use, so `import sendclf` stays light (and the TF-IDF path never imports torch).
"""

from __future__ import annotations

import os

# Idle OpenMP threads (torch's) sleep instead of spinning: a spinning thread holds a core that a second job
# on the same 2 cores needs. libgomp reads this when torch is first imported, so it is set here, first.
os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from sendclf.api import UNSURE_BELOW, Model, Row, load_model
    from sendclf.errors import SendclfError

__all__ = ["UNSURE_BELOW", "Model", "Row", "SendclfError", "load_model"]
_HOMES = {"load_model": "sendclf.api", "Model": "sendclf.api", "Row": "sendclf.api",
          "UNSURE_BELOW": "sendclf.api", "SendclfError": "sendclf.errors"}


def __getattr__(name: str):
    if name in _HOMES:
        import importlib

        return getattr(importlib.import_module(_HOMES[name]), name)
    raise AttributeError(f"module 'sendclf' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted([*globals(), *__all__])
