"""The WSGI apps scan_bench.py serves with gunicorn beside the product: baselines for a scan.

`bare` is Flask and nothing else; `product()` is the product app plus one benchmark-only route
that authenticates the bearer token and answers "ok", so a scan can be compared with the
framework alone and with the app's own per-request work (token, access rule, headers).
"""

from __future__ import annotations

import sys
from pathlib import Path

from flask import Flask

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from warehouse import create_app  # noqa: E402
from warehouse.access import signed_in  # noqa: E402

OK_PATH = "/ok"
APP_OK_PATH = "/api/v1/bench-ok"  # under /api/ so that the bearer token is read, as for a scan

bare = Flask("bare")


@bare.get(OK_PATH)
def ok():
    """Answer ok: the cheapest Flask request."""
    return "ok"


def product() -> Flask:
    """Return the product app (configured from the environment) with the benchmark's ok route."""
    return with_ok_route(create_app())


def with_ok_route(app: Flask) -> Flask:
    """Add the benchmark's token-checked ok route to a product app (before its first request)."""

    @signed_in
    def bench_ok():
        return "ok"

    app.add_url_rule(APP_OK_PATH, "bench_ok", bench_ok, methods=["GET"])
    return app
