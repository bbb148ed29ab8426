"""The catalogue's reference lists."""

from sqlalchemy import select
from sqlalchemy.orm import Session

from warehouse.models import Category


def categories(session: Session) -> list[Category]:
    """Return the material categories in the plan's order."""
    return list(session.scalars(select(Category).order_by(Category.position, Category.code)))
