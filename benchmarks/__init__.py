"""Frontline's benchmarks: `python -m benchmarks.bench` (see BENCHMARKS.md)."""
