"""Judging a document against the packs: attribution, reused text (with the source index), suppressions, baselines."""
