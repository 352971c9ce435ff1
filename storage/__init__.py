"""Persistence: SQLAlchemy 2.0 async models, repositories returning frozen DTOs, migrations."""
