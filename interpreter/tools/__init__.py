"""Authoring tools: fmt, repl, diff, highlighting."""
