"""Allow `python -m rightscheck`."""

from rightscheck.cli import main

main()
