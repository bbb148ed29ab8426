"""Read printed labels back as a scanner would: rasterise a PDF at 203 dpi and decode each cell."""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from pathlib import Path

from tests.conftest import unavailable

DPI = 203  # a thermal label printer's resolution: the coarsest our labels must survive


def rasterise(pdf: bytes, first: int | None = None, last: int | None = None, dpi: int = DPI) -> list:
    """Return the PDF's pages (or pages first..last, from 0) as greyscale PIL images, by pdftoppm."""
    from PIL import Image

    if shutil.which("pdftoppm") is None:
        unavailable("pdftoppm not found (install Debian's poppler-utils)")
    command = ["pdftoppm", "-r", str(dpi), "-gray", "-png"]
    if first is not None:
        command += ["-f", str(first + 1), "-l", str((last if last is not None else first) + 1)]
    with tempfile.TemporaryDirectory() as folder:
        source = Path(folder) / "labels.pdf"
        source.write_bytes(pdf)
        subprocess.run([*command, str(source), str(Path(folder) / "page")], check=True,
                       capture_output=True)
        pages = sorted(Path(folder).glob("page-*.png"), key=lambda p: int(p.stem.rsplit("-", 1)[1]))
        images = []
        for path in pages:
            with Image.open(path) as image:
                images.append(image.convert("L"))
        return images


def qr_symbols(image) -> list:
    """Return the QR symbols zbar finds in an image (with their data and corner points)."""
    try:
        from pyzbar import pyzbar
    except (ImportError, OSError):  # OSError: the zbar shared library is missing
        unavailable("pyzbar or libzbar0 is not installed")
    return pyzbar.decode(image, symbols=[pyzbar.ZBarSymbol.QRCODE])


def decode(image) -> list[str]:
    """Return the texts of the QR codes zbar finds in an image."""
    return [symbol.data.decode("utf-8") for symbol in qr_symbols(image)]


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


def font_names(pdf: bytes) -> set[str]:
    """Return the base names of the fonts the PDF's pages use."""
    import io

    import pypdf

    fonts = set()
    for page in pypdf.PdfReader(io.BytesIO(pdf)).pages:
        for font in page["/Resources"]["/Font"].values():
            fonts.add(str(font.get_object()["/BaseFont"]))
    return fonts
