"""SQLAlchemy tables, one module per area; importing this registers them all."""

from warehouse.models.accounts import ApiToken, User
from warehouse.models.audit import AuditEvent
from warehouse.models.base import Base
from warehouse.models.catalogue import Category, Item
from warehouse.models.deployments import Deployment, DeploymentSquad, KitCheckout, ScanEvent
from warehouse.models.kits import (
    BoxState,
    Kit,
    KitEvent,
    KitLineSubstitute,
    KitTemplate,
    KitTemplateLine,
    Module,
    ModuleRequirement,
)
from warehouse.models.labels import LabelCalibration
from warehouse.models.locations import Location
from warehouse.models.partners import (
    Activation,
    ActivationLine,
    Agreement,
    AgreementDocument,
    Arrival,
    Commitment,
    ContactCheck,
    District,
    Partner,
    PartnerContact,
    StockpileLine,
)
from warehouse.models.readiness import PlanTarget, ReadinessSettings, ReadinessSnapshot
from warehouse.models.squads import (
    Person,
    Qualification,
    QualificationKind,
    Squad,
    SquadModule,
    StaffingTarget,
)
from warehouse.models.stock import Lot, StockBalance, StockMovement, Stocktake, StocktakeLine

__all__ = ["Activation", "ActivationLine", "Agreement", "AgreementDocument", "ApiToken", "Arrival",
           "AuditEvent", "Base", "BoxState", "Category", "Commitment", "ContactCheck", "Deployment",
           "DeploymentSquad",
           "District", "Item", "Kit", "KitCheckout", "KitEvent", "KitLineSubstitute", "KitTemplate",
           "KitTemplateLine", "LabelCalibration", "Location", "Lot", "Module", "ModuleRequirement",
           "Partner", "PartnerContact", "Person", "PlanTarget", "Qualification", "QualificationKind",
           "ReadinessSettings", "ReadinessSnapshot", "ScanEvent",
           "Squad", "SquadModule", "StaffingTarget", "StockBalance", "StockMovement", "StockpileLine",
           "Stocktake", "StocktakeLine", "User"]
