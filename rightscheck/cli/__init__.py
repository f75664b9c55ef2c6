"""The command line: commands, options and the terminal (colour, progress)."""
