from __future__ import annotations

import pytest

from wenming.frameworks.services import framework_import


@pytest.fixture
def standard(world, school):
    """The school-standardization framework, stored; 第一小学 is a primary school of 江东区."""
    world.s1.stage, world.s1.enrolment_primary = "小学", 800
    world.s1.save()
    return framework_import(framework=school)[0]
