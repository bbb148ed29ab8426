"""Time render_pdf: 1,000 box labels on A4 3 x 8 sheets (42 pages), the issue's 2 s target."""

from __future__ import annotations

import argparse
import platform
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from labels import LabelRecord, build_payload, get_format  # noqa: E402
from labels.render import render_pdf  # noqa: E402

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


HEADER = ("| benchmark | labels | format | min s | median s | max s | PDF KiB | Python |\n"
          "| --- | --- | --- | --- | --- | --- | --- | --- |\n")


def main() -> None:
    """Warm up once, time RUNS renders, print the numbers and a Markdown table row."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--append", type=Path, metavar="FILE.md",
                        help="also append the row to this Markdown file (header added if new)")
    args = parser.parse_args()
    batch = records()
    fmt = get_format(FORMAT)
    pdf = render_pdf(batch, fmt, title="benchmark")  # loads the font, fills the caches
    times = []
    for _ in range(RUNS):
        start = time.perf_counter()
        render_pdf(batch, fmt, title="benchmark")
        times.append(time.perf_counter() - start)
    low, mid, high = min(times), statistics.median(times), max(times)
    verdict = "pass" if mid < TARGET_S else "FAIL"
    print(f"{COUNT} labels on {FORMAT}: {len(pdf) / 1024:.0f} KiB PDF")
    print(f"min {low:.3f} s  median {mid:.3f} s  max {high:.3f} s  (target < {TARGET_S} s: {verdict})")
    row = (f"| labels render_pdf | {COUNT} | {FORMAT} | {low:.3f} | {mid:.3f} | {high:.3f} "
           f"| {len(pdf) / 1024:.0f} | {platform.python_version()} |\n")
    print(HEADER + row, end="")
    if args.append:
        new = not args.append.exists() or not args.append.read_text(encoding="utf-8").strip()
        with args.append.open("a", encoding="utf-8") as out:
            out.write((HEADER if new else "") + row)


if __name__ == "__main__":
    main()
