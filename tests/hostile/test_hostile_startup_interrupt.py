"""Issue 17, item 7: a Ctrl-C while the program is still importing its modules exits 130 with one line,
not a KeyboardInterrupt traceback (the command's entry point catches it before the CLI is loaded)."""

from __future__ import annotations

import subprocess
import sys
import textwrap


def test_an_interrupt_during_start_up_is_one_line_and_exit_130(tmp_path):
    # a module standing in for the CLI that is interrupted while it loads
    fake = tmp_path / "fake"
    (fake / "rightscheck").mkdir(parents=True)
    (fake / "rightscheck" / "cli.py").write_text("raise KeyboardInterrupt\n")
    import rightscheck

    script = textwrap.dedent(f"""
        import sys, rightscheck
        rightscheck.__path__.insert(0, {str(fake / "rightscheck")!r})
        from rightscheck.__main__ import run
        run()
    """)
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=60,
                          env={"PYTHONPATH": str(__import__("pathlib").Path(rightscheck.__file__).parents[1])})
    assert done.returncode == 130 and done.stderr == "rightscheck: interrupted\n", done.stderr
