"""A PNG of one page of a label PDF, for the print page's preview image."""

from __future__ import annotations

import io
import threading

import pypdfium2

# PDFium is not thread-safe: one page at a time per process.
_lock = threading.Lock()


def preview_png(pdf: bytes, page: int = 0, width_px: int = 900) -> bytes:
    """Render one page of the PDF (0-based) width_px wide and return it as PNG bytes."""
    if width_px <= 0:
        raise ValueError("width_px must be positive")
    with _lock:
        document = pypdfium2.PdfDocument(pdf)
        try:
            if not 0 <= page < len(document):
                raise ValueError(f"page {page} is not in this {len(document)}-page PDF")
            pdf_page = document[page]
            scale = width_px / pdf_page.get_width()
            image = pdf_page.render(scale=scale, grayscale=False).to_pil()
            pdf_page.close()
        finally:
            document.close()
    out = io.BytesIO()
    image.save(out, format="PNG", optimize=False)
    return out.getvalue()
