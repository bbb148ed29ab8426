"""Module and box-template use cases: what each disaster module needs and what each box holds."""

from __future__ import annotations

from sqlalchemy import func, select, true
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from warehouse.database import write_transaction
from warehouse.domain.errors import N_, Conflict, InvalidInput, NotFound
from warehouse.domain.kits import (
    MAX_BOXES_REQUIRED,
    BoxType,
    LineSpec,
    check_lines,
    validate_module_code,
    validate_template_code,
)
from warehouse.models import (
    Item,
    Kit,
    KitLineSubstitute,
    KitTemplate,
    KitTemplateLine,
    Module,
    ModuleRequirement,
)
from warehouse.services.accounts import Caller
from warehouse.services.catalogue import category_by_code
from warehouse.services.fields import text as _text

NAME_LIMITS = {"name_zh": 80, "name_en": 120}
DESCRIPTION_MAX = 4000
LINE_NOTE_MAX = 200
MAX_LINES = 200
MAX_SIZE_M = 20.0
MAX_WEIGHT_KG = 5000.0


def _measure(value, field: str, limit: float) -> float | None:
    if value in (None, ""):
        return None
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not 0 < value <= limit:
        raise InvalidInput.on(field, N_("a number greater than 0 and at most %(max)s", max=f"{limit:g}"))
    return float(value)


def _whole(value, field: str, low: int, high: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise InvalidInput.on(field, N_("a whole number from %(low)d to %(high)d", low=low, high=high))
    return value


def get_module(session: Session, code: str) -> Module:
    """Return the module with this code or raise NotFound."""
    module = session.scalar(select(Module).where(Module.code == (code or "").strip().upper()))
    if module is None:
        raise NotFound(N_("no module %(code)s", code=code))
    return module


def get_template(session: Session, code: str) -> KitTemplate:
    """Return the box template with this code or raise NotFound."""
    template = session.scalar(select(KitTemplate).where(
        KitTemplate.code == (code or "").strip().upper()))
    if template is None:
        raise NotFound(N_("no box template %(code)s", code=code))
    return template


def create_module(session: Session, caller: Caller, *, code: str, name_zh: str, name_en: str,
                  description: str | None = None, position: int | None = None) -> Module:
    """Add a disaster module (its boxes are added through templates' requirements)."""
    code = validate_module_code(code)
    clean = {
        "name_zh": _text(name_zh, "name_zh", 40, required=True),
        "name_en": _text(name_en, "name_en", 80, required=True),
        "description": _text(description, "description", DESCRIPTION_MAX),
    }
    with write_transaction(session):
        if session.scalar(select(Module.id).where(Module.code == code)) is not None:
            raise Conflict(N_("module code %(code)s is taken", code=code), {"code": [N_("already taken")]})
        if position is None:
            position = (session.scalar(select(func.max(Module.position))) or 0) + 1
        module = Module(code=code, position=_whole(position, "position", 0, 10_000), **clean)
        session.add(module)
        try:
            session.flush()
        except IntegrityError:
            raise Conflict(N_("module code %(code)s is taken", code=code),
                           {"code": [N_("already taken")]}) from None
    return module


def update_module(session: Session, caller: Caller, code: str, /, **changes) -> Module:
    """Change a module's names, description, display position, or retire it."""
    with write_transaction(session):
        module = get_module(session, code)
        current = {"name_zh": module.name_zh, "name_en": module.name_en,
                   "description": module.description, "position": module.position,
                   "active": module.active}
        merged = {**current, **changes}
        module.name_zh = _text(merged["name_zh"], "name_zh", 40, required=True)
        module.name_en = _text(merged["name_en"], "name_en", 80, required=True)
        module.description = _text(merged["description"], "description", DESCRIPTION_MAX)
        module.position = _whole(merged["position"], "position", 0, 10_000)
        module.active = bool(merged["active"])
        session.flush()
    return module


def _lines(session: Session, raw: list) -> list[tuple[LineSpec, dict]]:
    """Validate content lines; return each as a domain spec plus its row fields."""
    if not isinstance(raw, list) or not raw:
        raise InvalidInput.on("lines", N_("a box template needs at least one content line"))
    if len(raw) > MAX_LINES:
        raise InvalidInput.on("lines", N_("at most %(count)d lines", count=MAX_LINES))
    wanted = set()
    for index, line in enumerate(raw):
        if not isinstance(line, dict):
            raise InvalidInput.on(f"lines.{index}", N_("must be an object"))
        ids = [line.get("item_id"), *(line.get("substitutes") or [])]
        for item_id in ids:
            if isinstance(item_id, bool) or not isinstance(item_id, int):
                raise InvalidInput.on(f"lines.{index}.item_id", N_("no such item"))
        wanted |= set(ids)
    items = {item.id: item for item in session.scalars(select(Item).where(Item.id.in_(wanted)))}
    out = []
    for index, line in enumerate(raw):
        for field, ids in (("item_id", [line["item_id"]]), ("substitutes", line.get("substitutes") or [])):
            for item_id in ids:
                if item_id not in items:
                    raise InvalidInput.on(f"lines.{index}.{field}", N_("no such item"))
                if not items[item_id].active:
                    raise InvalidInput.on(f"lines.{index}.{field}", N_(
                        "%(sku)s is retired from the catalogue", sku=items[item_id].sku))
        spec = LineSpec(line_id=index, item_id=line["item_id"], par=line.get("par_quantity"),
                        min_shelf_days=line.get("min_shelf_days") or 0,
                        optional=bool(line.get("optional")),
                        substitutes=frozenset(line.get("substitutes") or []) - {line["item_id"]})
        fields = {"note": _text(line.get("note"), f"lines.{index}.note", LINE_NOTE_MAX)}
        out.append((spec, fields))
    specs = [spec for spec, _ in out]
    try:
        check_lines(specs)
    except InvalidInput as error:
        # The domain names fields by position and `par`; the API calls it par_quantity.
        fields = {k.replace(".par", ".par_quantity"): v for k, v in error.fields.items()}
        raise InvalidInput(error.message.replace(".par:", ".par_quantity:"), fields) from None
    return out


def _requirements(session: Session, raw: list) -> list[tuple[Module, int]]:
    if not isinstance(raw, list):
        raise InvalidInput.on("requirements", N_("must be a list"))
    out, seen = [], set()
    for index, requirement in enumerate(raw):
        if not isinstance(requirement, dict):
            raise InvalidInput.on(f"requirements.{index}", N_("must be an object"))
        code = requirement.get("module")
        module = session.scalar(select(Module).where(
            Module.code == (code or "").strip().upper())) if isinstance(code, str) else None
        if module is None:
            raise InvalidInput.on(f"requirements.{index}.module", N_("no such module"))
        if module.id in seen:
            raise InvalidInput.on(f"requirements.{index}.module", N_("listed twice"))
        seen.add(module.id)
        count = _whole(requirement.get("boxes_required"), f"requirements.{index}.boxes_required",
                       1, MAX_BOXES_REQUIRED)
        out.append((module, count))
    return out


def _clean_template(session: Session, data: dict) -> dict:
    try:
        box_type = BoxType(data.get("box_type"))
    except ValueError:
        raise InvalidInput.on("box_type", N_("one of %(values)s",
                                             values=", ".join(b.value for b in BoxType))) from None
    return {
        "code": validate_template_code(data.get("code") or ""),
        "name_zh": _text(data.get("name_zh"), "name_zh", NAME_LIMITS["name_zh"], required=True),
        "name_en": _text(data.get("name_en"), "name_en", NAME_LIMITS["name_en"], required=True),
        "category_id": category_by_code(session, data.get("category")).id,
        "box_type": box_type,
        "width_m": _measure(data.get("width_m"), "width_m", MAX_SIZE_M),
        "depth_m": _measure(data.get("depth_m"), "depth_m", MAX_SIZE_M),
        "weight_kg": _measure(data.get("weight_kg"), "weight_kg", MAX_WEIGHT_KG),
        "description": _text(data.get("description"), "description", DESCRIPTION_MAX),
        "active": bool(data.get("active", True)),
    }


def _set_lines(session: Session, template: KitTemplate, lines) -> None:
    """Replace a template's content lines with validated ones."""
    template.lines.clear()
    session.flush()  # delete the old rows before their (template, item) pairs come back
    for position, (spec, fields) in enumerate(lines):
        line = KitTemplateLine(item_id=spec.item_id, par_quantity=spec.par,
                               min_shelf_days=spec.min_shelf_days, optional=spec.optional,
                               position=position, **fields)
        line.substitutes = [KitLineSubstitute(item_id=item_id) for item_id in sorted(spec.substitutes)]
        template.lines.append(line)


def _set_requirements(session: Session, template: KitTemplate, requirements) -> None:
    """Replace the boxes each module needs of a template with validated counts."""
    template.requirements.clear()
    session.flush()  # as above, for (module, template)
    for module, count in requirements:
        template.requirements.append(ModuleRequirement(module_id=module.id, boxes_required=count))


def _flush_template(session: Session, code: str) -> None:
    try:
        session.flush()
    except IntegrityError:
        raise Conflict(N_("template code %(code)s is taken", code=code),
                       {"code": [N_("already taken")]}) from None


def create_template(session: Session, caller: Caller, *, lines: list, requirements: list | None = None,
                    **data) -> KitTemplate:
    """Add a box template with its content lines and the boxes each module needs of it."""
    with write_transaction(session):
        clean = _clean_template(session, data)
        if session.scalar(select(KitTemplate.id).where(KitTemplate.code == clean["code"])) is not None:
            raise Conflict(N_("template code %(code)s is taken", code=clean["code"]),
                           {"code": [N_("already taken")]})
        checked_lines = _lines(session, lines)
        checked_requirements = _requirements(session, requirements or [])
        template = KitTemplate(**clean)
        # A new template has no lines yet: set them without loading the (raise_on_sql) lists.
        template.lines = []
        template.requirements = []
        session.add(template)
        _set_lines(session, template, checked_lines)
        _set_requirements(session, template, checked_requirements)
        _flush_template(session, clean["code"])
    return template


# `code` is positional-only so that changes may carry a new code (a rename).
def update_template(session: Session, caller: Caller, code: str, /, *, lines: list | None = None,
                    requirements: list | None = None, **changes) -> KitTemplate:
    """Change a template; given lines or requirements replace the old ones entirely."""
    with write_transaction(session):
        template = get_template(session, code)
        current = {
            "code": template.code, "name_zh": template.name_zh, "name_en": template.name_en,
            "category": template.category.code, "box_type": template.box_type.value,
            "width_m": template.width_m, "depth_m": template.depth_m,
            "weight_kg": template.weight_kg, "description": template.description,
            "active": template.active,
        }
        clean = _clean_template(session, {**current, **changes})
        if clean["code"] != template.code and session.scalar(
                select(KitTemplate.id).where(KitTemplate.code == clean["code"])) is not None:
            raise Conflict(N_("template code %(code)s is taken", code=clean["code"]),
                           {"code": [N_("already taken")]})
        session.refresh(template, ["lines", "requirements"])
        checked_lines = _lines(session, lines) if lines is not None else None
        checked_requirements = _requirements(session, requirements) if requirements is not None else None
        if checked_requirements is not None:
            _refuse_orphaned_boxes(session, template, {m.id for m, _ in checked_requirements})
        for field, value in clean.items():
            setattr(template, field, value)
        if checked_lines is not None:
            _set_lines(session, template, checked_lines)
        if checked_requirements is not None:
            _set_requirements(session, template, checked_requirements)
        _flush_template(session, clean["code"])
    return template


def _refuse_orphaned_boxes(session: Session, template: KitTemplate, module_ids: set[int]) -> None:
    """Refuse dropping a module from a template while boxes of it are assigned to that module."""
    stranded = session.execute(
        select(Module.code, func.count(Kit.id)).join(Kit, Kit.module_id == Module.id)
        .where(Kit.template_id == template.id, Module.id.not_in(module_ids) if module_ids else true())
        .group_by(Module.code)
    ).first()
    if stranded is not None:
        raise Conflict(N_("%(count)d boxes of %(template_code)s belong to module %(module)s",
                          count=stranded[1], template_code=template.code, module=stranded[0]),
                       {"requirements": [N_("boxes still belong to module %(module)s",
                                            module=stranded[0])]})
