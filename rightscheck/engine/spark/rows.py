"""Findings and skips as table rows (Parquet, Spark DataFrames) and back: every field of the JSON contract
a column, the nested ``source`` and ``record`` objects as JSON text, so a row is read back as the very
finding it was written from."""

from __future__ import annotations

import json
from dataclasses import fields

from rightscheck.core.findings import Finding
from rightscheck.core.result import Skipped

_TYPES = {"line": "int", "column": "int", "end_line": "int", "end_column": "int", "occurrences": "int"}
_JSON = ("source", "record")  # dicts, kept as JSON text
FINDING_FIELDS = [f.name for f in fields(Finding)]
# Spark's DDL for a finding row (the snippet, SARIF's region text, included: a report rendered from the
# rows is the one the local engine renders)
FINDING_SCHEMA = ", ".join(f"`{name}` {_TYPES.get(name, 'string')}" for name in FINDING_FIELDS)
SKIPPED_SCHEMA = "path string, reason string, problem boolean, record string"
SUPPRESSED_SCHEMA = f"{FINDING_SCHEMA}, justification string"  # a suppressed finding and the directive's reason


def _dump(value: dict | None) -> str | None:
    return None if value is None else json.dumps(value, ensure_ascii=False)


def _load(value: str | None) -> dict | None:
    return None if value is None else json.loads(value)


def finding_row(finding: Finding) -> tuple:
    return tuple(_dump(getattr(finding, name)) if name in _JSON else getattr(finding, name)
                 for name in FINDING_FIELDS)


def finding_of(row) -> Finding:
    """A finding from a row (a tuple in FINDING_FIELDS order, or a Spark Row)."""
    values = dict(zip(FINDING_FIELDS, row)) if isinstance(row, tuple) and not hasattr(row, "asDict") \
        else row.asDict()
    return Finding(**{name: _load(values[name]) if name in _JSON else values[name] for name in FINDING_FIELDS})


def skipped_row(skipped: Skipped) -> tuple:
    return skipped.path, skipped.reason, skipped.problem, _dump(skipped.record)


def skipped_of(row) -> Skipped:
    path, reason, problem, record = tuple(row)
    return Skipped(path, reason, problem, _load(record))
