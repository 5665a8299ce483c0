"""Ledgers and comparisons as text, JSON, Markdown, HTML."""
