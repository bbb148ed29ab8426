"""Read printed labels back as a scanner would: rasterise a PDF at 203 dpi and decode each cell."""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from pathlib import Path

from tests.conftest import unavailable

DPI = 203  # a thermal label printer's resolution: the coarsest our labels must survive


def rasterise(pdf: bytes, dpi: int = DPI) -> list:
    """Return the PDF's pages as greyscale PIL images, rendered by poppler's pdftoppm."""
    from PIL import Image

    if shutil.which("pdftoppm") is None:
        unavailable("pdftoppm not found (install Debian's poppler-utils)")
    with tempfile.TemporaryDirectory() as folder:
        source = Path(folder) / "labels.pdf"
        source.write_bytes(pdf)
        subprocess.run(["pdftoppm", "-r", str(dpi), "-gray", "-png", str(source),
                        str(Path(folder) / "page")], check=True)
        pages = sorted(Path(folder).glob("page-*.png"), key=lambda p: int(p.stem.split("-")[-1]))
        return [Image.open(path).copy() for path in pages]


def decode(image) -> list[str]:
    """Return the texts of the QR codes zbar finds in an image."""
    try:
        from pyzbar import pyzbar
    except (ImportError, OSError):  # OSError: the zbar shared library is missing
        unavailable("pyzbar or libzbar0 is not installed")
    return [symbol.data.decode("utf-8") for symbol in pyzbar.decode(image)
            if symbol.type == "QRCODE"]


def scan_labels(pdf: bytes, fmt, count: int, skip: int = 0, offset_mm=(0.0, 0.0)) -> list[list[str]]:
    """Decode each label's own cell; return what was found per label, in print order."""
    from labels.render import cell_boxes

    pages = rasterise(pdf)
    per_mm = DPI / 25.4
    found = []
    for page, left, top, width, height in cell_boxes(fmt, count, skip, offset_mm):
        box = (round(left * per_mm), round(top * per_mm), round((left + width) * per_mm),
               round((top + height) * per_mm))
        found.append(decode(pages[page].crop(box)))
    return found
