"""Benchmarks run from the repository, not shipped with the package: ``python -m benchmarks``
(``make bench``) and ``python -m benchmarks.<name> --help``."""
