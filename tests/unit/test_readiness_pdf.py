"""The readiness report's renderer with plain values: text pulled back out of the PDF with pypdf."""

from __future__ import annotations

import io
from datetime import date, datetime

from pypdf import PdfReader

from warehouse.documents.readiness import (
    DeploymentLine,
    ExpiryLine,
    ModuleLine,
    ModuleShortfalls,
    ReadinessReport,
    ReportHeadings,
    ShortfallLine,
    TargetLine,
    readiness_pdf,
)

HEADINGS = ReportHeadings(
    title="战备状态报告", depot="储备库", as_of="统计日期", printed="打印时间", printed_by="打印人",
    overall="总体战备", modules="各模块战备",
    module_columns=("代码", "模块", "所需", "完好", "缺件", "已出动", "补充中", "未组建", "%", "等级",
                    "最早到期"),
    total="全部模块", soon_note="* 30 天内到期", shortfalls="缺口与来源",
    shortfall_columns=("物资", "缺少", "缺在何处", "可从何处补"), no_shortfalls="无缺口。",
    targets="预案指标", target_columns=("指标", "要求", "实际", "结果", "缺少"),
    passed="合格", failed="不合格",
    staffing="人员", expiry="过期与临期物资", expiry_columns=("到期", "物资", "批次", "数量", "位置"),
    expired="已过期", no_expiry="无临期物资。", deployments="出动中",
    deployment_columns=("编号", "名称", "类型", "模块", "出动", "应归", "在外箱", "散件"), overdue="逾期",
    no_deployments="无出动。", signatures=("制表人", "审核人", "指挥员签字"), date="日期",
    page="第 %(page)d 页，共 %(pages)d 页")
PRINTED = datetime(2026, 5, 4, 14, 30)


def module(code: str = "EQ", name: str = "地震救援模块", **fields) -> ModuleLine:
    values = {"required": 4, "ready": 1, "short": 1, "deployed": 1, "restocking": 0, "unbuilt": 1,
              "percent": 25, "level": "poor", "level_word": "不完好"}
    return ModuleLine(code=code, name=name, **{**values, **fields})


def report(**fields) -> ReadinessReport:
    values = {
        "headings": HEADINGS, "depot": "LS 龙山储备库", "on": PRINTED.date(), "printed_at": PRINTED,
        "printed_by": "值班员", "overall": "25% 不完好", "overall_level": "poor",
        "overall_counts": ("所需 4 箱",),
        "modules": (module(earliest_expiry=date(2026, 5, 5), expiry_soon=True),), "totals": None,
        "shortfalls": (), "targets": (), "targets_summary": "10 项中 0 项达标", "staffing": ("人员 0",),
        "expiry_summary": "无", "expiring": (), "deployments": ()}
    return ReadinessReport(**{**values, **fields})


def text_of(pdf: bytes) -> list[str]:
    return ["".join(page.extract_text().split()) for page in PdfReader(io.BytesIO(pdf)).pages]


def test_a_module_row_prints_its_figures_level_word_and_marked_expiry():
    pages = text_of(readiness_pdf(report()))
    assert len(pages) == 1
    assert "EQ地震救援模块411101" + "25%不完好2026-05-05*" in pages[0]
    assert "*30天内到期" in pages[0] and "第1页，共1页" in pages[0]
    assert "制表人" in pages[0] and "审核人" in pages[0] and "指挥员签字" in pages[0]


def test_user_text_is_printed_literally_not_read_as_markup():
    evil = "<b>&amp;</b><br/>"
    pdf = readiness_pdf(report(
        modules=(module(name=evil),), printed_by=evil,
        shortfalls=(ModuleShortfalls(f"EQ {evil}", (ShortfallLine(evil, "1 件", "1 箱", (evil,)),)),),
        deployments=(DeploymentLine("CD-1", evil, "演练", "EQ", PRINTED, PRINTED, True, ("K-1",), 0),)))
    text = "".join(text_of(pdf))
    assert text.count("<b>&amp;</b><br/>") == 6


def test_empty_sections_say_so():
    text = "".join(text_of(readiness_pdf(report(modules=()))))
    assert "无缺口。" in text and "无临期物资。" in text and "无出动。" in text


def test_a_long_report_numbers_every_page_and_repeats_the_title():
    many = tuple(module(code=f"M{i:02d}") for i in range(60))
    targets = tuple(TargetLine(f"指标{i}", "5", "4 / 5", i % 2 == 0, "HR") for i in range(10))
    expiring = tuple(ExpiryLine(date(2026, 5, 5), f"T-{i} 物资", "L-1", "2 桶", "A-01", expired=i < 3)
                     for i in range(8))
    pages = text_of(readiness_pdf(report(modules=many, targets=targets, expiring=expiring)))
    assert len(pages) >= 2
    for number, page in enumerate(pages, start=1):
        assert f"第{number}页，共{len(pages)}页" in page
    assert all(page.startswith("战备状态报告") for page in pages)
    text = "".join(pages)
    # Five passed, five failed ("不合格" holds "合格" too); three lots past their expiry.
    assert text.count("不合格") == 5 and text.count("合格") == 10 and text.count("已过期") == 3


def test_english_tags_the_file_with_its_language():
    assert b"/Lang (en)" in readiness_pdf(report(), "en")
    assert b"/Lang (zh-CN)" in readiness_pdf(report())
