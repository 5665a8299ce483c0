"""AST → checked model."""
