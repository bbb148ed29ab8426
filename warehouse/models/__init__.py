"""SQLAlchemy tables, one module per area; importing this registers them all."""

from warehouse.models.accounts import ApiToken, User
from warehouse.models.audit import AuditEvent
from warehouse.models.base import Base
from warehouse.models.catalogue import Category

__all__ = ["ApiToken", "AuditEvent", "Base", "Category", "User"]
