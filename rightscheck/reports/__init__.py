"""The report formats, one module each behind render(result, options); the registry of --format choices is render.py."""
