"""yakkan: executable Japanese service terms (約款).

The pipeline, one module a stage:
  source text -> parse tree (syntax) -> AST (build) -> checked model (checker)
  -> evaluation over sorted events (evaluate) -> ledger (ledger) -> rendering (render).
"""
__version__ = "0.1.0"
