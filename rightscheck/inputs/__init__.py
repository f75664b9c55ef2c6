"""Where documents come from: folders, the git index, and (each one module) every other input; all hand the scanner the same items (base.py)."""
