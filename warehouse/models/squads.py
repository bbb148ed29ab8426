"""Support squads, their people, qualifications and the plan's staffing targets."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Boolean, CheckConstraint, Date, ForeignKey, Index, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from warehouse.domain.squads import (
    Employment,
    Grade,
    Measure,
    PersonStatus,
    SquadKind,
    SquadRole,
    SupportFunction,
)
from warehouse.models.base import Base, utcnow
from warehouse.models.catalogue import str_enum
from warehouse.models.kits import Module


class Squad(Base):
    """A modular support squad (保障分队): standing or mobile, with one support function."""

    __tablename__ = "squads"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(24), unique=True)
    name_zh: Mapped[str] = mapped_column(String(40))
    name_en: Mapped[str] = mapped_column(String(80))
    kind: Mapped[SquadKind] = mapped_column(str_enum(SquadKind, "squad_kind"), index=True)
    function: Mapped[SupportFunction] = mapped_column(str_enum(SupportFunction, "support_function"))
    home_station: Mapped[str] = mapped_column(String(80), default="")
    note: Mapped[str] = mapped_column(Text, default="")
    # Deactivated instead of deleted once it has people or deployments: history keeps it.
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    modules: Mapped[list[Module]] = relationship(secondary="squad_modules", lazy="raise_on_sql",
                                                 order_by="Module.position")

    def name(self, locale: str) -> str:
        """Return the name in the given UI language."""
        return self.name_en if locale == "en" else self.name_zh


class SquadModule(Base):
    """A disaster module a squad specialises in."""

    __tablename__ = "squad_modules"
    __table_args__ = (Index("uq_squad_modules_squad_module", "squad_id", "module_id", unique=True),)

    id: Mapped[int] = mapped_column(primary_key=True)
    squad_id: Mapped[int] = mapped_column(ForeignKey("squads.id", ondelete="CASCADE"), index=True)
    module_id: Mapped[int] = mapped_column(ForeignKey("modules.id"), index=True)


class Person(Base):
    """Someone in the support force, with a badge code printed as a QR badge."""

    __tablename__ = "personnel"
    __table_args__ = (
        # At most one leader per squad, enforced where two officers editing at once cannot race.
        Index("uq_personnel_squad_leader", "squad_id", unique=True,
              sqlite_where=text("squad_role = 'leader'"), postgresql_where=text("squad_role = 'leader'")),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    badge_code: Mapped[str] = mapped_column(String(24), unique=True)
    name: Mapped[str] = mapped_column(String(40), index=True)
    phone: Mapped[str] = mapped_column(String(40), default="")
    squad_id: Mapped[int | None] = mapped_column(ForeignKey("squads.id"), index=True)
    squad_role: Mapped[SquadRole] = mapped_column(str_enum(SquadRole, "squad_role"), default=SquadRole.MEMBER)
    employment: Mapped[Employment] = mapped_column(str_enum(Employment, "employment"))
    status: Mapped[PersonStatus] = mapped_column(str_enum(PersonStatus, "person_status"), index=True,
                                                 default=PersonStatus.ACTIVE)
    joined_on: Mapped[date | None] = mapped_column(Date)
    note: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    squad: Mapped[Squad | None] = relationship(lazy="raise_on_sql")
    qualifications: Mapped[list[Qualification]] = relationship(
        back_populates="person", lazy="raise_on_sql", cascade="all, delete-orphan")


class QualificationKind(Base):
    """A kind of certificate (special-vehicle driver, equipment technician...): data, not code."""

    __tablename__ = "qualification_kinds"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(24), unique=True)
    name_zh: Mapped[str] = mapped_column(String(40))
    name_en: Mapped[str] = mapped_column(String(80))
    # Graded kinds (technicians) carry junior / intermediate / senior on each qualification.
    graded: Mapped[bool] = mapped_column(Boolean, default=False)
    position: Mapped[int] = mapped_column(default=0)
    active: Mapped[bool] = mapped_column(Boolean, default=True)

    def name(self, locale: str) -> str:
        """Return the name in the given UI language."""
        return self.name_en if locale == "en" else self.name_zh


class Qualification(Base):
    """A person's certificate of one kind: its grade, number and validity."""

    __tablename__ = "qualifications"
    __table_args__ = (
        CheckConstraint("expires_on IS NULL OR issued_on IS NULL OR expires_on >= issued_on",
                        name="expires_after_issue"),
        Index("uq_qualifications_person_kind", "person_id", "kind_id", unique=True),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("personnel.id", ondelete="CASCADE"), index=True)
    kind_id: Mapped[int] = mapped_column(ForeignKey("qualification_kinds.id"), index=True)
    grade: Mapped[Grade | None] = mapped_column(str_enum(Grade, "qualification_grade"))
    certificate_no: Mapped[str] = mapped_column(String(40), default="")
    issued_on: Mapped[date | None] = mapped_column(Date)
    expires_on: Mapped[date | None] = mapped_column(Date, index=True)

    person: Mapped[Person] = relationship(back_populates="qualifications", lazy="raise_on_sql")
    kind: Mapped[QualificationKind] = relationship(lazy="joined", innerjoin=True)


class StaffingTarget(Base):
    """One of the plan's staffing targets; the definition is fixed, the threshold an admin's."""

    __tablename__ = "staffing_targets"
    __table_args__ = (
        CheckConstraint("threshold >= 0", name="threshold_not_negative"),
        CheckConstraint("measure <> 'share' OR threshold <= 100", name="share_at_most_100"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(24), unique=True)
    measure: Mapped[Measure] = mapped_column(str_enum(Measure, "target_measure"))
    squad_kind: Mapped[SquadKind | None] = mapped_column(str_enum(SquadKind, "target_squad_kind"))
    qualification_code: Mapped[str | None] = mapped_column(String(24))
    min_grade: Mapped[Grade | None] = mapped_column(str_enum(Grade, "target_min_grade"))
    threshold: Mapped[int]
    # The plan's figure, so the panel can show when an admin has changed it.
    plan_threshold: Mapped[int]
    position: Mapped[int] = mapped_column(default=0)
    updated_at: Mapped[datetime | None]
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    updated_by_name: Mapped[str] = mapped_column(String(80), default="")
