"""Evaluation of a customer's timeline → ledger."""
