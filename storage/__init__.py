"""The store: SQLAlchemy 2 models, the unit of work, repositories implementing `core.ports`, the outbox and
the Alembic migrations. SQLite (aiosqlite) by default, PostgreSQL (asyncpg) from `DATABASE_URL`."""
