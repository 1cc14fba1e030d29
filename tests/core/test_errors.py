"""One refusal: every app's "not allowed" exception is an ActionRefused with its Chinese text."""

from __future__ import annotations

import pytest

from wenming.accounts.services import AccountRefused
from wenming.assessments.services import AssessmentRefused
from wenming.balance.services import BalanceRefused
from wenming.campaigns.services import Refused
from wenming.citizen.photos import PhotoRefused
from wenming.citizen.services import ReportRefused
from wenming.core.errors import ActionRefused
from wenming.documents.services import DocumentRefused
from wenming.draws.services import DrawRefused
from wenming.imports.services import ImportRefused
from wenming.ledger.services import LedgerRefused
from wenming.onsite.errors import OnsiteRefused
from wenming.rectification.services import ProblemRefused
from wenming.titles.services import TitleRefused

REFUSALS = [
    AccountRefused,
    AssessmentRefused,
    BalanceRefused,
    Refused,
    DocumentRefused,
    DrawRefused,
    ImportRefused,
    LedgerRefused,
    OnsiteRefused,
    PhotoRefused,
    ProblemRefused,
    ReportRefused,
    TitleRefused,
]


@pytest.mark.parametrize("refusal", REFUSALS, ids=lambda c: c.__name__)
def test_every_apps_refusal_is_caught_as_one_kind_with_its_message(refusal):
    with pytest.raises(ActionRefused) as caught:
        raise refusal("该问题已关闭,不能再修改")
    assert caught.value.message == str(caught.value) == "该问题已关闭,不能再修改"


def test_no_app_defines_a_refusal_outside_the_base():
    def all_subclasses(cls: type) -> set[type]:
        return {s for c in cls.__subclasses__() for s in {c, *all_subclasses(c)}}

    stray = {
        c.__qualname__
        for c in all_subclasses(Exception)
        if c.__module__.startswith("wenming.")
        and c.__name__.endswith("Refused")
        and not issubclass(c, ActionRefused)
    }
    assert stray == set()


def test_a_refusal_without_words_still_says_something_in_chinese():
    assert ActionRefused().message == "操作未能完成"
