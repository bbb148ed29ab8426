"""QR symbols for labels, from zxing-cpp's C++ encoder (about 0.3 ms a symbol)."""

from __future__ import annotations

import re

import zxingcpp

EC_LEVEL = "M"  # survives ~15 % damage: scuffed box labels still scan
_DARK_RUN = re.compile(rb"\x00+")


def _modules(payload: str) -> tuple[int, bytes]:
    """Return the symbol's size in modules and one byte per module, row by row (0 = dark)."""
    if not payload:
        raise ValueError("a QR code needs a payload")
    symbol = zxingcpp.create_barcode(payload, zxingcpp.BarcodeFormat.QRCode, ec_level=EC_LEVEL)
    image = symbol.to_image(scale=1, add_quiet_zones=False)
    size = image.shape[0]
    return size, bytes(memoryview(image))


def qr_matrix(payload: str) -> list[list[bool]]:
    """Return the QR symbol for payload as rows of modules, top to bottom (True = dark)."""
    size, pixels = _modules(payload)
    return [[pixel == 0 for pixel in pixels[row * size:(row + 1) * size]] for row in range(size)]


def qr_runs(payload: str) -> tuple[int, list[tuple[int, int, int]]]:
    """Return the symbol's size and its dark modules as horizontal runs (column, row, length)."""
    size, pixels = _modules(payload)
    runs = []
    for row in range(size):
        start = row * size
        for match in _DARK_RUN.finditer(pixels, start, start + size):
            runs.append((match.start() - start, row, match.end() - match.start()))
    return size, runs
