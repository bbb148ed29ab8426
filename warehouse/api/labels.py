"""/api/v1/labels: label stock formats, printer calibration and printing labels as PDF."""

from flask import current_app
from flask.views import MethodView

import labels
from warehouse.access import STOCK_MANAGERS, allow, current_caller, signed_in
from warehouse.api import ResourceBlueprint
from warehouse.extensions import db
from warehouse.schemas.labels import CalibrationSchema, LabelFormatSchema, LabelPrintSchema
from warehouse.services import labels as service
from warehouse.views.export import labels_pdf_response

PREFIX = "/labels"
blp = ResourceBlueprint("api_labels", __name__,
                        description="QR labels for boxes, locations, items and lots (PDF)")
PDF_RESPONSE = {"application/pdf": {"schema": {"type": "string", "format": "binary"}}}
PDF_HEADERS = {
    "X-Label-Count": {"description": "Labels in the PDF", "schema": {"type": "integer"}},
    "X-Page-Count": {"description": "Pages in the PDF", "schema": {"type": "integer"}},
}


def format_row(fmt: labels.LabelFormat, offsets: dict) -> dict:
    """Return what LabelFormatSchema dumps: the format and its calibration."""
    x, y = offsets.get(fmt.code, (0.0, 0.0))
    return {**fmt.__dict__, "per_page": fmt.per_page, "offset_x_mm": x, "offset_y_mm": y}


@blp.route("/formats")
class Formats(MethodView):
    @signed_in
    @blp.response(200, LabelFormatSchema(many=True))
    def get(self):
        """List the label stocks (sheets and thermal rolls) with this depot's calibration."""
        offsets = service.calibrations(db.session)
        return [format_row(fmt, offsets) for fmt in labels.FORMATS.values()]


@blp.route("/formats/<string:format_code>/calibration")
class Calibration(MethodView):
    @allow(*STOCK_MANAGERS)
    @blp.arguments(CalibrationSchema)
    @blp.response(200, LabelFormatSchema)
    def put(self, data, format_code):
        """Set how far this format's labels shift on the depot's printer (mm, right and down)."""
        service.calibrate(db.session, current_caller(), format=format_code, **data)
        return format_row(labels.FORMATS[format_code], service.calibrations(db.session))


@blp.route("")
class Print(MethodView):
    @allow(*STOCK_MANAGERS)
    @blp.arguments(LabelPrintSchema)
    @blp.response(200, content_type="application/pdf",
                  description="The labels as a PDF, to print at actual size")
    @blp.doc(responses={"200": {"description": "The labels as a PDF", "content": PDF_RESPONSE,
                                "headers": PDF_HEADERS}})
    def post(self, data):
        """Print labels: 422 for an unknown format or codes (listed), nothing rendered then."""
        codes = service.normalise_codes(data["kind"], data["codes"])
        job = service.print_labels(db.session, kind=data["kind"], codes=codes, format=data["format"],
                                   skip=data["skip"], copies=data["copies"], outlines=data["outlines"],
                                   public_url=current_app.config["PUBLIC_URL"])
        return labels_pdf_response(job, data["kind"])
