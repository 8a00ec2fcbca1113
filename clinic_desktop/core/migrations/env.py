"""Alembic environment. Run programmatically by clinic_desktop.core.db (never by hand needed).

The caller passes an open connection in ``config.attributes["connection"]``; the
``alembic`` command line also works with ``-x url=...``.
"""

from __future__ import annotations

from alembic import context
from sqlalchemy import create_engine

from clinic_desktop.core.models import Base

config = context.config
target_metadata = Base.metadata


def _configure(connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


connection = config.attributes.get("connection")
if connection is not None:
    _configure(connection)
else:
    url = context.get_x_argument(as_dictionary=True).get("url") or config.get_main_option(
        "sqlalchemy.url"
    )
    if not url:
        raise RuntimeError("No database to migrate: pass -x url=... (or set sqlalchemy.url).")
    engine = create_engine(url)
    with engine.begin() as conn:
        _configure(conn)
