"""Project configuration: `.rightscheck.yaml` or `[tool.rightscheck]` in pyproject.toml, found from the scanned root upward."""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterable

from rightscheck.core import packcache
from rightscheck.core.errors import RightscheckError
from rightscheck.core.schemas import validate
from rightscheck.core.yamlfile import LineMap, format_key_path, load_yaml

CONFIG_NAMES = (".rightscheck.yaml", ".rightscheck.yml")
DEFAULT_MAX_FILE_SIZE = 10 * 1024 * 1024
_UNITS = {"B": 1, "KB": 1000, "MB": 1000**2, "GB": 1000**3, "KIB": 1024, "MIB": 1024**2, "GIB": 1024**3}

DEFAULT_TIMEOUT = 2.0  # seconds one pattern may take on one file (config: pattern_timeout)


@dataclass(frozen=True)
class SourceDir:
    """A folder of source texts for reuse detection; ``pack`` attributes all of it to one pack.
    ``origin`` is the config file, line and key that named it, for error messages."""

    path: str
    pack: str | None = None
    origin: tuple[str | None, int | None, str | None] = (None, None, None)

    def missing(self) -> RightscheckError | None:
        """The error to raise if the folder (or file) is not there."""
        if os.path.exists(self.path):
            return None
        config_path, line, key = self.origin
        return RightscheckError(f"sources path does not exist: {self.path}", config_path or self.path, line, key)


@dataclass
class Config:
    """Settings from the config file; the CLI overrides some of them."""

    raw: dict[str, Any] = field(default_factory=dict)
    path: str | None = None
    root: Path = field(default_factory=Path.cwd)
    licences: frozenset[str] = frozenset()
    exclude_paths: list[str] = field(default_factory=list)
    rules: list[Path] = field(default_factory=list)
    only: list[str] = field(default_factory=list)
    exclude: list[str] = field(default_factory=list)
    fail_on: str = "error"
    fail_on_unused_suppressions: bool = False
    max_file_size: int = DEFAULT_MAX_FILE_SIZE
    follow_symlinks: bool = False
    respect_gitignore: bool = True
    scope: str = "article"  # of an HTML page, what is judged: "article" or the whole "page"
    pattern_timeout: float = DEFAULT_TIMEOUT
    sources: list[SourceDir] = field(default_factory=list)
    index: Path | None = None
    quotation: dict[str, dict[str, Any]] = field(default_factory=dict)
    fields: tuple[str, ...] = ()  # JSON Lines and CSV fields as --field specs, "text=body"
    web: dict[str, Any] = field(default_factory=dict)  # live pages: interval, concurrency, timeout, deadline, robots
    lines: LineMap = field(default_factory=LineMap)

    def check_pack_ids(self, known: Iterable[str]) -> None:
        """Reject config pack ids that no pack has: a typo in ``licences`` must not pass unnoticed."""
        known = set(known)
        named = [((key, index), pack_id) for key in ("licences", "licenses", "only", "exclude")
                 for index, pack_id in enumerate(self.raw.get(key, []))]
        named += [(("sources", index, "pack"), item["pack"]) for index, item in enumerate(self.raw.get("sources", []))
                  if isinstance(item, dict) and "pack" in item]
        named += [(("quotation", pack_id), pack_id) for pack_id in self.raw.get("quotation", {})]
        for key_path, pack_id in named:
            if pack_id not in known:
                raise RightscheckError(f"unknown pack '{pack_id}' (known: {', '.join(sorted(known))})",
                                       self.path, self.lines.line_for(key_path), format_key_path(key_path))


def file_licences(front_matter: dict[str, Any], line: int | None, path: str, known: Iterable[str]
                  ) -> tuple[frozenset[str], list[RightscheckError]]:
    """Licences one Markdown file declares for itself in front matter, ``rightscheck: {licences: [afp]}``,
    and the mistakes in that declaration (reported as errors, not skipped: an unnoticed typo would
    leave the file's licence undeclared)."""
    block = front_matter.get("rightscheck")
    if block is None:
        return frozenset(), []
    key = "rightscheck.licences"
    if not isinstance(block, dict) or set(block) - {"licences", "licenses"}:
        return frozenset(), [RightscheckError("expected a mapping with one key, licences, e.g. {licences: [afp]}",
                                              path, line, "rightscheck")]
    values = block.get("licences", block.get("licenses"))
    if not isinstance(values, list) or not all(isinstance(v, str) for v in values):
        return frozenset(), [RightscheckError("expected a list of pack ids, e.g. [afp]", path, line, key)]
    known = set(known)
    errors = [RightscheckError(f"unknown pack '{v}' (see `rightscheck rules list`)", path, line, key)
              for v in values if v not in known]
    return frozenset(v for v in values if v in known), errors


def find_config(paths: Iterable[str]) -> Path | None:
    """Nearest config file at or above the common directory of ``paths``; the search stops at a repository root."""
    dirs = [os.path.abspath(p if os.path.isdir(p) else os.path.dirname(p) or ".") for p in paths] or [os.getcwd()]
    here = Path(os.path.commonpath(dirs))
    for directory in (here, *here.parents):
        for name in CONFIG_NAMES:
            if (directory / name).is_file():
                return directory / name
        pyproject = directory / "pyproject.toml"
        if pyproject.is_file() and re.search(r"(?m)^\s*\[tool\.rightscheck\]", _read(pyproject)):
            return pyproject
        if (directory / ".git").exists():
            return None
    return None


def load_config(path: Path | None) -> Config:
    """Read and validate a config file; None gives the defaults."""
    if path is None:
        return Config()
    name = str(path)
    text = _read(path)
    kind = "pyproject" if path.name == "pyproject.toml" else "config"
    cached = packcache.get(text, kind)
    if cached:
        data, lines = cached
    else:
        data, lines = _load_pyproject(text, name) if kind == "pyproject" else load_yaml(text, name)
        if data is None:
            data = {}
        if not isinstance(data, dict):
            raise RightscheckError("config must be a mapping of keys", name, 1)
        validate(data, "config", name, lines)
        packcache.put(text, data, lines, kind)
    base = path.resolve().parent
    for index, rules_path in enumerate(data.get("rules", [])):
        if not (base / rules_path).exists():
            raise RightscheckError(f"rules path does not exist: {base / rules_path}", name,
                                   lines.line_for(("rules", index)), f"rules[{index}]")
    return Config(
        raw=data,
        lines=lines,
        path=name,
        root=base,
        licences=frozenset(data.get("licences", []) + data.get("licenses", [])),
        exclude_paths=list(data.get("exclude_paths", [])),
        rules=[base / r for r in data.get("rules", [])],
        only=list(data.get("only", [])),
        exclude=list(data.get("exclude", [])),
        fail_on=data.get("fail_on", "error"),
        fail_on_unused_suppressions=data.get("fail_on_unused_suppressions", False),
        max_file_size=_max_file_size(data, name, lines),
        follow_symlinks=data.get("follow_symlinks", False),
        respect_gitignore=data.get("respect_gitignore", True),
        scope=data.get("scope", "article"),
        pattern_timeout=float(data.get("pattern_timeout", DEFAULT_TIMEOUT)),
        sources=[SourceDir(_shown(base / (item if isinstance(item, str) else item["path"])),
                           None if isinstance(item, str) else item.get("pack"),
                           (name, lines.line_for(("sources", index)), f"sources[{index}]"))
                 for index, item in enumerate(data.get("sources", []))],
        index=base / data["index"] if "index" in data else None,
        quotation=dict(data.get("quotation", {})),
        fields=tuple(f"{name}={value}" for name, value in data.get("fields", {}).items()),
        web=dict(data.get("web", {})),
    )


def _shown(path: Path) -> str:
    """A config-relative path as findings show it: relative to the working directory when below it."""
    relative = os.path.relpath(path)
    return path.as_posix() if relative.startswith("..") else Path(relative).as_posix()


def _max_file_size(data: dict, name: str, lines: LineMap) -> int:
    size = parse_size(data.get("max_file_size", DEFAULT_MAX_FILE_SIZE))
    if size < 1:
        raise RightscheckError("must be at least 1 byte", name, lines.line_for(("max_file_size",)), "max_file_size")
    return size


def parse_size(value: int | str) -> int:
    """``10MB`` / ``512KiB`` / ``2048`` -> bytes (the schema has already checked the form)."""
    if isinstance(value, int):
        return value
    match = re.fullmatch(r"\s*([0-9.]+)\s*([KMG]i?B|B)?\s*", value, re.I)
    if not match:
        raise RightscheckError(f"invalid size '{value}' (use e.g. 10MB)", key="max_file_size")
    return int(float(match.group(1)) * _UNITS[(match.group(2) or "B").upper()])


def _read(path: Path) -> str:
    try:
        return path.read_text("utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise RightscheckError(f"cannot read config: {exc}", str(path)) from None


def _load_pyproject(text: str, name: str) -> tuple[Any, LineMap]:
    try:
        import tomllib
    except ModuleNotFoundError:  # Python 3.10
        import tomli as tomllib
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        line = re.search(r"line (\d+)", str(exc))
        raise RightscheckError(f"invalid TOML: {exc}", name, int(line.group(1)) if line else None) from None
    section = data.get("tool", {}).get("rightscheck", {})
    lines = LineMap()
    # tomllib keeps no positions: find the section header and its top-level keys by scanning the text.
    in_section = False
    for number, raw in enumerate(text.splitlines(), 1):
        stripped = raw.strip()
        if stripped.startswith("["):
            in_section = stripped.replace(" ", "") == "[tool.rightscheck]"
            if in_section:
                lines.set((), number)
            continue
        key = re.match(r"([A-Za-z0-9_-]+)\s*=", stripped)
        if in_section and key:
            lines.set((key.group(1),), number)
    return section, lines
