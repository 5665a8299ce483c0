"""Benchmarks: throughput of the pipeline and the iTSCOM portfolio measured against a hand-written evaluator."""
