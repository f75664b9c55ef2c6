"""Text as rule packs and source matching compare it: keyword folding, required literals, word tokens, fingerprints."""
