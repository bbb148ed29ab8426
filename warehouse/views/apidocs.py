"""The human-readable API page, Swagger UI served from vendored assets."""

from flask import Blueprint, render_template

from warehouse.access import signed_in

bp = Blueprint("apidocs", __name__, url_prefix="/api/v1")


@bp.route("/docs")
@signed_in
def docs():
    """Show the API reference generated from the OpenAPI document."""
    return render_template("api/docs.html")
