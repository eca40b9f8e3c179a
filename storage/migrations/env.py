"""Alembic environment: the URL comes from storage.db (env var, Prefect block, or SQLite default)."""

from alembic import context

from storage.db import get_engine
from storage.schema import declared_object, metadata

config = context.config


def run() -> None:
    url = config.get_main_option("sqlalchemy.url")
    engine = get_engine(url)
    with engine.connect() as conn:
        context.configure(connection=conn, target_metadata=metadata,
                          render_as_batch=conn.dialect.name == "sqlite", compare_type=True,
                          include_object=declared_object)
        with context.begin_transaction():
            context.run_migrations()
        conn.commit()


if context.is_offline_mode():
    context.configure(url=config.get_main_option("sqlalchemy.url"), target_metadata=metadata,
                      literal_binds=True)
    with context.begin_transaction():
        context.run_migrations()
else:
    run()
