"""The Django admin panel over the tables Alembic owns (port 8001, staff only)."""
