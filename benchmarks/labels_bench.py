"""Time 1,000 box labels on A4 3 x 8 sheets (42 pages), renderer and whole API request: target 2 s."""

from __future__ import annotations

import argparse
import platform
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import generate  # noqa: E402
from sqlalchemy import select  # noqa: E402
from timing import emit, markdown, verdict  # noqa: E402

from labels import LabelRecord, build_payload, get_format  # noqa: E402
from labels.render import render_pdf  # noqa: E402
from warehouse.extensions import db  # noqa: E402
from warehouse.models import Kit  # noqa: E402
from warehouse.services import accounts  # noqa: E402

COUNT = 1000
RUNS = 5
FORMAT = "a4-3x8"
TARGET_S = 2.0

MODULES = [
    ("EQ", "地震救援", "#D32F2F", "地震救援模块"),
    ("FL", "抗洪抢险", "#1976D2", "抗洪抢险模块"),
    ("HZ", "危化品处置", "#FBC02D", "危化品处置模块"),
    ("WR", "水域救援", "#0097A7", "水域救援模块"),
    ("FF", "森林灭火", "#388E3C", "森林灭火模块"),
    ("MD", "医疗急救", "#C2185B", "医疗急救模块"),
    ("LG", "后勤保障", "#616161", "后勤保障模块"),
]
BOXES = [
    ("液压破拆工具组", "Hydraulic rescue tool set"),
    ("生命探测仪器箱", "Life detector case"),
    ("照明与发电设备箱", "Lighting and generator box"),
    ("个人防护装备箱（防化服、呼吸器）", "PPE box: chemical suits and breathing apparatus"),
    ("急救与创伤处置包", "First aid and trauma kit"),
    ("绳索救援器材箱", "Rope rescue equipment"),
    ("泡沫灭火剂 AFFF 3%", "AFFF foam concentrate 3%"),
    ("排水泵与水带组", "Dewatering pump and hose set"),
]


def records(count: int = COUNT) -> list[LabelRecord]:
    """Return count box-like labels with realistic Chinese names and URL payloads."""
    out = []
    for i in range(count):
        code_prefix, category, colour, module = MODULES[i % len(MODULES)]
        title_zh, title_en = BOXES[i % len(BOXES)]
        code = f"K-{code_prefix}-{i + 1:04d}"
        out.append(LabelRecord(
            code=code,
            payload=build_payload("https://depot.example.org", "kit", code),
            title_zh=title_zh,
            title_en=title_en,
            colour=colour,
            band=f"{code_prefix} {category}",
            module=module,
            small_print=(f"模板 T-{code_prefix}-{i % 14 + 1:02d}", f"装箱 2026-{i % 12 + 1:02d}-15"),
        ))
    return out


def render_times(batch: list[LabelRecord], runs: int) -> tuple[list[float], int]:
    """Render the batch once to warm up (font, caches), then `runs` times; return seconds and PDF size."""
    fmt = get_format(FORMAT)
    pdf = render_pdf(batch, fmt, title="benchmark")
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        render_pdf(batch, fmt, title="benchmark")
        times.append(time.perf_counter() - start)
    return sorted(times), len(pdf)


def api_times(scale: int, count: int, runs: int) -> tuple[list[float], int, int]:
    """Time POST /api/v1/labels for `count` real box codes of the N-city build (test client)."""
    with tempfile.TemporaryDirectory() as folder:
        app = generate.make_app(f"sqlite:///{generate.sqlite_copy(scale, Path(folder))}")
        with app.app_context():
            caller = accounts.Caller(None, "bench")
            user = accounts.create_user(db.session, caller, username="bench-officer", role="supply_officer",
                                        password="benchmark-password-2026", display_name="Bench")
            _token, secret = accounts.issue_token(db.session, caller, user.id, name="bench", days=1)
            codes = list(db.session.scalars(select(Kit.code).order_by(Kit.id).limit(count)))
            client, headers = app.test_client(), {"Authorization": f"Bearer {secret}"}
            body = {"kind": "kit", "codes": codes, "format": FORMAT}
            times, size = [], 0
            for run in range(runs + 1):
                start = time.perf_counter()
                response = client.post("/api/v1/labels", json=body, headers=headers)
                took = time.perf_counter() - start
                assert response.status_code == 200, response.data[:300]
                size = len(response.data)
                if run:  # the first one warms up
                    times.append(took)
            db.session.remove()
            db.engine.dispose()
    return sorted(times), len(codes), size


def main() -> None:
    """Time the renderer alone and the whole API request; print the table with the 2 s target."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=RUNS)
    parser.add_argument("--scale", type=int, default=10, help="cities of the build the API request reads")
    parser.add_argument("--smoke", action="store_true", help="24 labels, one run, the plain demo (CI)")
    args = parser.parse_args()
    count = COUNT
    if args.smoke:
        count, args.runs, args.scale = 24, 1, 0
    rows = []
    times, size = render_times(records(count), args.runs)
    rows.append(["`render_pdf` (labels only)", count, f"{times[0]:.3f}", f"{statistics.median(times):.3f}",
                 f"{times[-1]:.3f}", f"{size / 1024:.0f}", verdict(times[-1] < TARGET_S)])
    times, printed, size = api_times(args.scale, count, args.runs)
    rows.append([f"`POST /api/v1/labels` (N={args.scale} boxes)", printed, f"{times[0]:.3f}",
                 f"{statistics.median(times):.3f}", f"{times[-1]:.3f}", f"{size / 1024:.0f}",
                 verdict(times[-1] < TARGET_S)])
    emit("Labels", f"Box labels on {FORMAT} (A4, 3 × 8), Python {platform.python_version()}: the "
         f"renderer alone on synthetic boxes, then the whole API request (look-up of real boxes, "
         f"payloads, PDF) through the test client; {args.runs} runs after a warm-up.\n\n"
         + markdown(["what", "labels", "min s", "median s", "max s", "PDF KiB",
                     f"target (< {TARGET_S:.0f} s)"], rows))


if __name__ == "__main__":
    main()
