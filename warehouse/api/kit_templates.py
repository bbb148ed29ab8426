"""/api/v1/kit-templates: kinds of box, their content lines and the modules that need them."""

from flask.views import MethodView
from marshmallow import RAISE

from warehouse.access import STOCK_MANAGERS, allow, current_caller, signed_in
from warehouse.api import ResourceBlueprint
from warehouse.extensions import db
from warehouse.models import KitTemplate
from warehouse.queries.kits import template_lines, template_requirements, template_stmt
from warehouse.queries.pagination import paginate
from warehouse.schemas.common import page_of
from warehouse.schemas.kits import (
    TemplateCreateSchema,
    TemplateDetailSchema,
    TemplateListArgsSchema,
    TemplateSchema,
    TemplateUpdateSchema,
)
from warehouse.services import kit_templates

PREFIX = "/kit-templates"
blp = ResourceBlueprint("api_kit_templates", __name__,
                        description="Box templates: what each kind of box holds, and par per line")


def detail(code: str) -> dict:
    """Return what TemplateDetailSchema dumps for a template, or raise NotFound."""
    template = kit_templates.get_template(db.session, code)
    _, _, boxes = db.session.execute(
        template_stmt(active=None).where(KitTemplate.id == template.id)).one()
    return {"template": template, "lines": template_lines(db.session, template.id),
            "requirements": template_requirements(db.session, template.id), "box_count": boxes}


@blp.route("")
class KitTemplates(MethodView):
    @signed_in
    @blp.arguments(TemplateListArgsSchema, location="query", unknown=RAISE)
    @blp.response(200, page_of(TemplateSchema))
    def get(self, args):
        """List box templates by category, with their line and box counts."""
        page, per_page = args.pop("page"), args.pop("per_page")
        return paginate(db.session, template_stmt(**args), page, per_page, scalars=False).as_dict()

    @allow(*STOCK_MANAGERS)
    @blp.arguments(TemplateCreateSchema)
    @blp.response(201, TemplateDetailSchema)
    def post(self, data):
        """Add a box template with its content lines and the boxes each module needs of it."""
        return detail(kit_templates.create_template(db.session, current_caller(), **data).code)


@blp.route("/<code:code>")
class KitTemplateByCode(MethodView):
    @signed_in
    @blp.response(200, TemplateDetailSchema)
    def get(self, code):
        """Show a box template with its content lines, substitutes and module requirements."""
        return detail(code)

    @allow(*STOCK_MANAGERS)
    @blp.arguments(TemplateUpdateSchema)
    @blp.response(200, TemplateDetailSchema)
    def patch(self, data, code):
        """Change a template; lines or requirements, when given, replace the old ones entirely."""
        return detail(kit_templates.update_template(db.session, current_caller(), code, **data).code)
