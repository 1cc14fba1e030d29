"""Region paths taken apart in one place."""

from __future__ import annotations

from wenming.organizations.paths import region_ids


def test_a_region_path_lists_the_region_and_its_ancestors_top_first():
    assert region_ids("/3/17/42/") == [3, 17, 42]


def test_the_root_and_an_empty_path_have_no_regions_above():
    assert region_ids("/1/") == [1]
    assert region_ids("") == []
