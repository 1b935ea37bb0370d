"""The one stylesheet of every HTML page sendclf writes (`style.css`, package data), inlined into each page so
a page stays one self-contained file."""

from functools import cache
from importlib.resources import files


@cache
def stylesheet() -> str:
    return files("sendclf").joinpath("style.css").read_text(encoding="utf-8")
