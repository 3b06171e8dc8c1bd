"""The throwaway PostgreSQL server of the tests: it lives in ``benchmarks/postgres_server.py``
so that ``make bench-api --postgres`` starts the same server; the tests import it from here."""

from benchmarks.postgres_server import (
    HOST,
    PASSWORD_ROLE,
    SUPERUSER,
    PostgresServer,
    PostgresUnavailable,
    find_bindir,
    free_port,
)

__all__ = [
    "HOST",
    "PASSWORD_ROLE",
    "SUPERUSER",
    "PostgresServer",
    "PostgresUnavailable",
    "find_bindir",
    "free_port",
]
