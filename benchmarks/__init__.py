"""sumdigits benchmarks: ``python -m benchmarks.run`` runs them all."""
