from __future__ import annotations

import io

import pytest

from wenming.attachments.detect import image_bytes
from wenming.frameworks.services import framework_import


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def civic(world):
    """The 文明单位 framework, stored; 江西区人民医院 (a hospital) may use it."""
    from tests.conftest import library

    return framework_import(framework=library("civilized-unit"))[0]


def photo(color: str = "red") -> io.BytesIO:
    return io.BytesIO(image_bytes(color))
