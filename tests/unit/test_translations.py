"""Every UI string marked for translation has a Chinese translation."""

import re
from pathlib import Path

from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parents[2]
CATALOG = ROOT / "warehouse/translations/zh/LC_MESSAGES/messages.po"
KEYWORDS = {"_": None, "gettext": None, "ngettext": (1, 2), "lazy_gettext": None, "_l": None,
            "N_": None}
PLACEHOLDER = re.compile(r"%\(\w+\)[sd]")


def forms(text: str | tuple) -> tuple:
    """Return a message's forms: one for a plain message, one per plural form otherwise."""
    return (text,) if isinstance(text, str) else tuple(text)


def source_messages() -> set[str]:
    """Extract the msgids of the code and the templates, as `make extract-messages` does."""
    found = set()
    method_map = [("warehouse/**.py", "python"), ("templates/**.html", "jinja2")]
    for _, _, message, _, _ in extract_from_dir(str(ROOT), method_map, keywords=KEYWORDS):
        found.add(message[0] if isinstance(message, tuple) else message)
    return found


def test_every_marked_string_has_a_chinese_translation():
    with CATALOG.open("rb") as handle:
        catalog = read_po(handle)
    missing = sorted(m for m in source_messages()
                     if m not in catalog or not all(forms(catalog[m].string)) or catalog[m].fuzzy)
    assert not missing, f"untranslated (run `make extract-messages`, then translate): {missing}"


def test_translations_keep_their_placeholders():
    with CATALOG.open("rb") as handle:
        catalog = read_po(handle)
    for message in catalog:
        if not message.id:
            continue
        wanted = sorted(PLACEHOLDER.findall(forms(message.id)[0]))
        for translation in forms(message.string):
            if translation:
                assert sorted(PLACEHOLDER.findall(translation)) == wanted, message.id
