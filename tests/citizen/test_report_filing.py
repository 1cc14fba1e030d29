"""Filing a report on the public page: it becomes a problem of the category's unit, the photo's
location stays with the office, the citizen reads only status and reply."""

from __future__ import annotations

import io

import pytest
from django.test import Client
from django.urls import reverse
from PIL import Image

from tests.citizen.conftest import photo, upload
from wenming.attachments.models import Attachment
from wenming.attachments.services import content_path
from wenming.audit.models import AuditEvent
from wenming.citizen.models import CitizenReport
from wenming.citizen.selectors import public_status
from wenming.rectification.models import Problem, ProblemSource, ProblemState

VISITOR = "203.0.113.30"


def file_report(client, district, *, address=VISITOR, files=(), **fields):
    data = {
        "category": district.hygiene.pk,
        "description": "公园东门垃圾堆放多日无人清理",
        "place": district.park.pk,
        "place_text": "",
        "contact_name": "李四",
        "contact_phone": "139 1234 5678",
        **fields,
    }
    if files:
        data["photos"] = list(files)
    return client.post(reverse("report:new", args=[district.east.pk]), data, REMOTE_ADDR=address)


def test_a_report_becomes_a_problem_of_the_categorys_unit_with_a_reference(district):
    client = Client()
    response = file_report(client, district, files=[upload("现场.jpg", photo())])
    assert response.status_code == 302
    report = CitizenReport.objects.get()
    assert report.reference in response["Location"]
    problem = report.problem
    assert problem is not None
    assert problem.unit == district.s1
    assert problem.source == ProblemSource.CITIZEN
    assert problem.get_source_display() == "群众随手拍"
    assert problem.state == ProblemState.FOUND
    assert problem.origin == report
    assert problem.location == "人民公园东门"
    assert problem.complainant == ""  # the contact stays with the office
    # the photo's location is the office's; the stored image has no metadata at all
    assert (str(report.latitude), str(report.longitude)) == ("30.586806", "114.283333")
    assert report.photo_taken_at == "2026-11-30 08:15:00"
    stored = Attachment.objects.get()
    assert stored.unit == district.s1
    with Image.open(content_path(stored.file.sha256)) as image:
        assert dict(image.getexif()) == {}
    assert AuditEvent.objects.filter(action="citizen.report").count() == 1
    page = client.get(response["Location"]).content.decode()
    assert report.reference in page and "已收到,待受理" in page


def test_the_category_routes_to_its_unit_and_severity(district):
    file_report(Client(), district, category=district.facility.pk, place="", place_text="滨江路")
    problem = Problem.objects.get()
    assert problem.unit == district.bureau
    assert problem.severity == "serious"
    assert problem.location == "滨江路"


def test_the_citizen_sees_only_status_and_the_public_reply(district):
    file_report(Client(), district)
    report = CitizenReport.objects.get()
    page = Client().get(reverse("report:lookup"), {"reference": report.reference.lower()})
    html = page.content.decode()
    assert "已收到,待受理" in html
    for private in ("李四", "139 1234 5678", "江东区第一小学", "垃圾堆放", "30.58"):
        assert private not in html
    status = public_status(report.reference)
    assert status is not None and status.reply == ""
    assert set(vars(status)) == {
        "reference",
        "filed_on",
        "status",
        "closed",
        "reply",
        "replied_at",
        "merged_into",
    }


def test_an_unknown_reference_says_so(district):
    html = Client().get(reverse("report:lookup"), {"reference": "20260101-XXXXXX"}).content
    assert "未找到该受理编号" in html.decode()


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"description": "脏"}, "问题描述至少5个字"),
        ({"description": "脏" * 501}, "问题描述不能超过500个字"),
        ({"description": "x" * (3 * 1024 * 1024)}, "问题描述不能超过500个字"),
        ({"place": "", "place_text": ""}, "请选择或填写地点"),
        ({"place_text": "路" * 101, "place": ""}, "地点不能超过100个字"),
        ({"contact_phone": "call me"}, "联系电话只能包含数字"),
        ({"category": "999999"}, "所选类别不可用"),
        ({"category": ""}, "请选择问题类别"),
    ],
)
def test_wrong_fields_are_refused_in_chinese_and_nothing_is_written(district, fields, message):
    response = file_report(Client(), district, **fields)
    assert response.status_code == 200
    html = response.content.decode()
    assert message in html
    assert len(html) < 200_000
    assert CitizenReport.objects.count() == 0 and Problem.objects.count() == 0


def test_another_regions_category_or_place_is_refused(district):
    response = file_report(Client(), district, category=district.west_category.pk)
    assert "所选类别不可用" in response.content.decode()
    response = file_report(Client(), district, place=district.west_place.pk)
    assert "所选地点不可用" in response.content.decode()
    assert CitizenReport.objects.count() == 0


def test_photos_are_limited_in_number_size_and_type_and_nothing_is_half_written(
    district, monkeypatch
):
    from wenming.citizen import photos

    four = [
        upload(f"{i}.jpg", photo(color=c)) for i, c in enumerate(["red", "blue", "gray", "tan"])
    ]
    assert "最多上传3张照片" in file_report(Client(), district, files=four).content.decode()
    fake = upload("病毒.jpg", b"MZ\x90\x00 not an image at all")
    html = file_report(Client(), district, files=[fake]).content.decode()
    assert "不是可识别的JPEG、PNG或WebP图片" in html
    monkeypatch.setattr(photos, "PHOTO_MAX_BYTES", 1000)
    big = upload("大.jpg", photo(size=(400, 400), color="white") + b"\0" * 2000)
    assert "超过" in file_report(Client(), district, files=[big]).content.decode()
    monkeypatch.setattr(photos, "PHOTO_MAX_BYTES", 8 * 1024 * 1024)
    monkeypatch.setattr(photos, "MAX_PIXELS", 100)
    wide = upload("宽.png", photo(size=(50, 50), fmt="PNG"))
    assert "像素过多" in file_report(Client(), district, files=[wide]).content.decode()
    assert CitizenReport.objects.count() == 0 and Problem.objects.count() == 0
    assert Attachment.objects.count() == 0


def test_a_failure_after_the_report_row_leaves_nothing(district, monkeypatch):
    from wenming.rectification.services import ProblemRefused

    def broken(*args, **kwargs):
        raise ProblemRefused("文件“x”是空文件")

    monkeypatch.setattr("wenming.citizen.services.problem_create", broken)
    response = file_report(Client(), district, files=[upload("a.jpg", photo())])
    assert "空文件" in response.content.decode()
    assert CitizenReport.objects.count() == 0


def test_a_region_without_categories_takes_no_reports(district):
    assert Client().get(reverse("report:new", args=[district.city.pk])).status_code == 404
    html = Client().get(reverse("report:home")).content.decode()
    assert "江东区" in html and "江城市" not in html


def test_png_without_location_is_kept_without_location(district):
    data = photo(gps=False, fmt="PNG")
    file_report(Client(), district, files=[upload("a.png", data)])
    report = CitizenReport.objects.get()
    assert report.latitude is None and report.photo_taken_at == ""
    with Image.open(io.BytesIO(data)) as image:
        assert image.format == "PNG"
