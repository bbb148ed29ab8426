"""Each of the seven material categories has one colour: on labels, badges and the floor plan."""

from __future__ import annotations

# Fixed by category code; warehouse.css repeats them for the pages (a unit test keeps the two
# equal). All are dark enough for white text on a printed band.
CATEGORY_COLOURS: dict[str, str] = {
    "EA": "#c62828",  # extinguishing agents
    "PE": "#ef6c00",  # protective equipment
    "FE": "#ad1457",  # firefighting equipment
    "RE": "#1565c0",  # rescue equipment
    "ER": "#4e342e",  # emergency repair and salvage equipment
    "MS": "#2e7d32",  # medical supplies
    "FF": "#6a1b9a",  # fuel and food
}
NO_CATEGORY_COLOUR = "#616161"


def category_colour(code: str | None) -> str:
    """Return the colour of a category code, grey for none or an unknown one."""
    return CATEGORY_COLOURS.get(code or "", NO_CATEGORY_COLOUR)
