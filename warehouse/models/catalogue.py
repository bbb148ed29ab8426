"""The seven material categories of the reserve."""

from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column

from warehouse.models.base import Base


class Category(Base):
    """One of the plan's seven material categories (七个方面), seeded by a data migration."""

    __tablename__ = "categories"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(2), unique=True)
    name_zh: Mapped[str] = mapped_column(String(40))
    name_en: Mapped[str] = mapped_column(String(80))
    position: Mapped[int] = mapped_column(default=0)

    def name(self, locale: str) -> str:
        """Return the name in the given UI language."""
        return self.name_en if locale == "en" else self.name_zh
