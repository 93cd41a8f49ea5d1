"""The benchmarks' helpers for their own database: statements on the server's `postgres` database (CREATE/DROP
DATABASE), and a fresh database of their own."""

from __future__ import annotations

from urllib.parse import urlsplit


def admin(url: str, *statements: str) -> None:
    """Run each statement outside a transaction (CREATE/DROP DATABASE refuse one; `with connection` in
    psycopg2 would open one), against the server that `url` names."""
    import psycopg2

    parts = urlsplit(url)
    connection = psycopg2.connect(
        host=parts.hostname, port=parts.port or 5432, user=parts.username, password=parts.password, dbname="postgres"
    )
    connection.autocommit = True
    try:
        with connection.cursor() as cursor:
            for statement in statements:
                cursor.execute(statement)
    finally:
        connection.close()


def bench_database(url: str, name: str, *, fresh: bool = True) -> str:
    """The URL of database `name` on the server `url` names, dropped and created again unless not `fresh`."""
    if fresh:
        admin(url, f"DROP DATABASE IF EXISTS {name}", f"CREATE DATABASE {name}")
    return urlsplit(url)._replace(path=f"/{name}").geturl()
