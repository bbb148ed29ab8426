"""Forms of the readiness pages: a plan target's figure and the colour thresholds (admins only)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import IntegerField, StringField
from wtforms.validators import InputRequired, Length, Optional

from warehouse.domain.readiness import MAX_PLAN_THRESHOLD
from warehouse.views.forms import PostForm
from warehouse.views.operation_forms import strip


class PlanTargetForm(PostForm):
    """An administrator's figure for one plan target (and the priority modules, for that target)."""

    threshold = IntegerField(_l("Target"), validators=[InputRequired()],
                             render_kw={"min": 0, "max": MAX_PLAN_THRESHOLD, "inputmode": "numeric"})
    scope = StringField(_l("Priority modules (codes)"), filters=[strip],
                        validators=[Optional(), Length(max=200)],
                        description=_l("Module codes separated by spaces, e.g. HR CH EQ MT WR"))


class ThresholdsForm(PostForm):
    """From which percentages of boxes ready a module shows green and amber."""

    good_percent = IntegerField(_l("Green from (%)"), validators=[InputRequired()],
                                render_kw={"min": 0, "max": 100, "inputmode": "numeric"})
    fair_percent = IntegerField(_l("Amber from (%)"), validators=[InputRequired()],
                                render_kw={"min": 0, "max": 100, "inputmode": "numeric"})
