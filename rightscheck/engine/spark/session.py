"""Starting Spark, or saying in one line what is missing: PySpark (an optional extra) or a Java runtime."""

from __future__ import annotations

import contextlib
import logging
import os
import shutil
import signal
import sys
import threading
from pathlib import Path
from typing import TYPE_CHECKING, Iterator

from rightscheck.core.errors import RightscheckError

if TYPE_CHECKING:
    from pyspark.sql import SparkSession

INSTALL = "pip install 'rightscheck[spark]'"


class _Py4JNoise(logging.Filter):
    """Drops what Py4J logs on the root logger when a call to the JVM is cut short (Ctrl-C): tracebacks of
    its own sockets, printed before rightscheck's one line (the error itself still reaches the caller)."""

    def filter(self, record: logging.LogRecord) -> bool:
        return os.path.basename(os.path.dirname(record.pathname)) != "py4j"


def quiet_py4j() -> None:
    """Keep Py4J's socket tracebacks off the terminal (RIGHTSCHECK_DEBUG=1 shows them): those it logs on
    the root logger are filtered there, and those of its own loggers ("py4j.clientserver": "Exception
    occurred while shutting down connection" after a Ctrl-C), which reach the root's handlers without
    passing the root logger's filters, are cut by their parent's level."""
    if os.environ.get("RIGHTSCHECK_DEBUG"):
        return
    root = logging.getLogger()
    if not any(isinstance(f, _Py4JNoise) for f in root.filters):
        root.addFilter(_Py4JNoise())
    logging.getLogger("py4j").setLevel(logging.CRITICAL + 1)


def start(master: str | None, conf: dict[str, str] | None = None, app: str = "rightscheck"
          ) -> tuple["SparkSession", bool]:
    """The active Spark session (one that spark-submit, a test or a benchmark started), else a new one on
    ``master`` (None: Spark's default, or what spark-submit set) with ``conf``. Returns it and whether it was
    started here (and is to be stopped here). A local master runs executors with this very Python, where
    rightscheck is."""
    try:
        from pyspark.sql import SparkSession
    except ImportError:
        raise RightscheckError(f"--engine spark needs PySpark: {INSTALL}", key="--engine") from None
    active = SparkSession.getActiveSession()
    if active is not None:
        return active, False
    if master and not (master == "yarn" or master.startswith(("spark", "k8s", "local"))):
        # spark-submit's own rule, checked here: the JVM would print its stack trace before exiting
        raise RightscheckError("not a Spark master URL (local[N], spark://HOST:PORT, yarn, k8s://HOST:PORT)",
                               master, key="--spark-master")
    if not (os.environ.get("JAVA_HOME") or shutil.which("java")):
        raise RightscheckError("--engine spark needs a Java runtime (17 or newer): install one (Debian: "
                               "apt-get install default-jre-headless) or set JAVA_HOME", key="--engine")
    builder = SparkSession.builder.appName(app)
    if master:
        builder = builder.master(master)
    conf = dict(conf or {})
    if (master or "local").startswith("local"):
        if "PYSPARK_PYTHON" not in os.environ:
            os.environ["PYSPARK_PYTHON"] = sys.executable  # what PySpark starts its workers with (not the conf)
        if "SPARK_DRIVER_MEMORY" not in os.environ:  # on one machine the driver's heap is every executor's:
            conf.setdefault("spark.driver.memory", local_memory())  # Spark's 1g fails a 1M-source index build
        # Spark's 200 shuffle partitions are 200 tasks per shuffle on a few cores (held tables keep them all)
        conf.setdefault("spark.sql.shuffle.partitions", str(4 * local_cores(master or "local[*]")))
    conf.setdefault("spark.ui.showConsoleProgress", str(sys.stderr.isatty()).lower())  # no bars in a CI log
    if "RIGHTSCHECK_SPARK_LOG" not in os.environ:  # read as the JVM starts; a -D of the user's, after it, wins
        quiet = f'-Dlog4j2.configurationFile="{Path(__file__).with_name("log4j2.properties").as_uri()}"'
        conf["spark.driver.extraJavaOptions"] = f"{quiet} {conf.get('spark.driver.extraJavaOptions', '')}".strip()
    for key, value in conf.items():
        builder = builder.config(key, value)
    quiet_py4j()
    before = signal.getsignal(signal.SIGINT)  # rightscheck's handler (see core.stopping), or an ignored Ctrl-C
    try:
        session = builder.getOrCreate()
    except Exception as exc:  # the JVM would not start (a bad master URL, Java too old): its own words
        message = " ".join(str(exc).split())[:300]
        raise RightscheckError(f"cannot start Spark: {message}", key="--spark-master") from None
    session.sparkContext.setLogLevel(os.environ.get("RIGHTSCHECK_SPARK_LOG", "ERROR"))
    if before is not None and signal.getsignal(signal.SIGINT) is not before and \
            threading.current_thread() is threading.main_thread():
        # PySpark's handler calls the JVM from inside the call Ctrl-C interrupts (Py4J's socket is not
        # reentrant): stop() cancels the jobs instead, once the interrupt has reached rightscheck
        signal.signal(signal.SIGINT, before)
    return session, True


def local_memory() -> str:
    """Half of this machine's memory (at most 32 GB), for a local master's JVM heap; 1g when unknown."""
    try:
        total = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    except (AttributeError, ValueError, OSError):
        return "1g"
    return f"{max(1, min(total // 2, 32 << 30) >> 30)}g"


def local_cores(master: str) -> int:
    """The cores a local master runs on: ``local`` 1, ``local[N]`` N, ``local[*]`` this machine's."""
    inside = master.partition("[")[2].partition("]")[0].partition(",")[0]
    return int(inside) if inside.isdigit() else (os.cpu_count() or 1) if inside == "*" else 1


def parse_conf(pairs: tuple[str, ...]) -> dict[str, str]:
    """``--spark-conf KEY=VALUE`` options as a dict; one line for a pair without ``=``."""
    conf = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep or not key.strip():
            raise RightscheckError(f"expected KEY=VALUE, got {pair!r}", key="--spark-conf")
        conf[key.strip()] = value.strip()
    return conf


def stop(session: "SparkSession", failed: bool = False) -> None:
    """Stop a session started here. After a failure or Ctrl-C the JVM is silenced first and its jobs are
    cancelled: tasks cut short would print stack traces after rightscheck's own line (Spark's log, and
    Scala's reporter of failed futures, which writes to the JVM's standard error)."""
    if not failed:
        session.stop()
        return
    try:
        context = session.sparkContext
        context.setLogLevel("OFF")
        jvm = context._jvm
        jvm.java.lang.System.setErr(jvm.java.io.PrintStream(jvm.java.io.OutputStream.nullOutputStream()))
        context.cancelAllJobs()
        session.stop()
    except Exception:  # the JVM is gone already, or going: the failure itself is what is reported
        pass


@contextlib.contextmanager
def jvm_lost() -> Iterator[None]:
    """A JVM that stops answering mid-job (most often out of memory) as one line saying what to do, not
    Py4J's connection error; so is a Java error that says it ran out of memory, or whose text can no longer
    be asked of the JVM (Py4J reads it from there, and a dying JVM fails the job before it goes)."""
    from py4j.protocol import Py4JJavaError, Py4JNetworkError

    lost = RightscheckError("Spark's JVM stopped answering, most often out of memory: give it more with "
                            "--spark-conf spark.driver.memory=... (spark.executor.memory=... on a cluster)",
                            key="--engine")
    try:
        yield
    except Py4JNetworkError:
        raise lost from None
    except Py4JJavaError as exc:
        try:
            text = str(exc)
        except Exception:
            raise lost from None
        if "OutOfMemoryError" in text:
            raise lost from None
        raise
