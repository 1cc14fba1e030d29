"""Recorded draws: who may draw, what is recorded, verification, redraws, tampering."""

from __future__ import annotations

import re
from collections import Counter
from fractions import Fraction

import pytest

from tests.audit.conftest import tampering
from wenming.audit.models import AuditEvent
from wenming.audit.verify import chain_verify
from wenming.core.draw import BY_DISTRICT, BY_SHARE, Rules, draw_digest
from wenming.draws.models import Draw, DrawImmutable
from wenming.draws.selectors import draw_current, drawn_application_ids
from wenming.draws.services import (
    NO_CANDIDATES,
    NOT_YOURS,
    REASON_REQUIRED,
    STALE,
    DrawRefused,
    draw_candidates,
    draw_record,
    draw_verify,
)

pytestmark = pytest.mark.django_db

THIRD = Fraction(1, 3)
JUNIOR_THIRD = Rules(shares={"学校·初中": THIRD, "学校·小学": Fraction(0)})


def test_one_third_of_seven_junior_schools_draws_three(world, pool):
    draw = draw_record(actor=world.people.east_office, campaign=pool.campaign, rules=JUNIOR_THIRD)
    ids = drawn_application_ids(draw)
    assert len(ids) == 3
    assert set(ids) <= {a.pk for a in pool.junior}
    assert draw.number == 1 and draw.replaces is None
    assert len(draw.seed) == 32 and len(draw.digest) == 64
    assert draw_current(pool.campaign) == draw


def test_candidates_are_the_applications_in_review_with_stratum_and_district(world, pool):
    candidates = draw_candidates(pool.campaign)
    assert {c.ref for c in candidates} == {a.pk for a in pool.junior + pool.primary}
    assert Counter(c.stratum for c in candidates) == {"学校·初中": 7, "学校·小学": 5}
    assert Counter(c.district for c in candidates) == {"临江街道": 9, "望山街道": 3}


def test_minimum_per_district_and_strata(world, pool):
    rules = Rules(
        shares={"学校·初中": Fraction(1, 7), "学校·小学": Fraction(1, 5)}, min_per_district=2
    )
    draw = draw_record(actor=world.people.east_office, campaign=pool.campaign, rules=rules)
    by_code = {c["code"]: c for c in draw.candidates}
    picked = [by_code[p["code"]] for p in draw.result]
    districts = Counter(c["district"] for c in picked)
    assert districts["临江街道"] >= 2 and districts["望山街道"] >= 2
    strata = Counter(c["stratum"] for c in picked)
    assert strata["学校·初中"] >= 1 and strata["学校·小学"] >= 1
    assert len(picked) == 4  # 1 + 1 by share, topped up to 2 in each township
    assert Counter(p["reason"] for p in draw.result) == {BY_SHARE: 2, BY_DISTRICT: 2}


def test_a_recorded_draw_verifies(world, pool):
    draw = draw_record(actor=world.people.east_office, campaign=pool.campaign, rules=JUNIOR_THIRD)
    verdict = draw_verify(Draw.objects.get(pk=draw.pk))
    assert verdict.ok, verdict.problems
    event = AuditEvent.objects.get(action="draw.record", object_id=str(draw.pk))
    assert event.new == draw.digest and event.actor == world.people.east_office


def _tamper(draw: Draw, **changes) -> Draw:
    Draw.objects.filter(pk=draw.pk).update(**changes)  # as someone editing the database would
    return Draw.objects.get(pk=draw.pk)


def test_a_tampered_result_does_not_verify(world, pool):
    draw = draw_record(actor=world.people.east_office, campaign=pool.campaign, rules=JUNIOR_THIRD)
    drawn = {p["code"] for p in draw.result}
    spare = next(c for c in draw.candidates if c["code"] not in drawn and "初" in c["stratum"])
    forged = [*draw.result[:-1], {"code": spare["code"], "reason": "share"}]
    verdict = draw_verify(_tamper(draw, result=forged))
    assert not verdict.ok
    assert any(spare["name"] in p and "重算未抽中" in p for p in verdict.problems)
    assert any("摘要不符" in p for p in verdict.problems)


def test_a_tampered_record_with_a_recomputed_digest_still_fails_against_the_audit(world, pool):
    draw = draw_record(actor=world.people.east_office, campaign=pool.campaign, rules=JUNIOR_THIRD)
    candidates = [c for c in draw.candidates if c["code"] != draw.result[0]["code"]]
    changes = {"candidates": candidates, "result": draw.result[1:]}
    digest = draw_digest(
        algorithm=draw.algorithm,
        seed=draw.seed,
        candidates=candidates,
        rules=draw.rules,
        result=draw.result[1:],
    )
    verdict = draw_verify(_tamper(draw, digest=digest, **changes))
    assert not verdict.ok
    assert any("审计日志" in p for p in verdict.problems)


def test_the_audited_digest_is_held_by_the_verified_audit_chain(world, pool):
    """Rewriting the draw and its audit event together passes draw_verify, not the chain."""
    draw = draw_record(actor=world.people.east_office, campaign=pool.campaign, rules=JUNIOR_THIRD)
    event = AuditEvent.objects.get(action="draw.record", object_id=str(draw.pk))
    assert event.new == draw.digest and event.hash and chain_verify().ok
    candidates = [c for c in draw.candidates if c["code"] != draw.result[0]["code"]]
    digest = draw_digest(
        algorithm=draw.algorithm,
        seed=draw.seed,
        candidates=candidates,
        rules=draw.rules,
        result=draw.result[1:],
    )
    forged = _tamper(draw, digest=digest, candidates=candidates, result=draw.result[1:])
    with tampering():
        AuditEvent.objects.filter(pk=event.pk).update(new=digest)
    assert draw_verify(forged).ok  # the draw alone cannot tell any more …
    report = chain_verify()  # … the chain can, and names the event
    assert not report.ok and report.break_seq == event.seq
    assert "现场抽签" in report.message and "内容已被改动" in report.message


def test_a_tampered_seed_or_candidates_do_not_verify(world, pool):
    draw = draw_record(actor=world.people.east_office, campaign=pool.campaign, rules=JUNIOR_THIRD)
    assert not draw_verify(_tamper(draw, seed="0" * 32)).ok
    draw = _tamper(draw, seed=draw.seed)
    assert draw_verify(draw).ok
    renamed = [{**c, "district": "别的街道"} for c in draw.candidates]
    verdict = draw_verify(_tamper(draw, candidates=renamed))
    assert not verdict.ok and any("摘要不符" in p for p in verdict.problems)


def test_redraw_needs_a_reason_and_keeps_the_first(world, pool):
    office = world.people.east_office
    first = draw_record(actor=office, campaign=pool.campaign, rules=JUNIOR_THIRD)
    with pytest.raises(DrawRefused, match=re.escape(REASON_REQUIRED)):
        draw_record(actor=office, campaign=pool.campaign, rules=JUNIOR_THIRD, seen=first)
    second = draw_record(
        actor=office, campaign=pool.campaign, rules=JUNIOR_THIRD, reason="抽签现场停电", seen=first
    )
    assert second.number == 2 and second.replaces == first and second.reason == "抽签现场停电"
    assert draw_current(pool.campaign) == second
    kept = Draw.objects.get(pk=first.pk)
    assert kept.result == first.result and kept.digest == first.digest
    assert draw_verify(kept).ok and draw_verify(second).ok
    assert AuditEvent.objects.filter(action="draw.redraw", comment="抽签现场停电").count() == 1


def test_a_stale_page_cannot_draw_twice(world, pool):
    office = world.people.east_office
    first = draw_record(actor=office, campaign=pool.campaign, rules=JUNIOR_THIRD)
    with pytest.raises(
        DrawRefused, match=re.escape(STALE)
    ):  # a second click on the first-draw page
        draw_record(actor=office, campaign=pool.campaign, rules=JUNIOR_THIRD, reason="x")
    draw_record(actor=office, campaign=pool.campaign, rules=JUNIOR_THIRD, reason="x", seen=first)
    with pytest.raises(DrawRefused, match=re.escape(STALE)):
        draw_record(
            actor=office, campaign=pool.campaign, rules=JUNIOR_THIRD, reason="y", seen=first
        )
    assert Draw.objects.count() == 2


def test_records_cannot_be_changed_or_deleted(world, pool):
    draw = draw_record(actor=world.people.east_office, campaign=pool.campaign, rules=JUNIOR_THIRD)
    draw.reason = "改一下"
    with pytest.raises(DrawImmutable):
        draw.save()
    with pytest.raises(DrawImmutable):
        draw.delete()
    assert Draw.objects.get(pk=draw.pk).reason == ""


@pytest.mark.parametrize("who", ["filler", "head", "supervisor", "expert", "west_office"])
def test_only_an_office_covering_the_campaign_may_draw(world, pool, who):
    user = pool.west_office if who == "west_office" else getattr(world.people, who)
    with pytest.raises(DrawRefused, match=re.escape(NOT_YOURS)):
        draw_record(actor=user, campaign=pool.campaign, rules=JUNIOR_THIRD)
    assert not Draw.objects.exists()


def test_the_city_office_above_may_draw(world, pool):
    draw = draw_record(actor=world.people.city_office, campaign=pool.campaign, rules=JUNIOR_THIRD)
    assert len(draw.result) == 3


def test_no_candidates_no_draw(world, campaign):
    with pytest.raises(DrawRefused, match=re.escape(NO_CANDIDATES)):
        draw_record(actor=world.people.east_office, campaign=campaign, rules=JUNIOR_THIRD)


def test_the_database_allows_one_first_draw_and_one_redraw_of_each(world, pool):
    from django.db import IntegrityError, transaction

    first = draw_record(actor=world.people.east_office, campaign=pool.campaign, rules=JUNIOR_THIRD)
    fields = {
        k: getattr(first, k)
        for k in ("campaign", "created_by", "algorithm", "seed", "candidates", "rules", "result")
    }
    with pytest.raises(IntegrityError), transaction.atomic():
        Draw.objects.create(**fields, number=2, digest="x")  # a second "first" draw
    second = draw_record(
        actor=world.people.east_office,
        campaign=pool.campaign,
        rules=JUNIOR_THIRD,
        reason="重抽",
        seen=first,
    )
    with pytest.raises(IntegrityError), transaction.atomic():
        Draw.objects.create(**fields, number=3, digest="x", replaces=first)  # first replaced twice
    assert draw_current(pool.campaign) == second


def test_the_web_cannot_see_a_malformed_seen_id(client, world, pool):
    client.force_login(world.people.east_office)
    url = f"/draws/campaign/{pool.campaign.pk}/"
    data = {"share:学校·初中": "1/3", "share:学校·小学": "0", "seen": "9" * 40}
    assert client.post(url, data).status_code == 302
    html = client.post(url, {**data, "reason": "x"}).content.decode()
    assert STALE in html and Draw.objects.count() == 1
