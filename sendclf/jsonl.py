"""Reading JSON Lines, the one way: every reader of labels, corpora, suggestions and inputs uses it."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import Any

from sendclf.errors import SendclfError

LINE_END = re.compile(r"\r\n|\r|\n")


def json_lines(text: str, source: str, line_label: str = ":") -> Iterator[tuple[int, str, Any]]:
    """(line number, where, parsed value) for every non-blank line, `where` naming the source and line
    ("labels.jsonl:4", or "s.jsonl, line 4" with `line_label=", line "`); bad JSON is one clear error."""
    # Only \n, \r\n and \r end a line: U+2028, U+0085, \x1c and the like may stand unescaped inside a JSON
    # string (sendclf's own output keeps them so), and `str.splitlines` would cut the record there.
    for number, line in enumerate(LINE_END.split(text), start=1):
        if not line.strip():
            continue
        where = f"{source}{line_label}{number}"
        try:
            value = json.loads(line)
        except json.JSONDecodeError as error:
            raise SendclfError(f"{where}: not valid JSON ({error.msg})") from None
        except RecursionError:
            raise SendclfError(f"{where}: not valid JSON here (nested too deeply)") from None
        yield number, where, value
