"""Load test: `make loadtest` (tests/load/run.py)."""
