"""Label printing: what to print (API body and page query), formats and calibration."""

from __future__ import annotations

import re

import marshmallow as ma
from marshmallow import validate

import labels
from warehouse.schemas.common import StrictSchema
from warehouse.services.labels import KINDS, MAX_COPIES, MAX_LABELS

CODE_ENTRY = validate.Length(min=1, max=labels.payload.MAX_SCAN_LENGTH)
SEPARATORS = re.compile(r"[\s,;]+")  # a pasted column, a comma list or scanned lines


def split_codes(text: str | None) -> list[str]:
    """Split codes typed or scanned into a text box, one per line or separated by commas."""
    return [code for code in SEPARATORS.split(text or "") if code]


class LabelPrintSchema(StrictSchema):
    """A print job: which kind of thing, the codes (or label addresses), the stock, skipped cells."""

    kind = ma.fields.String(required=True, validate=validate.OneOf(KINDS),
                            metadata={"description": "kit, location, item, lot or badge (a person's)"})
    codes = ma.fields.List(ma.fields.String(validate=CODE_ENTRY), required=True,
                           validate=validate.Length(min=1, max=MAX_LABELS),
                           metadata={"description": "Box codes, location codes, SKUs, SKU/LOT or badge "
                                                    "codes (label addresses are accepted too)"})
    format = ma.fields.String(load_default="a4-3x8",
                              metadata={"description": "A label stock code from /labels/formats"})
    skip = ma.fields.Integer(load_default=0, validate=validate.Range(min=0),
                             metadata={"description": "Used positions to leave blank on the first sheet"})
    copies = ma.fields.Integer(load_default=1, validate=validate.Range(min=1, max=MAX_COPIES),
                               metadata={"description": "Labels per code, printed side by side"})
    outlines = ma.fields.Boolean(load_default=False,
                                 metadata={"description": "Draw cell outlines (calibration on plain paper)"})


class LabelFormatSchema(ma.Schema):
    """A label stock and this depot's print-offset calibration for it."""

    code = ma.fields.String()
    name_zh = ma.fields.String()
    name_en = ma.fields.String()
    page_width_mm = ma.fields.Float()
    page_height_mm = ma.fields.Float()
    columns = ma.fields.Integer()
    rows = ma.fields.Integer()
    per_page = ma.fields.Integer()
    label_width_mm = ma.fields.Float()
    label_height_mm = ma.fields.Float()
    margin_left_mm = ma.fields.Float()
    margin_top_mm = ma.fields.Float()
    gap_x_mm = ma.fields.Float()
    gap_y_mm = ma.fields.Float()
    layout = ma.fields.String(metadata={"description": "compact, or large (readable from 2 m)"})
    thermal = ma.fields.Boolean(metadata={"description": "A roll: one label per page"})
    offset_x_mm = ma.fields.Float(metadata={"description": "Calibration: shift right (mm)"})
    offset_y_mm = ma.fields.Float(metadata={"description": "Calibration: shift down (mm)"})


class CalibrationSchema(StrictSchema):
    """How far a format's labels shift on this depot's printer (mm; right and down positive)."""

    offset_x_mm = ma.fields.Float(required=True, allow_nan=False)
    offset_y_mm = ma.fields.Float(required=True, allow_nan=False)


class LabelPageArgsSchema(ma.Schema):
    """The labels page's query: a kind, its filters or codes, the stock and skipped cells."""

    kind = ma.fields.String(validate=validate.OneOf(KINDS))
    module = ma.fields.String(validate=validate.Length(max=24))
    template = ma.fields.String(validate=validate.Length(max=24))
    status = ma.fields.String(validate=validate.Length(max=20))
    zone = ma.fields.String(validate=validate.Length(max=24))
    category = ma.fields.String(validate=validate.Length(max=2))
    receipt = ma.fields.String(validate=validate.Length(max=80))
    item = ma.fields.String(validate=validate.Length(max=24))
    squad = ma.fields.String(validate=validate.Length(max=24))
    on_leave = ma.fields.Boolean(load_default=False)
    codes = ma.fields.String(validate=validate.Length(max=MAX_LABELS * 40))
    format = ma.fields.String(load_default="a4-3x8", validate=validate.OneOf(list(labels.FORMATS)))
    skip = ma.fields.Integer(load_default=0, validate=validate.Range(min=0, max=100))
    copies = ma.fields.Integer(load_default=1, validate=validate.Range(min=1, max=MAX_COPIES))
    outlines = ma.fields.Boolean(load_default=False)
