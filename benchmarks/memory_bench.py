"""Peak memory of a gunicorn worker after the heavy requests at N=10: target under 250 MB RSS.

Serves a copy of `benchmarks/generate.py`'s N=10 build with gunicorn (2 sync workers, production
settings), signs in through the login form, and sends each worker the heaviest pages a depot
uses: the readiness dashboard, its API and PDF report, the movement list (first and a deep
page), the stock list by expiry, a box page, the reachable-reserve search and 1,000 box labels
as one PDF (scans, light on memory, run in scan_wrk.py). Then it reads each worker's peak
resident set (VmHWM in /proc).
`--smoke`: the plain demo, one round.
"""

from __future__ import annotations

import argparse
import http.cookiejar
import json
import os
import re
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import generate  # noqa: E402
from sqlalchemy import text  # noqa: E402
from timing import emit, markdown, verdict  # noqa: E402

from tests.postgres import free_port  # noqa: E402
from warehouse.extensions import db  # noqa: E402
from warehouse.services import accounts  # noqa: E402

SCALE = 10
ROUNDS = 3
TARGET_MB = 250
PASSWORD = "benchmark-password-2026"


def prepare(url: str) -> dict:
    """Add a bench admin with a token, and pick the codes the requests need."""
    app = generate.make_app(url)
    with app.app_context():
        caller = accounts.Caller(None, "bench")
        user = accounts.create_user(db.session, caller, username="bench-admin", role="admin",
                                    password=PASSWORD, display_name="Bench")
        _token, secret = accounts.issue_token(db.session, caller, user.id, name="bench", days=1)
        boxes = list(db.session.scalars(text("SELECT code FROM kits ORDER BY id")))
        item = db.session.scalar(text("SELECT i.sku FROM items i JOIN kit_template_lines l "
                                      "ON l.item_id = i.id ORDER BY i.id LIMIT 1"))
        db.session.remove()
        db.engine.dispose()
    return {"token": secret, "boxes": boxes, "sku": item}


def start(url: str, workers: int) -> tuple[subprocess.Popen, str]:
    """Start gunicorn as production runs it and wait until it answers."""
    port = free_port()
    env = {**os.environ, "WAREHOUSE_ENV": "production", "WAREHOUSE_SECRET_KEY": "b" * 48,
           "WAREHOUSE_DATABASE_URL": url, "WAREHOUSE_INSECURE_COOKIES": "1"}
    process = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "--workers", str(workers), "--bind", f"127.0.0.1:{port}",
         "--timeout", "120", "--log-level", "warning", "wsgi:app"],
        cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"{base}/healthz", timeout=2):
                return process, base
        except OSError:
            time.sleep(0.3)
    process.kill()
    raise SystemExit(f"gunicorn did not start: {process.stderr.read().decode()[-2000:]}")


def sign_in(base: str) -> urllib.request.OpenerDirector:
    """Sign in through the login form (CSRF token and all) and return an opener with the cookie."""
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()))
    page = opener.open(f"{base}/login").read().decode()
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page).group(1)
    form = urllib.parse.urlencode({"csrf_token": token, "username": "bench-admin", "password": PASSWORD})
    opener.open(urllib.request.Request(f"{base}/login", data=form.encode())).read()
    return opener


def requests(data: dict, labels: int) -> list[tuple[str, str, dict | None]]:
    """The heavy requests: (method, path, JSON body or None)."""
    boxes = data["boxes"]
    return [
        ("GET", "/readiness/", None),
        ("GET", "/api/v1/readiness", None),
        ("GET", "/readiness/report.pdf", None),
        ("GET", "/movements", None),
        ("GET", "/movements?page=500", None),
        ("GET", "/stock?expiring_within_days=90", None),
        ("GET", f"/kits/boxes/{boxes[len(boxes) // 2]}", None),
        ("GET", f"/reserve/reachable?item={data['sku']}", None),
        ("POST", "/api/v1/labels", {"kind": "kit", "codes": boxes[:labels]}),
    ]


def send(opener, base: str, token: str, method: str, path: str, body: dict | None) -> int:
    headers, data = {}, None
    if path.startswith("/api/"):
        # The API answers bearer tokens; a session cookie beside one would ask for a CSRF token.
        headers["Authorization"], opener = f"Bearer {token}", urllib.request.build_opener()
    if body is not None:
        data = json.dumps(body).encode()
        headers["Content-Type"] = "application/json"
    request = urllib.request.Request(f"{base}{path}", data=data, headers=headers, method=method)
    try:
        with opener.open(request, timeout=120) as response:
            response.read()
            return response.status
    except urllib.error.HTTPError as error:
        return error.code


def workers_of(master: int) -> list[int]:
    """Return the pids of gunicorn's workers (the master's children)."""
    children = Path(f"/proc/{master}/task/{master}/children").read_text().split()
    return [int(pid) for pid in children]


def peak_mb(pid: int) -> tuple[float, float]:
    """Return a process's peak and current resident set in MB (VmHWM, VmRSS)."""
    status = Path(f"/proc/{pid}/status").read_text()
    values = {key: int(re.search(rf"{key}:\s+(\d+) kB", status).group(1)) / 1024
              for key in ("VmHWM", "VmRSS")}
    return values["VmHWM"], values["VmRSS"]


def main() -> None:
    """Serve N=10, send every worker the heavy requests, and report each worker's peak RSS."""
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--scale", type=int, default=SCALE)
    parser.add_argument("--rounds", type=int, default=ROUNDS)
    parser.add_argument("--smoke", action="store_true", help="the plain demo, one round (CI)")
    args = parser.parse_args()
    if args.smoke:
        args.scale, args.rounds = 0, 1
    with tempfile.TemporaryDirectory() as folder:
        url = f"sqlite:///{generate.sqlite_copy(args.scale, Path(folder))}"
        data = prepare(url)
        process, base = start(url, workers=2)
        try:
            before = {pid: peak_mb(pid) for pid in workers_of(process.pid)}
            opener = sign_in(base)
            statuses: dict[str, set[int]] = {}
            # Sync workers take one request at a time, so rounds spread the requests over both.
            for _ in range(args.rounds):
                for method, path, body in requests(data, labels=min(1000, len(data["boxes"]))):
                    statuses.setdefault(path.split("?")[0], set()).add(
                        send(opener, base, data["token"], method, path, body))
            after = {pid: peak_mb(pid) for pid in workers_of(process.pid)}
        finally:
            process.terminate()
            process.wait(timeout=30)
    failed = {path: codes for path, codes in statuses.items() if codes - {200}}
    rows = [[pid, f"{before.get(pid, (0, 0))[1]:.0f}", f"{hwm:.0f}", f"{rss:.0f}", verdict(hwm < TARGET_MB)]
            for pid, (hwm, rss) in sorted(after.items())]
    note = f"\n\nRequests that did not answer 200: {failed}" if failed else ""
    emit("Memory", f"gunicorn, 2 sync workers, SQLite file at N={args.scale}; {args.rounds} rounds of "
         f"{len(statuses)} heavy requests (readiness page, API and PDF, movements page 1 and 500, stock by "
         f"expiry, a box page, the reachable search, 1,000 labels in one PDF).\n\n"
         + markdown(["worker pid", "RSS at start MB", "peak RSS MB (VmHWM)", "RSS after MB",
                     f"target (< {TARGET_MB} MB)"], rows) + note)


if __name__ == "__main__":
    main()
