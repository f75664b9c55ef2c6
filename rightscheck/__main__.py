"""The `rightscheck` command and `python -m rightscheck`: an interrupt while the program is still loading
(its first tenth of a second) exits 130 with one line, as one during a scan does, not with a traceback."""

from __future__ import annotations

import sys


def run() -> None:
    try:
        from rightscheck.cli.main import main
    except KeyboardInterrupt:
        sys.stderr.write("rightscheck: interrupted\n")
        raise SystemExit(130) from None
    main()


if __name__ == "__main__":
    run()
