"""plotly.js comes from the installed plotly package, through staticfiles (never a CDN)."""

from __future__ import annotations

from pathlib import Path

from django.contrib.staticfiles import finders

from wenming.dashboards.finders import PlotlyFinder


def test_plotly_js_is_found_in_the_installed_package():
    found = finders.find("plotly/plotly.min.js")
    assert isinstance(found, str)
    path = Path(found)
    assert path.parts[-3:] == ("plotly", "package_data", "plotly.min.js")
    assert path.stat().st_size > 1_000_000
    assert b"plotly.js" in path.read_bytes()[:2000]


def test_collectstatic_copies_it_under_its_own_prefix():
    listed = [(path, storage.prefix) for path, storage in PlotlyFinder().list([])]
    assert listed == [("plotly.min.js", "plotly")]
    assert PlotlyFinder().find("plotly/other.js") is None
