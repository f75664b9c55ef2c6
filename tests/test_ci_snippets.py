"""The CI snippets in docs/ci.md work as pasted (issue 16, item 8): each is a file in docs/ci/ that the
page quotes verbatim, valid for its consumer (GitHub's and GitLab's published schemas, as vendored by
check-jsonschema; pre-commit's own config check), and every rightscheck command in them runs."""

from __future__ import annotations

import re
import shlex
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
STRIPPED = "Sections of this page are protected by intellectual property rights owned by Agence France-Presse.\n"
SNIPPETS = ROOT / "docs" / "ci"
CHECKS = {
    "github-workflow.yml": [sys.executable, "-m", "check_jsonschema", "--builtin-schema", "vendor.github-workflows"],
    "gitlab-ci.yml": [sys.executable, "-m", "check_jsonschema", "--builtin-schema", "vendor.gitlab-ci"],
    "pre-commit-config.yaml": [sys.executable, "-m", "pre_commit", "validate-config"],
}


def test_every_snippet_file_is_checked():
    assert sorted(p.name for p in SNIPPETS.iterdir()) == sorted(CHECKS)


@pytest.mark.parametrize("name", sorted(CHECKS))
def test_the_snippet_is_valid_for_its_consumer_and_quoted_verbatim(name):
    done = subprocess.run([*CHECKS[name], str(SNIPPETS / name)], capture_output=True, text=True)
    assert done.returncode == 0, done.stdout + done.stderr
    assert (SNIPPETS / name).read_text() in (ROOT / "docs" / "ci.md").read_text()


def _commands() -> list[list[str]]:
    """Every `rightscheck scan ...` of the snippets, with GitHub's expressions filled in for a local run."""
    found = []
    for path in SNIPPETS.iterdir():
        for line in path.read_text().splitlines():
            command = re.search(r"(rightscheck scan .*)$", line)
            if command:
                found.append(shlex.split(command[1].replace("${{ github.base_ref }}", "main")))
    return found


def test_every_rightscheck_command_of_the_snippets_runs(cli, write, git, tmp_path, monkeypatch):
    commands = _commands()
    assert len(commands) == 4
    write("site/a.md", STRIPPED)
    git("add", ".")
    git("commit", "-q", "-m", "base")
    git("clone", "-q", tmp_path.as_uri(), str(tmp_path / "checkout"))  # origin/main, as actions/checkout has it
    monkeypatch.chdir(tmp_path / "checkout")
    (tmp_path / "checkout" / "site" / "b.md").write_text(STRIPPED)
    for command in commands:
        result = cli(*command[1:])
        assert result.exit_code in (0, 1), (command, result.output)
        output = command[command.index("--output") + 1] if "--output" in command else None
        assert output is None or (tmp_path / "checkout" / output).stat().st_size > 0
