"""Console behaviour: colour only for a terminal (NO_COLOR / FORCE_COLOR respected), progress only for a
person watching (never in CI or a pipe), --quiet."""

from __future__ import annotations

import io

from rightscheck.cli import console

NOTICE = "protected by intellectual property rights owned by Agence France-Presse.\n"


class _Tty(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_colour_follows_tty_and_environment(monkeypatch):
    monkeypatch.delenv("NO_COLOR", raising=False)
    monkeypatch.delenv("FORCE_COLOR", raising=False)
    assert console.use_colour(_Tty()) and not console.use_colour(io.StringIO())
    monkeypatch.setenv("NO_COLOR", "1")
    assert not console.use_colour(_Tty())
    monkeypatch.delenv("NO_COLOR")
    monkeypatch.setenv("FORCE_COLOR", "1")
    assert console.use_colour(io.StringIO())


def test_progress_is_for_people_not_ci(monkeypatch):
    monkeypatch.delenv("CI", raising=False)
    assert console.interactive(_Tty()) and not console.interactive(io.StringIO())
    monkeypatch.setenv("CI", "true")
    assert not console.interactive(_Tty())


def test_progress_bar_waits_then_draws(monkeypatch):
    bar = console.ProgressBar()
    bar(1, 10)
    assert bar._bar is None  # a quick scan never shows a bar
    monkeypatch.setattr(console, "DELAY", 0.0)
    bar(2, 10)
    assert bar._bar is not None and bar._bar.tasks[0].completed == 2
    bar.close()


def test_progress_bar_counts_files_until_the_walk_knows_how_many(monkeypatch):
    monkeypatch.setattr(console, "DELAY", 0.0)
    bar = console.ProgressBar()
    bar(5, None)  # the walk goes on: no total yet, the bar counts
    assert bar._bar.tasks[0].total is None and bar._bar.tasks[0].completed == 5
    bar(6, 10)
    assert bar._bar.tasks[0].total == 10
    bar.close()


def test_colour_in_text_report_only_when_forced(cli, write, monkeypatch):
    write("site/a.txt", NOTICE)
    monkeypatch.delenv("NO_COLOR", raising=False)
    plain = cli("scan", "site")
    assert "\x1b[" not in plain.output  # the test runner is not a terminal
    monkeypatch.setenv("FORCE_COLOR", "1")
    coloured = cli("scan", "site")
    assert "\x1b[31m\x1b[1merror\x1b[0m" in coloured.output
    monkeypatch.setenv("NO_COLOR", "1")
    assert "\x1b[" not in cli("scan", "site").output


def test_quiet_prints_findings_only(cli, write):
    write("site/a.txt", NOTICE)
    write("site/b.txt", "Nothing to see.\n")
    lines = cli("scan", "site", "-q").output.splitlines()
    assert len(lines) == 2 and all(line.startswith("site/a.txt:1:1: error afp/") for line in lines)
    write("site/a.txt", "Clean now.\n")
    assert cli("scan", "site", "-q").output == ""
