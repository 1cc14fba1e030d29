"""The demo's sample values: a strong unit earns an item's full points, a weak one less."""

from __future__ import annotations

import random

import pytest

from tests.conftest import library
from tests.core.helpers import PRIMARY
from wenming.core.engine import Engine
from wenming.core.samples import sample_value, sampled

NAMES = ["school-standard", "civilized-unit", "civilized-campus", "safe-family", "civilized-office"]


@pytest.mark.parametrize("name", NAMES)
def test_every_sampled_library_item_parses_and_earns_what_it_should(name):
    engine = Engine(library(name))
    rng = random.Random(1)
    seen = 0
    for code, style in engine.styles.items():
        if not sampled(style):
            continue
        seen += 1
        full = style.score(engine.parse_item(code, sample_value(style, rng)).value, PRIMARY)
        assert full == style.points, code
        for _ in range(5):
            weak = sample_value(style, rng, weak=True)
            assert style.score(engine.parse_item(code, weak).value, PRIMARY) < style.points, code
    assert seen or name in ("safe-family", "civilized-campus")
