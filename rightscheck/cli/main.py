"""Command line: `rightscheck scan`, `rightscheck rules list|show|validate`.

Exit codes are a public contract: 0 nothing at or above --fail-on, 1 findings,
2 usage, config or rule-pack error (one line on stderr, never a traceback),
130 interrupted (Ctrl-C, SIGINT) and 143 terminated (SIGTERM), with no report written.
"""

from __future__ import annotations

import os
import signal
import sys
from contextlib import contextmanager, nullcontext
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Callable, Iterable, Iterator

import click

from rightscheck import __version__
from rightscheck.cli.console import ProgressBar, interactive, use_colour
from rightscheck.core.errors import RightscheckError
from rightscheck.core.stopping import Terminated, stoppable
from rightscheck.inputs.router import INPUT_FORMATS
from rightscheck.reports.render import FORMATS
from rightscheck.core.visible import inert, visible

EXIT_CLEAN, EXIT_FINDINGS, EXIT_ERROR = 0, 1, 2
EXIT_INTERRUPTED, EXIT_TERMINATED = 128 + signal.SIGINT, 128 + signal.SIGTERM  # the shells' convention
BASELINE_FILE = ".rightscheck-baseline.json"
WRITE_CHUNK = 1 << 20  # characters of a report written at a time


class _Group(click.Group):
    """Turns RightscheckError into `rightscheck: error: file:line: key: message` and exit 2; Ctrl-C and
    SIGTERM into one line and exit 130 or 143 (not click's "Aborted!" and exit 1, the findings code);
    anything unexpected (a bug) into one line asking for a report, with the traceback under
    RIGHTSCHECK_DEBUG=1."""

    def invoke(self, ctx: click.Context):
        try:
            with stoppable():
                return super().invoke(ctx)
        except RightscheckError as exc:
            _err(f"rightscheck: error: {exc}")
            ctx.exit(EXIT_ERROR)
        except KeyboardInterrupt:
            click.echo("rightscheck: interrupted", err=True)
            ctx.exit(EXIT_INTERRUPTED)
        except Terminated:
            click.echo("rightscheck: terminated", err=True)
            ctx.exit(EXIT_TERMINATED)
        except (click.exceptions.Exit, click.ClickException, SystemExit):
            raise
        except Exception as exc:  # a bug, not a user mistake: still one line and exit 2
            if os.environ.get("RIGHTSCHECK_DEBUG"):
                raise
            try:
                text = str(exc)
            except Exception:  # an error whose text must be fetched from somewhere gone (Py4J's from the JVM)
                text = "(its text could not be read)"
            _err(f"rightscheck: internal error: {type(exc).__name__}: {text} (please report it; "
                 "set RIGHTSCHECK_DEBUG=1 for the traceback)")
            ctx.exit(EXIT_ERROR)


def _err(message: str) -> None:
    """One line on stderr, which a CI log reads too: the scanned names and text in it shown
    :func:`visible`, never a workflow command (:func:`inert`)."""
    click.echo(inert(visible(message)), err=True)


def _ids(values: tuple[str, ...]) -> list[str]:
    """Accept `--only afp --only ap` and `--only afp,ap`."""
    return [v.strip() for value in values for v in value.split(",") if v.strip()]


@click.group(cls=_Group, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="rightscheck")
def main() -> None:
    """Check republished text for the credit and licence its sources require."""


def _scan_options(command):
    """Options shared by every command that runs a scan (`scan`, `baseline create`, `baseline update`)."""
    options = [
        click.argument("paths", nargs=-1, type=click.Path()),
        click.option("--config", "config_file", type=click.Path(dir_okay=False),
                     help="Config file (default: nearest .rightscheck.yaml or pyproject.toml [tool.rightscheck])."),
        click.option("--rules", "rules", multiple=True, type=click.Path(),
                     help="Extra rule-pack file or folder (repeatable)."),
        click.option("--only", multiple=True, metavar="PACK",
                     help="Run only these packs (repeatable or comma-separated)."),
        click.option("--exclude", multiple=True, metavar="PACK",
                     help="Skip these packs (repeatable or comma-separated)."),
        click.option("--sources", "sources", multiple=True, type=click.Path(),
                     help="Folder of source texts (wire copy, CC articles) to find reused passages from "
                          "(repeatable)."),
        click.option("--index", "index_path", type=click.Path(),
                     help="Source index file [default: one per set of sources in the user's cache folder]; without "
                          "--sources, an index built before, used as it is (read-only, no refresh)."),
        click.option("--input-format", type=click.Choice(INPUT_FORMATS),
                     default="auto", show_default=True,
                     help="Read the files named as this input (auto: by name, then content; files: as documents)."),
        click.option("--field", "fields", multiple=True, metavar="NAME=KEY",
                     help="JSON Lines / CSV field: text=body, id=slug, url=link, kind=format (repeatable; "
                          "default text=text). With fields, folder walks read .jsonl and .csv files too."),
        click.option("--stdin-kind", type=click.Choice(["html", "md", "markdown", "txt", "text"]),
                     help="With - (standard input): the document's kind [default: from --stdin-name, else sniffed]."),
        click.option("--stdin-name", metavar="NAME", help="With -: the path reports show for standard input."),
        click.option("--urls", "urls_file", type=click.Path(dir_okay=False, allow_dash=False),
                     help="File of URLs to fetch and scan, one per line (# comments); a sitemap URL expands."),
        click.option("--staged", is_flag=True,
                     help="Scan the staged version of staged files (git index), not the working tree."),
        click.option("--since", metavar="REV",
                     help="Scan files changed since git revision REV (from its merge base), e.g. origin/main."),
        click.option("--follow-symlinks", is_flag=True, default=None,
                     help="Follow symlinked folders and files outside the scanned root (loops are entered once)."),
        click.option("--no-ignore", is_flag=True,
                     help="Also scan what .gitignore (and git's other excludes) leave out of a folder walk."),
        click.option("--scope", type=click.Choice(["article", "page"]), default=None,
                     help="What of an HTML page is judged: its article (default) or the whole page, chrome included."),
        click.option("--no-suppress", is_flag=True, help="Ignore inline `rightscheck: ignore` comments."),
        click.option("--fail-on-unused-suppressions", is_flag=True, default=None,
                     help="Report `rightscheck: ignore` comments that suppress nothing (unused, or naming an "
                          "unknown rule) as errors, not warnings."),
        click.option("-j", "--jobs", type=click.IntRange(min=1), default=None,
                     help="Worker processes [default: the number of CPU cores]; the report is the same for any N."),
        click.option("--strict", is_flag=True, help="Exit 2 if any file that should be scanned could not be."),
        click.option("-v", "--verbose", is_flag=True,
                     help="Report skipped files and ignored front matter on stderr."),
    ]
    for option in reversed(options):
        command = option(command)
    return command


@main.command()
@_scan_options
@click.option("--format", "fmt", type=click.Choice(list(FORMATS)), default="text", show_default=True,
              help="Report format: " + ", ".join(f"{name} ({spec.use})" if spec.use else name
                                                 for name, spec in FORMATS.items()) + ".")
@click.option("--output", "-o", "output", type=click.Path(),
              help="Write the report to FILE (with --engine spark: the findings as Parquet in folder DIR); the "
                   "console then gets only the summary line.")
@click.option("--fail-on", type=click.Choice(["error", "warning", "info", "never"]), default=None,
              help="Lowest severity that makes the exit code 1 [default: error].")
@click.option("--baseline", "baseline_file", type=click.Path(dir_okay=False),
              help="Report only findings not recorded in this baseline (see `rightscheck baseline create`).")
@click.option("--report-stale", is_flag=True,
              help="With --baseline: list baseline entries that no longer occur (in the JSON report, else on stderr).")
@click.option("--fail-on-stale", is_flag=True,
              help="With --baseline: exit 1 if a baseline entry no longer occurs (implies --report-stale).")
@click.option("-q", "--quiet", is_flag=True, help="Print findings only: no summary line or progress.")
@click.option("--engine", type=click.Choice(["local", "spark"]), default="local", show_default=True,
              help="Where the scan runs: this machine, or Apache Spark (needs `pip install 'rightscheck[spark]'` "
                   "and Java); with spark, -o DIR writes the findings as Parquet.")
@click.option("--spark-master", metavar="URL",
              help="With --engine spark: the cluster (local[2], spark://host:7077, yarn) [default: Spark's, or "
                   "spark-submit's].")
@click.option("--spark-conf", multiple=True, metavar="KEY=VALUE",
              help="With --engine spark: a Spark setting, e.g. spark.executor.memory=8g (repeatable).")
@click.option("--collect-limit", type=click.IntRange(min=0), default=100_000, show_default=True,
              help="With --engine spark and no -o: most findings collected into one report.")
def scan(fmt, output, fail_on, baseline_file, report_stale, fail_on_stale, quiet, engine, spark_master,
         spark_conf, collect_limit, **options) -> None:
    """Scan files and folders (default: .) for uncredited or unlicensed source content."""
    if engine == "spark":
        from rightscheck.cli.spark import spark_scan

        refused = [name for name, given in (("--baseline", baseline_file), ("--staged", options["staged"]),
                                            ("--since", options["since"]), ("--urls", options["urls_file"]))
                   if given]
        if refused:
            raise RightscheckError("not with --engine spark (a local scan does it)", key=refused[0])
        sys.exit(spark_scan(fmt, output, fail_on, quiet, spark_master, spark_conf, collect_limit, options))
    if spark_master or spark_conf:
        raise RightscheckError("needs --engine spark", key="--spark-master" if spark_master else "--spark-conf")
    from rightscheck.checks import baseline
    from rightscheck.core.findings import at_or_above
    from rightscheck.reports.jsonreport import JsonlStream, jsonl_end, summary_line
    from rightscheck.reports.options import Options
    from rightscheck.reports.render import render

    if (report_stale or fail_on_stale) and not baseline_file:
        raise RightscheckError("needs --baseline FILE", key="--fail-on-stale" if fail_on_stale else "--report-stale")
    report_stale = report_stale or fail_on_stale
    entries = baseline.load(Path(baseline_file)) if baseline_file else None  # a bad file fails before the scan
    spec = FORMATS[fmt]
    gate = baseline.Gate(entries) if entries is not None else None
    named = frozenset(entry["path"] for entry in entries or ())  # scanned or not: which entries are stale
    keep = dict(listed=(lambda path: True) if spec.every_path else named.__contains__,
                keep_suppressed=spec.suppressed)
    # a streamed report is written during the scan: to stdout, or a temporary file renamed at the end
    with _report_file(Path(output)) if spec.streamed and output else nullcontext(_echo) as write:
        if spec.streamed:
            keep["stream"] = JsonlStream(write, gate)
        run = _run_scan(quiet=quiet, report=output, **keep, **options)
        result = run.result
        if gate is not None:
            if not spec.streamed:
                result.findings = gate.new(result.findings)
            filtered = gate.leftover(_baseline_scope(run, options))
            result.baselined = filtered.baselined
            if report_stale:
                result.stale = filtered.stale
                for entry in result.stale if not spec.stale else ():
                    _err(f"rightscheck: stale baseline entry: {entry['path']}: {entry['rule']} "
                         f"({entry['evidence']}) no longer occurs")
        if spec.streamed:
            write(jsonl_end(result))
        elif output:
            _write_report(Path(output), render(fmt, result, Options(run.packs, False, run.config)))
        else:
            print_report(fmt, run, quiet)
    if output and not quiet:
        click.echo(summary_line(result))
    _exit_on_errors(run)
    threshold = fail_on or run.config.fail_on
    failing = any(at_or_above(severity, threshold) for severity, _ in result.tally())
    failing = failing or bool(fail_on_stale and result.stale)
    sys.exit(EXIT_FINDINGS if failing else EXIT_CLEAN)


def print_report(fmt: str, run: _Run, quiet: bool) -> None:
    """The report on standard output (with -q, a text report without its summary line)."""
    from rightscheck.reports.options import Options
    from rightscheck.reports.render import render

    colour = use_colour(sys.stdout)
    report = render(fmt, run.result, Options(run.packs, colour, run.config))
    if quiet and fmt == "text":
        click.echo("\n".join(report.splitlines()[:-1]), nl=bool(run.result.findings), color=colour)
    else:
        click.echo(report, color=colour)


def _echo(text: str) -> None:
    """Write ``text`` to standard output now (a streamed report)."""
    click.echo(text, nl=False)


@main.group("baseline")
def baseline_group() -> None:
    """Record today's findings so that scans report only new ones."""


@baseline_group.command("create")
@_scan_options
@click.option("--output", "-o", "output", type=click.Path(dir_okay=False), default=BASELINE_FILE,
              show_default=True, help="Baseline file to write.")
def baseline_create(output, **options) -> None:
    """Scan like `rightscheck scan` and record every finding in a baseline file."""
    from rightscheck.checks import baseline

    run = _run_scan(report=output, **options)
    _exit_on_errors(run)
    _write_report(Path(output), baseline.render(map(baseline.record, run.result.findings)).rstrip("\n"))
    count = len(run.result.findings)
    _err(f"rightscheck: {count} finding{'' if count == 1 else 's'} recorded in {output}; "
         f"use `rightscheck scan --baseline {output}` to see only new ones")


@baseline_group.command("update")
@_scan_options
@click.option("--baseline", "baseline_file", type=click.Path(dir_okay=False), default=BASELINE_FILE,
              show_default=True, help="Baseline file to update.")
def baseline_update(baseline_file, **options) -> None:
    """Scan like `rightscheck scan` and bring a baseline up to date: entries follow their findings' new lines,
    stale entries are dropped, and new findings are never added (they exit 1: review them, or record them
    with `baseline create`). The file is rewritten only when it changes."""
    from rightscheck.checks import baseline

    path = Path(baseline_file)
    entries = baseline.load(path)
    run = _run_scan(listed=frozenset(entry["path"] for entry in entries).__contains__, **options)
    _exit_on_errors(run)
    filtered = baseline.apply(run.result.findings, entries, _baseline_scope(run, options))
    kept = baseline.ordered(filtered.kept)
    if kept != entries:
        _write_report(path, baseline.render(kept).rstrip("\n"), key="--baseline")
    for finding in filtered.new:
        _err(f"rightscheck: new finding not added: {finding.path}:{finding.line}:{finding.column}: {finding.rule}")
    new = len(filtered.new)
    if kept == entries and not new:
        _err(f"rightscheck: {baseline_file} is up to date ({_count(len(kept), 'entry', 'entries')})")
    else:
        _err(f"rightscheck: {baseline_file}: {_count(baseline.moved(entries, kept), 'entry', 'entries')} moved, "
             f"{_count(len(filtered.stale), 'stale entry', 'stale entries')} dropped, "
             f"{_count(new, 'new finding', 'new findings')} not added"
             + (" (review them with `rightscheck scan --baseline`, or record them with `rightscheck baseline "
                "create`)" if new else ""))
    sys.exit(EXIT_FINDINGS if new else EXIT_CLEAN)


def _count(n: int, one: str, many: str) -> str:
    """'1 entry', '2 entries'."""
    return f"{n} {one if n == 1 else many}"


def _baseline_scope(run: _Run, options: dict):
    """Which baseline entries this scan can judge (see :func:`rightscheck.checks.baseline.scope`)."""
    from rightscheck.checks.baseline import scope

    return scope([*run.result.paths, *run.result.containers], options["paths"] or ["."])


@main.command()
@click.argument("rule")
@click.option("--rules", "extra", multiple=True, type=click.Path(), help="Extra rule-pack file or folder (repeatable).")
def explain(rule, extra) -> None:
    """Explain RULE (e.g. afp/missing-attribution): what it checks, why, and how to fix it."""
    from rightscheck.packs.explain import find_rule
    from rightscheck.packs.pack import load_packs

    click.echo(find_rule(load_packs(extra=map(Path, extra)), rule).text())


@main.command("report")
@click.argument("json_file", metavar="JSON_FILE", type=click.Path(allow_dash=True))
@click.option("--output", "-o", "output", type=click.Path(dir_okay=False),
              help="Write the page to FILE [default: standard output].")
def report_command(json_file, output) -> None:
    """Render JSON_FILE (from `scan --format json`; - reads standard input) as a self-contained HTML page."""
    from rightscheck.reports.html import load_json_report, render_html

    page = render_html(load_json_report(json_file))
    if output:
        _write_report(Path(output), page)
    else:
        click.echo(page)


@dataclass
class _Run:
    result: object
    packs: list
    available: list
    config: object
    strict: bool


def _run_scan(paths, config_file, rules, only, exclude, sources, index_path, input_format, fields, stdin_kind,
              stdin_name, urls_file, staged, since, follow_symlinks, no_ignore, scope, no_suppress,
              fail_on_unused_suppressions, jobs, strict, verbose, quiet: bool = False, report: str | None = None,
              **keep) -> _Run:
    """Set up and run one scan from the shared options; diagnostics go to stderr under --verbose. ``keep``
    sets what the scan keeps or streams (Scanner's ``listed``, ``keep_suppressed`` and ``stream``); the file
    ``report`` (-o) is not scanned: an earlier report in the scanned tree quotes what it found."""
    from rightscheck.engine.scanner import Scanner, default_jobs
    from rightscheck.inputs import router
    from rightscheck.inputs.files import ASIDE_REASON, read_file

    if staged and since:
        raise RightscheckError("use --staged or --since, not both", key="--staged")
    given = list(paths)
    paths = given or ([] if urls_file else ["."])
    config, available, packs = _prepare(paths, config_file, rules, only, exclude, fields, follow_symlinks,
                                        no_ignore, scope)
    idle = "error" if fail_on_unused_suppressions or config.fail_on_unused_suppressions else "warning"
    scanner = Scanner(packs, config, known=frozenset(p.id for p in available), suppressions=not no_suppress,
                      idle_suppressions=idle, jobs=jobs or default_jobs(), **keep)
    if not quiet and interactive(sys.stderr):
        scanner.progress = ProgressBar()
    files = None
    if staged or since:
        from rightscheck.inputs import git as gitfiles

        files = list(gitfiles.staged(config) if staged else gitfiles.changed_since(since, config))
        if staged:
            scanner.read = gitfiles.IndexReader()
    dirs = _source_dirs(sources, config)
    index = None
    try:
        if dirs:
            from rightscheck.checks.reuse import ReuseChecker
            from rightscheck.checks.sourceindex import build_index

            index, stats = build_index(dirs, available, config, Path(index_path) if index_path else None,
                                       jobs=scanner.jobs)
            _report_refresh(stats, index.name, verbose)
            scanner.reuse = ReuseChecker.of_index(index, packs, config, dirs)
        elif index_path:  # an index as it is, without its sources: read-only, no refresh
            from rightscheck.checks.reuse import ReuseChecker
            from rightscheck.checks.sourceindex import read_index

            index = read_index(Path(index_path), available)
            scanner.reuse = ReuseChecker.of_index(index, packs, config, [])
        aside = scanner.reuse.source_roots if scanner.reuse else ()
        if files is not None:
            files = gitfiles.narrow(files, given, aside)
        else:
            files = router.items(paths, config, _input_options(input_format, stdin_kind, stdin_name, urls_file,
                                                                 config),
                                 aside, ASIDE_REASON, config.respect_gitignore)
        if report:
            files = _without_report(files, report)
        result = scanner.run(paths, files)
        if dirs:  # a source that could not be indexed is a file not checked against, like one not scanned
            result.skipped.extend(replace(s, reason=f"source not indexed: {s.reason}") for s in stats.skipped)
    finally:
        if index is not None:
            index.close()
        if scanner.read is not read_file:
            scanner.read.close()
        if scanner.progress:
            scanner.progress.close()
    if verbose:
        _report_verbose(config, result)
    return _Run(result, packs, available, config, strict)


def _report_verbose(config, result) -> None:
    """-v: the config used, every file or record skipped and every note, on stderr."""
    if config.path:
        _err(f"rightscheck: config {config.path}")
    for skipped in result.skipped:
        _err(f"rightscheck: skipped {skipped.place()}: {skipped.reason}")
    for path, note in result.notes:
        _err(f"rightscheck: {path}: {note}")


def _without_report(items: Iterable, report: str) -> Iterator:
    """The items of a scan but the file ``report`` (by device and inode, as the walk tells files apart), and
    one skip in its place."""
    from rightscheck.core.result import Skipped
    from rightscheck.inputs.files import Candidate

    try:
        written = os.stat(report)
    except OSError:  # not written yet: nothing to leave out
        yield from items
        return
    key = (written.st_dev, written.st_ino)
    for item in items:
        if isinstance(item, Candidate) and item.key == key:
            yield Skipped(item.path, "report of this scan (-o), not an article", problem=False)
        else:
            yield item


def _prepare(paths: list[str], config_file, rules, only, exclude, fields, follow_symlinks, no_ignore, scope):
    """The config with the command line's overrides, every available pack, and the packs selected."""
    from rightscheck.inputs.base import is_url
    from rightscheck.packs.pack import select_packs

    config, available = _setup([p for p in paths if p != "-" and not is_url(p)] or ["."], config_file, rules)
    if follow_symlinks:
        config.follow_symlinks = True
    if no_ignore:
        config.respect_gitignore = False
    if scope:
        config.scope = scope
    if fields:  # the command line's fields replace the config's, for the scanned files and the sources alike
        config.fields = tuple(fields)
    packs = select_packs(available, only=_ids(only) or config.only, exclude=[*config.exclude, *_ids(exclude)])
    return config, available, packs


def _input_options(input_format: str, stdin_kind: str | None, stdin_name: str | None, urls_file: str | None,
                   config):
    """How the arguments are read (standard input's kind named as a document kind)."""
    from rightscheck.inputs.router import InputOptions

    urls: tuple[str, ...] = ()
    if urls_file:
        from rightscheck.inputs.web import read_url_list

        try:
            urls = tuple(read_url_list(urls_file))
        except OSError as exc:
            raise RightscheckError(f"cannot read: {exc.strerror or exc}", urls_file, key="--urls") from None
    kind = {"md": "markdown", "txt": "text"}.get(stdin_kind, stdin_kind)
    return InputOptions(input_format, config.fields, kind, stdin_name, extra_urls=urls)


def _exit_on_errors(run: _Run) -> None:
    """Exit 2 after the report if a pack pattern failed, a file's own directive was wrong, or (--strict) a
    file could not be scanned."""
    from rightscheck.packs.pack import pattern_errors

    errors = list(dict.fromkeys(pattern_errors(run.available) + run.result.errors))
    for origin, warning in sorted(run.result.slow.items()):
        if origin not in run.result.disabled:
            _err(f"rightscheck: warning: {warning}")
    for error in errors:
        _err(f"rightscheck: error: {error}")
    problems = [s for s in run.result.skipped if s.problem]
    if run.strict and problems:
        _err(f"rightscheck: error: {len(problems)} path(s) could not be scanned (--strict); -v lists them")
    if errors or (run.strict and problems):
        sys.exit(EXIT_ERROR)


def _write_report(path: Path, report: str, key: str = "--output") -> None:
    """Write ``report`` whole or not at all (see :func:`_report_file`), a megabyte at a time: writing it in
    one piece would hold a copy of it with its line break, and another encoded."""
    with _report_file(path, key) as write:
        for start in range(0, len(report), WRITE_CHUNK):
            write(report[start:start + WRITE_CHUNK])
        write("\n")


@contextmanager
def _report_file(path: Path, key: str = "--output") -> Iterator[Callable[[str], None]]:
    """A function that writes to the report ``path``, which gets all of it or keeps what it had (see
    :mod:`rightscheck.core.atomic`); failing to write it is an error naming the option ``key``. The block's own
    errors (a scan streaming the report) pass as they are."""
    from rightscheck.core.atomic import atomic_writer

    if not path.parent.is_dir():
        raise RightscheckError("folder for the report does not exist", str(path), key=key)

    def cannot(exc: OSError) -> RightscheckError:
        return RightscheckError(f"cannot write the report: {exc.strerror or exc}", str(path), key=key)

    def write(text: str) -> None:
        try:
            out.write(text)
        except OSError as exc:
            raise cannot(exc) from None

    in_block = False
    try:
        with atomic_writer(path) as out:
            in_block = True
            yield write
            in_block = False
    except OSError as exc:
        if in_block:
            raise
        raise cannot(exc) from None


def _setup(paths: list[str], config_file: str | None, rules: tuple[str, ...]):
    """Config (given or discovered from ``paths``) and every available pack, cross-checked."""
    from rightscheck.config import find_config, load_config
    from rightscheck.packs.pack import load_packs

    config_path = Path(config_file) if config_file else find_config(paths)
    if config_file and not config_path.is_file():
        raise RightscheckError("config file not found", config_file)
    config = load_config(config_path)
    available = load_packs(extra=[*config.rules, *map(Path, rules)], timeout=config.pattern_timeout)
    config.check_pack_ids(p.id for p in available)
    return config, available


def _source_dirs(sources: tuple[str, ...], config):
    """Source folders from the command line (keeping a config mapping to a pack for the same folder),
    else from the config."""
    from rightscheck.config import SourceDir

    configured = {os.path.realpath(d.path): d for d in config.sources}
    return [configured.get(os.path.realpath(path), SourceDir(path)) for path in sources] or config.sources


def _report_refresh(stats, path: str, verbose: bool) -> None:
    """A rebuild is always worth a warning; the rest only in verbose mode."""
    if stats.rebuilt and stats.rebuilt != "new index":
        _err(f"rightscheck: warning: {path}: {stats.rebuilt}; rebuilt the index")
    if stats.in_memory:
        _err(f"rightscheck: warning: {stats.in_memory}")
    if verbose:
        mb = stats.bytes_indexed / 1e6
        _err(f"rightscheck: index {path}: {stats.added} added, {stats.updated} updated, "
             f"{stats.unchanged} unchanged, {stats.removed} removed ({mb:.1f} MB in {stats.seconds:.2f} s)")
        for path_, original in stats.duplicates:
            _err(f"rightscheck: source {path_} duplicates {original}; indexed once")


@main.group("index")
def index_group() -> None:
    """Build and inspect the index of source texts used for reuse detection."""


@index_group.command("build")
@click.argument("sources", nargs=-1, type=click.Path())
@click.option("--index", "-o", "index_path", type=click.Path(),
              help="Index file to write (with --engine spark: the folder).")
@click.option("--config", "config_file", type=click.Path(dir_okay=False), help="Config file.")
@click.option("--rules", "rules", multiple=True, type=click.Path(), help="Extra rule-pack file or folder.")
@click.option("-j", "--jobs", type=click.IntRange(min=1), default=None,
              help="Worker processes reading and fingerprinting sources [default: the number of CPU cores].")
@click.option("--field", "fields", multiple=True, metavar="NAME=KEY",
              help="Fields of sources kept as JSON Lines or CSV: text=body, id=guid (as for `scan`).")
@click.option("--engine", type=click.Choice(["local", "spark"]), default="local", show_default=True,
              help="local: an SQLite index file; spark: a Parquet index folder (-o DIR) for `scan --engine spark`.")
@click.option("--spark-master", metavar="URL", help="With --engine spark: the cluster (local[2], yarn ...).")
@click.option("--spark-conf", multiple=True, metavar="KEY=VALUE",
              help="With --engine spark: a Spark setting, e.g. spark.executor.memory=8g (repeatable).")
def index_build(sources, index_path, config_file, rules, jobs, fields, engine, spark_master, spark_conf) -> None:
    """Index (or refresh) source folders and archives (JSON Lines, CSV, WARC: each record a source); only
    files whose content changed are re-read, and every file's time is looked at (a scan trusts folder times
    for big indexes)."""
    if engine == "spark":
        from rightscheck.cli.spark import spark_index_build

        spark_index_build(sources, index_path, config_file, rules, fields, spark_master, spark_conf)
        return
    from rightscheck.packs.pack import pattern_errors
    from rightscheck.engine.scanner import default_jobs
    from rightscheck.checks.sourceindex import build_index

    config, available = _setup(list(sources) or ["."], config_file, rules)
    config.fields = tuple(fields) or config.fields
    dirs = _source_dirs(sources, config)
    index, stats = build_index(dirs, available, config, Path(index_path) if index_path else None,
                               trust_folders=False, jobs=jobs or default_jobs())
    _report_refresh(stats, index.name, verbose=True)
    for skipped in stats.skipped:
        _err(f"rightscheck: skipped source {skipped.path}: {skipped.reason}")
    info = index.info()
    index.close()
    click.echo(f"{info['path']}: {info['sources']} sources, {info['tokens']} words, "
               f"{info['fingerprints']} fingerprints")
    errors = pattern_errors(available)
    for error in errors:
        _err(f"rightscheck: error: {error}")
    if errors:
        sys.exit(EXIT_ERROR)


@index_group.command("info")
@click.argument("sources", nargs=-1, type=click.Path())
@click.option("--index", "index_path", type=click.Path(), help="Index file to read, or a Spark index's folder.")
@click.option("--config", "config_file", type=click.Path(dir_okay=False), help="Config file.")
def index_info(sources, index_path, config_file) -> None:
    """Describe the index of SOURCES (default: the config's sources): sources per pack, words,
    fingerprints, settings."""
    from rightscheck.checks.sourceindex import default_index_path, read_index

    if index_path and os.path.isdir(index_path):
        _spark_index_info(index_path)
        return
    if index_path:
        path = Path(index_path)
    else:
        config, _ = _setup(list(sources) or ["."], config_file, ())
        path = default_index_path(_source_dirs(sources, config), config)
    index = read_index(path)
    info = index.info()
    index.close()
    click.echo(f"index:        {info['path']} (format {info['format']}, updated {info['updated']})")
    click.echo(f"sources:      {info['sources']} ({info['bytes'] / 1e6:.1f} MB, {info['tokens']} words)")
    for pack, count in info["by_pack"].items():
        click.echo(f"  {pack:<12}{count}")
    click.echo(f"fingerprints: {info['fingerprints']} ({info['shingle_words']}-word shingles, winnowing window "
               f"{info['window']}: every shared run of {info['guaranteed_match_words']}+ words is found)")


def _spark_index_info(path: str) -> None:
    """``index info`` of a Spark index in a local folder, from its manifest alone (no Spark started)."""
    from rightscheck.engine.spark.fpindex import local_manifest
    from rightscheck.text import fingerprints

    manifest = local_manifest(path)
    click.echo(f"index:        {path} (Spark index, format {manifest.get('format')}, updated {manifest.get('updated')})")
    click.echo(f"sources:      {manifest.get('sources')} ({manifest.get('tokens')} words, "
               f"{manifest.get('duplicates')} duplicates indexed once)")
    for key, count in sorted(manifest.items()):
        if key.startswith("pack:"):
            click.echo(f"  {key[5:]:<12}{count}")
    click.echo(f"fingerprints: {manifest.get('fingerprints')} ({fingerprints.K}-word shingles, winnowing window "
               f"{fingerprints.W}: every shared run of {fingerprints.GUARANTEE}+ words is found; hashes of more "
               f"than {manifest.get('df_cut')} sources are boilerplate)")


@main.group()
def rules() -> None:
    """List, show and validate rule packs."""


_rules_option = click.option("--rules", "extra", multiple=True, type=click.Path(),
                             help="Extra rule-pack file or folder (repeatable).")


@rules.command("list")
@_rules_option
def rules_list(extra) -> None:
    """List the available packs."""
    from rightscheck.packs.pack import load_packs

    packs = load_packs(extra=map(Path, extra))
    width = max(len(p.id) for p in packs)
    for pack in packs:
        licence = "licence required" if pack.requires_licence else "no licence needed"
        click.echo(f"{pack.id:<{width}}  {pack.terms:<20}  {licence:<17}  {pack.name}")


@rules.command("show")
@click.argument("pack_id")
@_rules_option
def rules_show(pack_id, extra) -> None:
    """Print a pack's terms, signals and accepted credits."""
    from rightscheck.packs.pack import load_packs

    packs = {p.id: p for p in load_packs(extra=map(Path, extra))}
    if pack_id not in packs:
        raise RightscheckError(f"unknown pack '{pack_id}' (known: {', '.join(sorted(packs))})")
    pack = packs[pack_id]
    out = [f"{pack.name} [{pack.id}]  ({pack.path})", "",
           f"Terms:    {pack.terms}" + ("  (licence required)" if pack.requires_licence else ""),
           f"Summary:  {pack.summary}"]
    if pack.url:
        out.append(f"Terms at: {pack.url}")
    out += ["", f"Detection (threshold {pack.threshold:g}; each signal counts once):"]
    for sig in pack.signals:
        where = _where(sig.matcher.within)
        out.append(f"  {sig.weight:>4g}  {sig.id}: {sig.description}{where}")
        out.append(f"        {sig.matcher.label}")
    if pack.sources or pack.licences:
        declared = ", ".join(sorted(pack.sources | pack.licences))
        out.append(f"  front matter source:/licence: naming {declared} counts as decisive")
    out += ["", "Accepted credit (every part required; a part is present when any form matches):"]
    for part in pack.parts:
        out.append(f"  {part.id}: {part.description}")
        for form, label in zip(part.forms, part.labels):
            out.append(f"    - {label}{_where(form.within)}")
    out += ["", "Findings:"]
    for kind, template in pack.findings.items():
        out.append(f"  {pack.id}/{kind} [{template.severity}]")
    click.echo("\n".join(out))


def _where(within) -> str:
    if within and within[0] == "near":
        return f" (within {within[1]} non-blank lines of each piece of evidence)"
    return f" (within {within[0].replace('_', ' ')} {within[1]})" if within else ""


@rules.command("test")
@click.argument("paths", nargs=-1, type=click.Path())
@_rules_option
@click.option("-v", "--verbose", is_flag=True, help="List passing cases too.")
def rules_test(paths, extra, verbose) -> None:
    """Run pack fixtures: every folder with an expected.yaml below PATHS (default: .)."""
    from rightscheck.cli.packtest import fixture_folders, run_folder

    folders = fixture_folders(map(Path, paths or ["."]))
    if not folders:
        raise RightscheckError(f"no expected.yaml found under {', '.join(paths or ['.'])}")
    passed = failed = 0
    for folder in folders:
        for case in run_folder(folder, map(Path, extra)):
            where = (folder / case.name).as_posix()
            if case.passed:
                passed += 1
                if verbose:
                    click.echo(f"PASS  {where}")
            else:
                failed += 1
                click.echo(f"FAIL  {where}: expected {case.expected or 'no finding'}, got {case.got or 'no finding'}")
    click.echo(f"{len(folders)} fixture folder(s): {passed} case(s) passed, {failed} failed")
    sys.exit(EXIT_FINDINGS if failed else EXIT_CLEAN)


@rules.command("validate")
@click.argument("files", nargs=-1, type=click.Path())
def rules_validate(files) -> None:
    """Validate pack files (default: the built-in packs); exit 2 if any is invalid."""
    from rightscheck.packs.pack import builtin_rules_dir, load_pack, pack_files

    targets = [f for given in files for f in pack_files(Path(given))] if files else pack_files(builtin_rules_dir())
    failed = 0
    for path in targets:
        try:
            pack = load_pack(path, trust_cache=False)
        except RightscheckError as exc:
            failed += 1
            _err(f"rightscheck: error: {exc}")
        else:
            click.echo(f"ok  {path}  ({pack.id}: {len(pack.signals)} signals, {len(pack.parts)} credit parts)")
    if failed:
        sys.exit(EXIT_ERROR)
