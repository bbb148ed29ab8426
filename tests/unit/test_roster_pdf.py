"""The registration roster as a reader sees it: text pulled back out of the PDF with pypdf."""

from __future__ import annotations

import io
import re
from datetime import date, datetime

import pypdf
import pytest

from labels.fonts import FONT_NAME
from tests.label_scan import font_names
from warehouse.documents.roster import (
    Roster,
    RosterHeadings,
    RosterPerson,
    RosterQualification,
    RosterSquad,
    render_roster,
)

MARKUP = "<b>&amp;</b><font size=80>"
PRINTED_AT = datetime(2026, 11, 29, 14, 5)
COLUMNS = ("序号", "姓名", "人员编号", "职务", "用工性质", "状态", "联系电话", "资质（等级、有效期）")
ZH = RosterHeadings(
    title="模块化保障分队人员登记备案表", printed="打印时间", kind="类别", function="保障职能",
    station="驻地", leader="队长", modules="专业模块", strength="人数",
    counts="在岗 %(active)d 人，休假 %(on_leave)d 人，合计 %(total)d 人", columns=COLUMNS,
    valid_until="有效期至", lapsed="已失效", no_members="本分队暂无登记人员。", no_squads="暂无保障分队。",
    signatures=("填表人", "审核人", "负责人签字"), date="日期", page="第 %(page)d 页 / 共 %(pages)d 页",
    summary="共 %(squads)d 个分队，%(people)d 人",
)


def person(index: int, name: str = "王建国", **fields) -> RosterPerson:
    defaults = {"badge_code": f"BZ-{index:04d}", "role": "队员", "employment": "合同制消防员",
                "status": "在岗", "phone": "139 0437 0001",
                "qualifications": (RosterQualification("装备技师", "中级", expires_on=date(2028, 3, 1)),)}
    return RosterPerson(name=name, **{**defaults, **fields})


def squad(code: str = "CB-WZ", people: tuple[RosterPerson, ...] = (), **fields) -> RosterSquad:
    defaults = {"name": "物资保障常备分队", "kind": "常备", "function": "物资保障",
                "station": "辽源市消防救援支队战勤保障大队", "leader_name": "刘振华",
                "leader_badge": "BZ-0001", "modules": ("EQ 地震/地质灾害", "FL 洪涝"),
                "active": len(people), "on_leave": 0, "total": len(people)}
    return RosterSquad(code=code, people=people, **{**defaults, **fields})


def render(*squads: RosterSquad, headings: RosterHeadings = ZH) -> bytes:
    return render_roster(Roster(headings=headings, squads=squads, printed_at=PRINTED_AT))


def pages_text(pdf: bytes) -> list[str]:
    """Return each page's text with all whitespace removed (table cells wrap at any point)."""
    return ["".join(page.extract_text().split()) for page in pypdf.PdfReader(io.BytesIO(pdf)).pages]


def flat(text: str) -> str:
    return "".join(text.split())


def test_names_codes_squads_qualifications_and_signature_labels_print_in_chinese():
    people = (person(1, "刘振华", role="队长", employment="消防员"),
              person(2, "欧阳晓燕", status="休假",
                     qualifications=(RosterQualification("特种车驾驶员", certificate_no="220400812345",
                                                         expires_on=date(2027, 1, 5)),
                                     RosterQualification("卫生员"))))
    pdf = render(squad(people=people, active=1, on_leave=1, total=2),
                 squad("JD-LQ", (person(3, "陆明"),), name="社会联勤保障机动分队", kind="机动",
                       function="社会联勤保障"))
    assert pdf.startswith(b"%PDF")
    text = "".join(pages_text(pdf))
    for expected in ("模块化保障分队人员登记备案表", "打印时间2026-11-2914:05", "共2个分队，3人",
                     "CB-WZ物资保障常备分队", "JD-LQ社会联勤保障机动分队", "刘振华", "欧阳晓燕", "陆明",
                     "BZ-0001", "BZ-0002", "BZ-0003", "辽源市消防救援支队战勤保障大队", "刘振华(BZ-0001)",
                     "EQ地震/地质灾害,FL洪涝", "在岗1人，休假1人，合计2人", "常备", "机动", "社会联勤保障",
                     "装备技师中级·有效期至2028-03-01", "特种车驾驶员·220400812345·有效期至2027-01-05",
                     "卫生员",
                     "填表人", "审核人", "负责人签字", "日期", *COLUMNS):
        assert flat(expected) in text, expected


def test_the_font_is_the_embedded_wenquanyi_never_a_cid_font():
    pdf = render(squad(people=(person(1),)))
    assert b"STSong" not in pdf and b"Adobe-GB1" not in pdf
    fonts = font_names(pdf)
    assert fonts and all(FONT_NAME in name for name in fonts)


def test_the_title_is_the_pdf_metadata_title():
    assert pypdf.PdfReader(io.BytesIO(render(squad()))).metadata.title == ZH.title


@pytest.mark.parametrize("field", ["name", "phone"])
def test_markup_in_user_text_prints_literally(field):
    people = (person(1, **{field: MARKUP}),)
    text = "".join(pages_text(render(squad(people=people, name=MARKUP, station=MARKUP))))
    # Once for the person's field, once each for the squad's name and station.
    assert text.count(flat(MARKUP)) == 3


def test_a_hundred_and_twenty_people_run_over_pages_each_with_the_header_row():
    people = tuple(person(i, f"队员{i:03d}") for i in range(1, 121))
    pages = pages_text(render(squad(people=people, leader_name="", leader_badge="")))
    assert len(pages) >= 3
    for text in pages:
        for heading in COLUMNS:
            assert flat(heading) in text
    everything = "".join(pages)
    for i in range(1, 121):
        assert everything.count(f"BZ-{i:04d}") == 1, i
    # Rows keep their order across the page breaks.
    positions = [everything.index(f"队员{i:03d}") for i in range(1, 121)]
    assert positions == sorted(positions)


def test_every_page_says_which_page_it_is_of_how_many():
    people = tuple(person(i) for i in range(1, 61))
    pages = pages_text(render(squad(people=people)))
    total = len(pages)
    assert total >= 2
    for number, text in enumerate(pages, start=1):
        assert f"第{number}页/共{total}页" in text
    # The pages after the first repeat the title and print time at the top.
    assert all("模块化保障分队人员登记备案表" in text and "2026-11-2914:05" in text for text in pages[1:])


def test_the_signature_lines_close_the_roster_on_its_last_page():
    people = tuple(person(i) for i in range(1, 61))
    pages = pages_text(render(squad(people=people)))
    assert "负责人签字" in pages[-1] and "负责人签字" not in "".join(pages[:-1])
    everything = "".join(pages)
    assert everything.index("BZ-0060") < everything.index("填表人")


def test_an_empty_squad_prints_a_no_members_line_instead_of_a_table():
    text = "".join(pages_text(render(squad(people=()), squad("JD-WZ", (person(7),)))))
    assert text.count("本分队暂无登记人员。") == 1
    assert text.count(flat(COLUMNS[-1])) == 1  # only the squad with people has a table
    assert text.index("CB-WZ") < text.index("本分队暂无登记人员。") < text.index("JD-WZ")


def test_no_squads_at_all_still_renders_the_title_a_note_and_the_signatures():
    text = "".join(pages_text(render()))
    assert "暂无保障分队。" in text and "填表人" in text and "共0个分队，0人" in text


def test_a_squad_without_leader_station_or_modules_prints_dashes():
    text = "".join(pages_text(render(squad(leader_name="", leader_badge="", station="", modules=()))))
    assert re.search("驻地—.*队长—", text) and "专业模块—" in text


def test_a_lapsed_qualification_is_marked():
    lapsed = RosterQualification("装备技师", "中级", expires_on=date(2026, 11, 6), lapsed=True)
    text = "".join(pages_text(render(squad(people=(person(1, qualifications=(lapsed,)),)))))
    assert "装备技师中级·有效期至2026-11-06(已失效)" in text


def test_headings_come_from_the_caller_in_any_language():
    english = RosterHeadings(
        title="Support squad personnel roster", printed="Printed", kind="Squad type",
        function="Support function", station="Home station", leader="Squad leader",
        modules="Specialised modules", strength="Strength",
        counts="%(active)d on duty, %(on_leave)d on leave, %(total)d in all",
        columns=("Serial no.", "Full name", "Badge code", "Squad role", "Employment", "Status", "Phone",
                 "Qualifications (grade, valid until)"),
        valid_until="valid until", lapsed="not valid", no_members="No members.", no_squads="No squads.",
        signatures=("Prepared by", "Reviewed by", "Signature of the person in charge"), date="Date",
        page="Page %(page)d of %(pages)d")
    text = "".join(pages_text(render(squad(people=(person(1, "Li Na"),)), headings=english)))
    for expected in ("Support squad personnel roster", "Page 1 of 1", "Signature of the person in charge",
                     "1 on duty, 0 on leave, 1 in all", "Qualifications (grade, valid until)", "Li Na"):
        assert flat(expected) in text, expected
    assert "共" not in text  # no summary line unless the caller gives one
