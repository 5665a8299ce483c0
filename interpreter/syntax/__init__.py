"""Source text → parse tree → AST."""
