"""The two ways the ranking reads a region (by the region index or walking the score index)
select the same applications."""

from __future__ import annotations

import pytest

from wenming.dashboards.models import Entry
from wenming.dashboards.scope import filter_form
from wenming.dashboards.selectors import ranking_table, state_grade_counts

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("where", ["city", "east", "town", "west"])
def test_both_region_tests_select_the_same_entries(board, where):
    world = board.world
    form = filter_form(world.people.city_office, {"region": str(getattr(world, where).pk)})
    focus = form.focus()
    assert focus is not None
    by_index = set(Entry.objects.filter(focus.entries_q()).values_list("unit_id", flat=True))
    walking = set(
        Entry.objects.filter(focus.entries_q(by_region_index=False)).values_list(
            "unit_id", flat=True
        )
    )
    assert by_index == walking
    expected = {"city": 5, "east": 4, "town": 2, "west": 1}[where]
    assert len(by_index) == expected
    ranked = ranking_table(focus, state_grade_counts(focus))
    assert len(ranked.rows) == expected
