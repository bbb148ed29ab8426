"""The material categories page."""

from flask import Blueprint, render_template

from warehouse.access import signed_in
from warehouse.extensions import db
from warehouse.queries.catalogue import categories

bp = Blueprint("catalogue", __name__)


@bp.route("/categories")
@signed_in
def category_list():
    """List the seven material categories."""
    return render_template("catalogue/categories.html", categories=categories(db.session))
