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
