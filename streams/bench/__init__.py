"""Benchmarks: each module exposes run(quick) -> dict and prints a table (see streams/bench/__main__.py)."""
