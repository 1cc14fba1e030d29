from __future__ import annotations

import pytest

from tests.assessments.conftest import standard  # noqa: F401


@pytest.fixture(scope="session")
def font_cache(tmp_path_factory):
    return tmp_path_factory.mktemp("fonts")


@pytest.fixture(autouse=True)
def _media(settings, tmp_path, font_cache):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.WENMING_FONT_CACHE = str(font_cache)
