"""Plain-Python rules of the reserve: no Flask, no SQLAlchemy."""
