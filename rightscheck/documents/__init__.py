"""Bytes to a Document: decoding, Markdown and HTML to text with a map back to the source, the article told from the page chrome."""
