"""Reading JSON Lines, the one way: every reader of labels, corpora, suggestions and inputs uses it."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

from sendclf.errors import SendclfError


def json_lines(text: str, source: str, line_label: str = ":") -> Iterator[tuple[int, str, Any]]:
    """(line number, where, parsed value) for every non-blank line, `where` naming the source and line
    ("labels.jsonl:4", or "s.jsonl, line 4" with `line_label=", line "`); bad JSON is one clear error."""
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        where = f"{source}{line_label}{number}"
        try:
            value = json.loads(line)
        except json.JSONDecodeError as error:
            raise SendclfError(f"{where}: not valid JSON ({error.msg})") from None
        yield number, where, value
