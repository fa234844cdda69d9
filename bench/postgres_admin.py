"""A connection to the ``postgres`` maintenance database of the server a database URL names: the
benchmarks' own work there (creating and dropping their databases, watching their connections)."""

from __future__ import annotations


def admin_connection(url: str):
    """``(settings, connection)``: the URL's settings as Django reads them, and an autocommit
    connection to the same server's ``postgres`` database."""
    import dj_database_url
    import psycopg

    cfg = dj_database_url.parse(url)
    return cfg, psycopg.connect(
        host=cfg["HOST"] or None,
        port=cfg["PORT"] or None,
        user=cfg["USER"] or None,
        password=cfg["PASSWORD"] or None,
        dbname="postgres",
        autocommit=True,
    )
