"""Ledger photos in the material review: reused, from another unit, from an earlier year, and a
camera date far from the activity's day; another unit's photo is shown only to those who may."""

from __future__ import annotations

import io
from datetime import date

import pytest
from django.urls import reverse
from PIL import Image

from tests.core.test_photomatch import _jpeg, _photo
from wenming.attachments.services import attachment_store
from wenming.ledger.models import Activity, ActivityType
from wenming.review.services import check_run

from .conftest import library, peer_school, report, submitted

pytestmark = pytest.mark.django_db


def _activity(unit, day, actor, *photos: bytes) -> Activity:
    kind = ActivityType.objects.get_or_create(name="志愿服务")[0]
    activity = Activity.objects.create(
        unit=unit, activity_type=kind, title=f"{day}活动", day=day, created_by=actor
    )
    for n, content in enumerate(photos):
        attachment_store(
            unit=unit, owner=activity, name=f"照片{n}.jpg", stream=io.BytesIO(content), actor=actor
        )
    return activity


def test_reused_foreign_earlier_and_far_dated_photos_are_marked(client, world, campaign):
    library(world)
    filler = world.people.filler
    school = peer_school(world)
    original = _photo(1)
    exif = Image.Exif()
    exif[306] = "2024:01:02 10:00:00"
    _activity(world.s1, date(2026, 3, 5), filler, _jpeg(original))
    _activity(world.s1, date(2026, 4, 9), filler, _jpeg(original.resize((500, 375)), quality=70))
    _activity(world.s1, date(2025, 6, 1), filler, _jpeg(original.crop((8, 8, 632, 472))))
    _activity(world.s1, date(2026, 5, 1), filler, _jpeg(_photo(9), exif=exif))
    _activity(school, date(2026, 2, 1), filler, _jpeg(original, quality=50))
    report(world.s1, campaign.edition, "我校的自查报告正文。")
    check = check_run(application=submitted(world, campaign))
    kinds = sorted({f["kind"] for f in check.result["photos"]})
    assert kinds == ["earlier", "exif", "foreign", "reused"]
    client.force_login(filler)
    page = client.get(reverse("review:application", args=[check.application_id])).content.decode()
    assert "与其他单位的照片相同" in page and "其他单位的照片,无权查看" in page
    assert "拍摄于 2024-01-02" in page
    client.force_login(world.people.east_office)
    page = client.get(reverse("review:application", args=[check.application_id])).content.decode()
    assert "其他单位的照片,无权查看" not in page and page.count('class="photo-pair"') >= 7
