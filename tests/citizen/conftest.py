"""A district that takes citizen reports: two categories routed to units, listed places."""

from __future__ import annotations

import io
from types import SimpleNamespace
from typing import Any

import pytest
from django.core.cache import cache
from PIL import Image

from wenming.citizen.models import ReportCategory, ReportPlace


@pytest.fixture(autouse=True)
def fresh_counters(db, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def district(world):
    east = world.east
    world.hygiene = ReportCategory.objects.create(
        region=east, region_path=east.path, name="环境卫生", unit=world.s1
    )
    world.facility = ReportCategory.objects.create(
        region=east, region_path=east.path, name="设施损坏", unit=world.bureau, severity="serious"
    )
    world.west_category = ReportCategory.objects.create(
        region=world.west, region_path=world.west.path, name="环境卫生", unit=world.other
    )
    world.park = ReportPlace.objects.create(region=east, region_path=east.path, name="人民公园东门")
    world.west_place = ReportPlace.objects.create(
        region=world.west, region_path=world.west.path, name="西湖广场"
    )
    return world


def photo(
    *, gps: bool = True, color: str = "green", size: tuple[int, int] = (64, 48), fmt: str = "JPEG"
) -> bytes:
    """A phone photo: with GPS (30°35'12.5"N 114°17'E) and the time it was taken."""
    image = Image.new("RGB", size, color)
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"
    if gps:
        exif[0x8825] = {1: "N", 2: (30.0, 35.0, 12.5), 3: "E", 4: (114.0, 17.0, 0.0)}
        exif.get_ifd(0x8769)[0x9003] = "2026:11:30 08:15:00"
    out = io.BytesIO()
    image.save(out, fmt, exif=exif)
    return out.getvalue()


def upload(name: str, data: bytes) -> Any:
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(name, data, content_type="image/jpeg")


def ns(**kw: Any) -> SimpleNamespace:
    return SimpleNamespace(**kw)
