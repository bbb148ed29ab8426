"""URL converters: <id:...> row ids within the integer range, <code:...> printed codes."""

from werkzeug.routing import BaseConverter, IntegerConverter

# PostgreSQL's integer; a larger number in a URL is simply a 404, never a database error.
MAX_ID = 2**31 - 1


class IdConverter(IntegerConverter):
    """Match a positive row id no larger than the id columns hold."""

    def __init__(self, url_map) -> None:
        super().__init__(url_map, min=1, max=MAX_ID)


def id_parameter_schema(_converter) -> dict:
    """Describe the converter in the OpenAPI document."""
    return {"type": "integer", "minimum": 1, "maximum": MAX_ID}


# Printed codes of modules, templates and boxes, and the data codes of qualification kinds and
# staffing targets (TECHNICIAN_SHARE); anything else is a 404 by routing, so arbitrary text (a
# NUL PostgreSQL cannot compare) never reaches a query.
CODE_PATTERN = r"[A-Za-z0-9][A-Za-z0-9_-]{0,23}"


class CodeConverter(BaseConverter):
    """Match a code: letters, digits, '-' and '_', at most 24 characters."""

    regex = CODE_PATTERN


def code_parameter_schema(_converter) -> dict:
    """Describe the converter in the OpenAPI document."""
    return {"type": "string", "pattern": f"^{CODE_PATTERN}$", "maxLength": 24}
