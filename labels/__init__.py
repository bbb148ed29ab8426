"""Printable QR labels for boxes, locations, items, lots and badges: records in, PDF bytes out.

A small package of its own: it imports neither Flask nor the warehouse app, so the CLI, the API,
the pages and the benchmarks all print through the same code.
"""

from labels.formats import FORMATS, LabelFormat, UnknownFormat, get_format
from labels.payload import KINDS, ScannedCode, build_payload, parse_payload
from labels.records import LabelRecord

__all__ = [
    "FORMATS", "KINDS", "LabelFormat", "LabelRecord", "ScannedCode", "UnknownFormat",
    "build_payload", "get_format", "parse_payload",
]
