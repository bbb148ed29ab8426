"""The material categories."""

import marshmallow as ma


class CategorySchema(ma.Schema):
    """One of the seven material categories."""

    id = ma.fields.Integer(required=True)
    code = ma.fields.String(required=True)
    name_zh = ma.fields.String(required=True)
    name_en = ma.fields.String(required=True)
