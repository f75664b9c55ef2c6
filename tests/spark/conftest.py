"""One Spark session (local[2]) for the whole test session: the engine reuses an active session and leaves
it running, so each scan costs its job, not a JVM start. Without PySpark or Java these tests are skipped
locally and fail under CI=true (CI installs both; see .ci/run)."""

from __future__ import annotations

import os
import shutil

import pytest


@pytest.fixture(scope="session")
def spark():
    try:
        import pyspark  # noqa: F401
    except ImportError:
        if os.environ.get("CI"):
            pytest.fail("PySpark is not installed (pip install '.[test,spark]')")
        pytest.skip("PySpark is not installed")
    if not (os.environ.get("JAVA_HOME") or shutil.which("java")):
        if os.environ.get("CI"):
            pytest.fail("no Java runtime (apt-get install default-jre-headless)")
        pytest.skip("no Java runtime")
    from rightscheck.engine.spark.session import start

    session, _ = start("local[2]", {"spark.ui.enabled": "false", "spark.sql.shuffle.partitions": "4"})
    yield session
    session.stop()


@pytest.fixture(scope="session")
def wire_index(spark, tmp_path_factory):
    """A Spark index of examples/sources, built once, its sources named ``sources/...`` as a scan from a
    copy of examples/ names them: scans that need reuse but not an index build of their own use it."""
    from pathlib import Path

    from click.testing import CliRunner

    from rightscheck.cli.main import main

    root = tmp_path_factory.mktemp("wire")
    shutil.copytree(Path(__file__).resolve().parent.parent.parent / "examples" / "sources", root / "sources")
    before = os.getcwd()
    os.chdir(root)
    try:
        built = CliRunner().invoke(main, ["index", "build", "--engine", "spark", "sources", "-o", "index"])
    finally:
        os.chdir(before)
    assert built.exit_code == 0, built.output
    return str(root / "index")
