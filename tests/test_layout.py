"""The package's folders are the stages of the data path, and imports run one way along it: a module
imports only from its own folder or from folders before it. A cycle or an import back up is a design
bug (the report formats once imported each other), so it fails here rather than in review."""

from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent.parent / "rightscheck"
# Each stage may use the stages before it. engine and reports stand side by side: neither imports the other.
STAGES = {"core": 0, "config": 1, "text": 2, "inputs": 3, "documents": 4, "packs": 5, "checks": 6,
          "engine": 7, "reports": 7, "cli": 8, "__main__": 9, "__init__": 0}


def _stage(module: str) -> str:
    """'rightscheck.checks.reuse' -> 'checks'; 'rightscheck' (the version) -> '__init__'."""
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else "__init__"


def _imports(path: Path) -> list[tuple[int, str]]:
    """(line, module) of every rightscheck import in ``path``, those inside functions included."""
    found = []
    for node in ast.walk(ast.parse(path.read_text("utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module and node.module.split(".")[0] == "rightscheck":
            names = [node.module] if node.module != "rightscheck" else [f"rightscheck.{a.name}" for a in node.names]
            found.extend((node.lineno, name) for name in names)
        elif isinstance(node, ast.Import):
            found.extend((node.lineno, a.name) for a in node.names if a.name.split(".")[0] == "rightscheck")
    return found


def test_every_module_imports_only_from_its_own_stage_or_an_earlier_one():
    wrong = []
    for path in sorted(PACKAGE.rglob("*.py")):
        here = _stage("rightscheck." + ".".join(path.relative_to(PACKAGE).with_suffix("").parts))
        for line, module in _imports(path):
            there = _stage(module)
            if there == "__version__" or there == here:
                continue
            if there not in STAGES or STAGES[there] > STAGES[here] or (STAGES[there] == STAGES[here]):
                wrong.append(f"{path.relative_to(PACKAGE.parent)}:{line}: {here} imports {module}")
    assert wrong == []


def test_every_stage_is_a_folder_of_the_package():
    folders = {p.name for p in PACKAGE.iterdir() if p.is_dir() and (p / "__init__.py").exists()}
    modules = {p.stem for p in PACKAGE.glob("*.py")}
    assert folders | modules == set(STAGES) | {"__init__"}
