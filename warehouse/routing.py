"""The <id:...> URL converter: row ids within the database's integer range."""

from werkzeug.routing import IntegerConverter

# PostgreSQL's integer; a larger number in a URL is simply a 404, never a database error.
MAX_ID = 2**31 - 1


class IdConverter(IntegerConverter):
    """Match a positive row id no larger than the id columns hold."""

    def __init__(self, url_map) -> None:
        super().__init__(url_map, min=1, max=MAX_ID)


def id_parameter_schema(_converter) -> dict:
    """Describe the converter in the OpenAPI document."""
    return {"type": "integer", "minimum": 1, "maximum": MAX_ID}
