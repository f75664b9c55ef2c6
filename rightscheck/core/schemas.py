"""JSON Schema validation of packs and config, reported as ``file:line: key.path: message``."""

from __future__ import annotations

import json
import math
from collections.abc import Iterator
from functools import lru_cache
from importlib import resources
from typing import Any

from rightscheck.core.errors import RightscheckError
from rightscheck.core.findings import one_line
from rightscheck.core.yamlfile import LineMap, format_key_path


SCHEMAS = ("rulepack", "config", "fixtures")


@lru_cache(maxsize=None)
def _validator(name: str):
    import jsonschema  # deferred: only needed when a file is actually validated
    from referencing import Registry, Resource

    schemas = {
        n: json.loads(resources.files("rightscheck.core").joinpath("schema", f"{n}.schema.json").read_text("utf-8"))
        for n in SCHEMAS
    }
    registry = Registry().with_resources((s["$id"], Resource.from_contents(s)) for s in schemas.values())
    schema = schemas[name]
    return jsonschema.validators.validator_for(schema)(schema, registry=registry)


def validate(data: Any, schema_name: str, path: str, lines: LineMap) -> None:
    """Raise RightscheckError for the first (by line) schema violation in ``data``."""
    for key_path in _not_finite(data, ()):  # YAML's .nan and .inf pass every JSON Schema bound
        raise RightscheckError("not a finite number", path, lines.line_for(key_path), format_key_path(key_path) or None)
    errors = list(_validator(schema_name).iter_errors(data))
    if not errors:
        return
    located = [_locate(error, lines) for error in errors]
    line, key_path, message = min(located, key=lambda item: (item[0] or 0, len(item[1])))
    raise RightscheckError(message, path, line, format_key_path(key_path) or None)


def _not_finite(data: Any, key_path: tuple) -> Iterator[tuple]:
    """Key paths of the NaN and infinite numbers in ``data`` (a ``pattern_timeout: .nan`` turned timeouts off)."""
    if isinstance(data, float) and not math.isfinite(data):
        yield key_path
    elif isinstance(data, dict):
        for key, value in data.items():
            yield from _not_finite(value, key_path + (key,))
    elif isinstance(data, list):
        for index, value in enumerate(data):
            yield from _not_finite(value, key_path + (index,))


def _locate(error, lines: LineMap) -> tuple[int | None, tuple, str]:
    key_path = tuple(error.absolute_path)
    if error.validator == "additionalProperties" and isinstance(error.instance, dict):
        allowed = set(error.schema.get("properties", {}))
        extra = sorted(k for k in error.instance if k not in allowed)
        if extra:
            key_path += (extra[0],)
            hint = ", ".join(sorted(allowed))
            return lines.line_for(key_path), key_path, f"unknown key '{extra[0]}' (allowed: {hint})"
    if error.validator == "required":
        return lines.line_for(key_path), key_path, error.message.replace("is a required property", "is required")
    if error.validator == "oneOf" and error.context:
        # say what is wrong with the alternative that got furthest (deepest error), not that none matched
        return _locate(max(error.context, key=lambda e: len(e.absolute_path)), lines)
    return lines.line_for(key_path), key_path, one_line(error.message, 160)
