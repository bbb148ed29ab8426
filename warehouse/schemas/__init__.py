"""Marshmallow schemas: input validation and output shapes, per resource."""
