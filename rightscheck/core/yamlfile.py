"""Safe YAML loading that remembers where every key came from.

Pack and config errors must name the file, line and key path; PyYAML's plain
``safe_load`` forgets positions, so we compose the node graph, record each
node's line, reject duplicate keys and oversized alias expansion (YAML bombs),
then construct plain Python data with the safe constructor only.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any, Collection

from rightscheck.core.errors import RightscheckError

if TYPE_CHECKING:
    import yaml

KeyPath = tuple  # of str | int
# What the YAML spec does not allow in a stream (PyYAML's Reader.NON_PRINTABLE); compiled on first use
# through re's cache: 6 ms, which a run whose config and packs come from the cache never needs.
_NOT_PRINTABLE = "[^\x09\x0A\x0D\x20-\x7E\x85\xA0-\uD7FF\uE000-\uFFFD\U00010000-\U0010FFFF]"
MAX_NODES = 100_000  # far above any real pack or config; stops alias-expansion bombs
MAX_BYTES = 2_000_000


class LineMap:
    """Key path -> 1-based line where that key (or sequence item) starts."""

    def __init__(self) -> None:
        self._lines: dict[KeyPath, int] = {}

    def set(self, path: KeyPath, line: int) -> None:
        self._lines.setdefault(path, line)

    def items(self) -> list[tuple[KeyPath, int]]:
        return list(self._lines.items())

    def line_for(self, path: KeyPath) -> int | None:
        """Line of the deepest known prefix of ``path`` (errors may point below a scalar)."""
        path = tuple(path)
        while path:
            if path in self._lines:
                return self._lines[path]
            path = path[:-1]
        return self._lines.get((), None)


def format_key_path(path: KeyPath) -> str:
    """Render ``("signals", 2, "pattern")`` as ``signals[2].pattern``."""
    out = ""
    for part in path:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += ("." if out else "") + str(part)
    return out


def load_yaml(text: str, path: str, keys: Collection[str] | None = None) -> tuple[Any, LineMap]:
    """Parse ``text`` (from file ``path``) into data and a line map; raise RightscheckError on any problem.

    With ``keys``, a mapping at the top is cut to those keys (and merges, ``<<``) before anything below it
    is checked or constructed: front matter is read for a few keys, and constructing a site's whole front
    matter cost twice as much as parsing it."""
    import yaml  # deferred: a pre-commit run whose config and packs come from the cache never parses YAML

    if len(text) > MAX_BYTES:
        raise RightscheckError(f"file is larger than {MAX_BYTES} bytes", path)
    bad = re.compile(_NOT_PRINTABLE).search(text)  # as PyYAML's own reader would refuse, with the line
    if bad:
        line = text.count("\n", 0, bad.start()) + 1
        raise RightscheckError(f"invalid YAML: character {bad.group()!r} is not allowed", path, line)
    # libyaml's parser when PyYAML was built with it (about 10x faster: front matter is read for every
    # Markdown file); the same safe constructor either way
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)(text)
    try:
        node = loader.get_single_node()
        lines = LineMap()
        if node is None:
            return None, lines
        if keys is not None and isinstance(node, yaml.MappingNode):
            _check_keys(node, (), path)
            node = yaml.MappingNode(node.tag, [(k, v) for k, v in node.value if k.value in keys or k.value == "<<"],
                                    node.start_mark, node.end_mark, node.flow_style)
        _walk(node, lines, path)
        data = loader.construct_document(node)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else None
        problem = " ".join(str(p) for p in (exc.context, exc.problem) if p)
        if "nesting depth" in problem:  # libyaml's words for what RecursionError means below
            problem = "nested too deeply"
        raise RightscheckError(f"invalid YAML: {problem}", path, line) from None
    except yaml.YAMLError as exc:
        raise RightscheckError(f"invalid YAML: {exc}", path) from None
    except (ValueError, OverflowError) as exc:  # a value the safe constructor cannot build: 2026-02-30
        raise RightscheckError(f"invalid YAML: {exc}", path) from None
    except RecursionError:
        raise RightscheckError("invalid YAML: nested too deeply", path) from None
    finally:
        loader.dispose()
    return data, lines


def _walk(root: yaml.Node, lines: LineMap, path: str) -> None:
    """Record lines and check keys, iteratively (no recursion limit) and counting nodes (no alias bombs)."""
    import yaml

    stack: list[tuple[yaml.Node, KeyPath]] = [(root, ())]
    count = 0
    while stack:
        node, key_path = stack.pop()
        count += 1
        if count > MAX_NODES:
            raise RightscheckError(f"too many YAML nodes (over {MAX_NODES}); alias expansion refused", path)
        lines.set(key_path, node.start_mark.line + 1)
        if isinstance(node, yaml.MappingNode):
            _check_keys(node, key_path, path)
            for key_node, value_node in node.value:
                lines.set(key_path + (key_node.value,), key_node.start_mark.line + 1)
                stack.append((value_node, key_path + (key_node.value,)))
        elif isinstance(node, yaml.SequenceNode):
            stack.extend((item, key_path + (index,)) for index, item in enumerate(node.value))


def _check_keys(node: yaml.MappingNode, key_path: KeyPath, path: str) -> None:
    """Keys of one mapping: plain scalars, none twice."""
    import yaml

    seen: dict[Any, int] = {}
    for key_node, _ in node.value:
        if not isinstance(key_node, yaml.ScalarNode):
            raise RightscheckError("mapping keys must be plain scalars", path, key_node.start_mark.line + 1,
                                   format_key_path(key_path) or None)
        key, key_line = key_node.value, key_node.start_mark.line + 1
        if key in seen:
            raise RightscheckError(f"duplicate key (first at line {seen[key]})", path, key_line,
                                   format_key_path(key_path + (key,)))
        seen[key] = key_line
