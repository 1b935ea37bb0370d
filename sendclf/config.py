"""YAML configs (and saved results) mapped onto typed dataclasses: unknown, missing or mistyped keys are
errors, not surprises."""

from __future__ import annotations

import dataclasses
import types
import typing
from pathlib import Path
from typing import Any, TypeVar

import yaml

from sendclf.errors import SendclfError

T = TypeVar("T")
SHOWN_CHARS = 60  # of a wrong value, in an error message


def _shown(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= SHOWN_CHARS else text[:SHOWN_CHARS] + "..."


def _check_type(name: str, value: Any, expected: Any, source: str) -> Any:
    origin = typing.get_origin(expected)
    if origin in (typing.Union, types.UnionType):
        options = [option for option in typing.get_args(expected) if option is not type(None)]
        if value is None and len(options) < len(typing.get_args(expected)):
            return None
        if len(options) == 1:  # `X | None` holding a value: X's own message says what is wrong
            return _check_type(name, value, options[0], source)
        for option in options:
            try:
                return _check_type(name, value, option, source)
            except SendclfError:
                continue
        raise SendclfError(f"{source}: {name} must be {expected}, got {_shown(value)}")
    if origin is typing.Literal:
        if value in typing.get_args(expected):
            return value
        options = ", ".join(map(str, typing.get_args(expected)))
        raise SendclfError(f"{source}: {name} must be one of {options}, "
                           f"got {value!r}")
    if expected is type(None):
        if value is None:
            return None
    elif dataclasses.is_dataclass(expected):
        return from_dict(expected, value, source, prefix=f"{name}.")
    elif origin is dict:
        if isinstance(value, dict) and all(isinstance(k, str) for k in value):
            _, inner = typing.get_args(expected) or (str, Any)
            return {k: _check_type(f"{name}.{k}", v, inner, source) for k, v in value.items()}
    elif origin in (list, tuple):
        if isinstance(value, list | tuple):
            (inner, *_) = typing.get_args(expected) or (Any,)
            return origin(_check_type(name, v, inner, source) for v in value)
    elif expected is Any:
        return value
    elif expected is float and isinstance(value, int | float) and not isinstance(value, bool):
        return float(value)
    elif isinstance(value, expected) and not (expected is int and isinstance(value, bool)):
        return value
    raise SendclfError(f"{source}: {name} must be {getattr(expected, '__name__', expected)}, "
                       f"got {_shown(value)}")


ADDED_LATER = "added_later"  # field metadata: see `added_later`


def added_later(default: Any) -> Any:
    """A setting added after model folders were saved without it. Its default must be how those models were
    trained (a new option that is off by default), so their folders still load; a setting whose default
    changes what old folders do needs a new model folder format instead."""
    return dataclasses.field(default=default, metadata={ADDED_LATER: True})


def _required(field: dataclasses.Field) -> bool:
    return field.default is dataclasses.MISSING and field.default_factory is dataclasses.MISSING


def from_dict(cls: type[T], raw: dict | None, source: str = "config", complete: bool = False,
              prefix: str = "") -> T:
    """Build a dataclass (nested dataclasses, lists and dicts included) from a mapping, naming the file and
    key of any mistake; `prefix` is the dotted path of a nested one.

    Keys left out take the dataclass defaults, unless `complete`: a saved model's config must name every
    setting, because a default added later need not describe how that model was trained, except the
    settings declared with `added_later`, whose defaults do. A field without a default must always be there.
    """
    raw = raw or {}
    if not isinstance(raw, dict):
        raise SendclfError(f"{source}: {prefix[:-1]} must be a mapping" if prefix
                           else f"{source}: expected a mapping of settings")
    fields = {f.name: f for f in dataclasses.fields(cls)}
    unknown = sorted(set(raw) - set(fields))
    if unknown:
        raise SendclfError(f"{source}: unknown key {prefix + unknown[0]!r} (known: {', '.join(fields)})")
    absent = [name for name, field in fields.items() if name not in raw and _required(field)]
    if absent:
        raise SendclfError(f"{source}: no {prefix + absent[0]!r} key")
    optional = {name for name, field in fields.items() if field.metadata.get(ADDED_LATER)}
    missing = [name for name in fields if name not in raw and name not in optional] if complete else []
    if missing:
        raise SendclfError(f"{source}: no {missing[0]!r} setting")
    hints = typing.get_type_hints(cls)
    values = {key: _check_type(f"{prefix}{key}", value, hints[key], source) for key, value in raw.items()}
    return cls(**values)


def load_config(cls: type[T], path: Path) -> T:
    try:
        with open(path, encoding="utf-8") as f:
            raw = yaml.safe_load(f)
    except FileNotFoundError:
        raise SendclfError(f"{path}: config file not found") from None
    except yaml.YAMLError as err:
        raise SendclfError(f"{path}: not valid YAML ({str(err).splitlines()[0]})") from None
    return from_dict(cls, raw, source=str(path))


def to_dict(config: Any) -> dict:
    return dataclasses.asdict(config)
