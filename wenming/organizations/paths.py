"""Region paths ("/3/17/42/"): the one place that takes them apart."""

from __future__ import annotations


def region_ids(path: str) -> list[int]:
    """ "/3/17/42/" → [3, 17, 42]: the region and its ancestors, the top first."""
    return [int(p) for p in path.strip("/").split("/") if p]
