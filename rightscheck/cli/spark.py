"""`rightscheck scan --engine spark` and `rightscheck index build --engine spark`: the same options, packs
and config as a local scan, run as a Spark job (see :mod:`rightscheck.engine.spark`). With ``-o DIR`` the
findings are written as Parquet there and the console gets the summary line; without it, the findings are
collected into the usual report, for runs small enough (``--collect-limit``)."""

from __future__ import annotations

import os
import tempfile
from contextlib import ExitStack
from dataclasses import replace
from pathlib import Path

import click

from rightscheck.cli.main import (EXIT_CLEAN, EXIT_FINDINGS, _err, _exit_on_errors, _prepare, _report_verbose,
                                  _Run, _source_dirs, print_report)
from rightscheck.core.errors import RightscheckError
from rightscheck.core.findings import Finding, at_or_above
from rightscheck.reports.render import FORMATS


def spark_scan(fmt: str, output: str | None, fail_on: str | None, quiet: bool, master: str | None,
               conf: tuple[str, ...], collect_limit: int, options: dict) -> int:
    """Run the scan on Spark; the exit code."""
    from rightscheck.engine.spark import fpindex, job, session as spark_session
    from rightscheck.engine.spark.rows import finding_of
    from rightscheck.engine.spark.units import listed
    from rightscheck.engine.spark.work import Plan
    from rightscheck.inputs.files import ASIDE_REASON
    from rightscheck.inputs.router import InputOptions
    from rightscheck.reports.jsonreport import summary_line

    if FORMATS[fmt].every_path:
        raise RightscheckError(f"--format {fmt} lists every file scanned; not with --engine spark", key="--format")
    if output and fmt != "text":
        raise RightscheckError("with --engine spark, -o DIR is where findings are written as Parquet; a "
                               f"{fmt} report is printed when no -o is given", key="--format")
    paths = list(options["paths"]) or ["."]
    config, available, packs = _prepare(paths, options["config_file"], options["rules"], options["only"],
                                        options["exclude"], options["fields"], options["follow_symlinks"],
                                        options["no_ignore"], options["scope"])
    dirs = _source_dirs(options["sources"], config)
    idle = "error" if options["fail_on_unused_suppressions"] or config.fail_on_unused_suppressions else "warning"
    input_options = InputOptions(options["input_format"], config.fields)
    if output:  # before Spark starts, and naming the folder as typed (the job is given it absolute)
        fpindex.guard_output(output, job.SUMMARY, "--output")
    if dirs and options["index_path"]:
        fpindex.guard_output(options["index_path"], "manifest", "--index")
    with ExitStack() as cleanup:
        session, started = spark_session.start(master, spark_session.parse_conf(conf))
        cleanup.enter_context(spark_session.jvm_lost())  # entered after start(): its errors are its own
        if started:
            cleanup.push(lambda failure, *_: spark_session.stop(session, failure is not None))
        index, unindexed = None, []
        if dirs:  # rebuilt for this scan, kept in --index DIR if given (`index build --engine spark` alone)
            where = _absolute(options["index_path"]) if options["index_path"] else \
                f"{cleanup.enter_context(tempfile.TemporaryDirectory(prefix='rightscheck-index-'))}/index"
            built = fpindex.build(session, dirs, available, config, where)
            _report_built(built, options["verbose"], skips=False)  # listed with the scan's skips under -v
            # a source that could not be indexed is a file not checked against, like one not scanned
            unindexed = [replace(s, reason=f"source not indexed: {s.reason}") for s in built["skipped"]]
            index = fpindex.opened(session, built["path"], available)
        elif options["index_path"]:
            index = fpindex.opened(session, _absolute(options["index_path"]), available)
        aside = [d.path for d in dirs]
        units, skipped = listed(paths, config, input_options, [str(Path(p).resolve()) for p in aside],
                                ASIDE_REASON, config.respect_gitignore, output=output)
        plan = Plan(packs, frozenset(p.id for p in available), config, input_options,
                    not options["no_suppress"], idle, index is not None, units)
        out = _absolute(output) if output else f"{cleanup.enter_context(tempfile.TemporaryDirectory(prefix='rightscheck-findings-'))}/out"
        outcome = job.run(session, plan, out, index, skipped, unindexed)
        result = outcome.result
        total = sum(outcome.tally.values())
        if output:
            result.streamed = outcome.tally
        elif total > collect_limit:
            raise RightscheckError(f"{total} findings are more than --collect-limit {collect_limit} to collect "
                                   "into one report; write them as Parquet with -o DIR", key="--collect-limit")
        else:
            result.findings = sorted((finding_of(row) for row in job.findings_of(session, out).collect()),
                                     key=Finding.sort_key)
            if FORMATS[fmt].streamed:  # JSON Lines come in the walk's order (docs/output.md), a file's by line
                walked = {}
                for unit in units:
                    walked.setdefault(unit.item.path, len(walked))
                result.findings.sort(key=lambda finding: walked.get(finding.path, len(walked)))
            if FORMATS[fmt].suppressed:  # the JSON and SARIF reports list them, as a local scan's do
                result.suppressions = sorted(((finding_of(row), row["justification"])
                                              for row in job.suppressed_of(session, out).collect()),
                                             key=lambda pair: (pair[0].sort_key(), pair[1]))
    run = _Run(result, packs, available, config, options["strict"])
    if options["verbose"]:
        _report_verbose(config, result)
        if index is not None:
            _err(f"rightscheck: {outcome.rescanned} document(s) met the index and were scanned again with their "
                 "candidate sources")
    if output:
        if not quiet:
            click.echo(f"{summary_line(result)} Findings written to {output}")
    else:
        print_report(fmt, run, quiet)
    _exit_on_errors(run)
    threshold = fail_on or config.fail_on
    return EXIT_FINDINGS if any(at_or_above(severity, threshold) for severity, _ in result.tally()) else EXIT_CLEAN


def _absolute(path: str) -> str:
    """A local path made absolute: Spark resolves relative ones against the folder its JVM started in."""
    return path if "://" in path else os.path.abspath(path)


def _report_built(built: dict, verbose: bool, skips: bool = True) -> None:
    if verbose:
        _err(f"rightscheck: index {built['path']}: {built['sources']} sources, {built['fingerprints']} "
             f"fingerprints ({built['duplicates']} duplicates) in {built['seconds']:.1f} s")
    for skipped in built["skipped"] if skips else ():
        _err(f"rightscheck: skipped source {skipped.place()}: {skipped.reason}")


def spark_index_build(sources: tuple[str, ...], out: str | None, config_file: str | None,
                      rules: tuple[str, ...], fields: tuple[str, ...], master: str | None,
                      conf: tuple[str, ...] = ()) -> None:
    """`index build --engine spark SOURCES -o DIR`."""
    from rightscheck.engine.spark import fpindex, session as spark_session

    if not out:
        raise RightscheckError("needs -o DIR, the folder the Parquet index is written to", key="--engine")
    config, available, _ = _prepare(list(sources) or ["."], config_file, rules, (), (), fields, None, None, None)
    dirs = _source_dirs(sources, config)
    if not dirs:
        raise RightscheckError("no sources given (on the command line or in the config's `sources:`)")
    fpindex.guard_output(out, "manifest", "--index")  # before Spark starts, naming the folder as typed
    session, started = spark_session.start(master, spark_session.parse_conf(conf))
    failed = True
    try:
        with spark_session.jvm_lost():
            built = fpindex.build(session, dirs, available, config, _absolute(out))
        failed = False
    finally:
        if started:
            spark_session.stop(session, failed)
    _report_built(built, verbose=True)
    click.echo(f"{out}: {built['sources']} sources, {built['tokens']} words, {built['fingerprints']} fingerprints")
