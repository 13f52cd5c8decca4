"""Benchmarks: the portal side by side with a direct call to the platform (bench/run.py)."""
