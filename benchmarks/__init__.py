"""Reproducible performance runs, each against a baseline measured in the same run.

Run with `python -m benchmarks` (or `make bench`); see benchmarks/README.md.
"""
