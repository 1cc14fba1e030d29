"""The draw pages and the ``wenming draw verify`` command, end to end."""

from __future__ import annotations

import hashlib
import re

import pytest
from django.urls import reverse

from wenming.cli import main
from wenming.draws.models import Draw

pytestmark = pytest.mark.django_db

JUNIOR_ONLY = {"share:学校·初中": "1/3", "share:学校·小学": "0", "min_per_district": "0"}


def test_office_draws_from_the_page_and_verifies(client, world, pool):
    client.force_login(world.people.east_office)
    detail = client.get(reverse("campaigns:detail", args=[pool.campaign.pk])).content.decode()
    assert reverse("draws:campaign", args=[pool.campaign.pk]) in detail and "现场抽签" in detail
    url = reverse("draws:campaign", args=[pool.campaign.pk])
    page = client.get(url).content.decode()
    assert "学校·初中" in page and "望山街道" in page and "尚未抽签" in page
    response = client.post(url, JUNIOR_ONLY, follow=True)
    draw = Draw.objects.get()
    assert response.redirect_chain[-1][0] == reverse("draws:detail", args=[draw.pk])
    html = response.content.decode()
    assert "已完成第1次抽签,抽中3个单位" in html
    for text in (draw.seed, draw.digest, "east_office", "1/3"):
        assert text in html
    # the algorithm's version in Chinese; its record name only where a program reads it
    assert "抽签算法</dt><dd" in html and "第1版:按 SHA-256" in html
    assert f'data-algorithm="{draw.algorithm}"' in html
    assert draw.algorithm not in re.sub(r"<[^>]+>", "", html)
    for pick in draw.result:
        assert pick["code"] in html
    for candidate in draw.candidates:  # each with the rank anyone can recompute
        assert hashlib.sha256(f"{draw.seed}:{candidate['code']}".encode()).hexdigest()[:16] in html
    verified = client.get(reverse("draws:detail", args=[draw.pk]), {"verify": "1"})
    assert "核验通过" in verified.content.decode()


def test_the_page_shows_a_tampered_record_fails(client, world, pool):
    client.force_login(world.people.east_office)
    client.post(reverse("draws:campaign", args=[pool.campaign.pk]), JUNIOR_ONLY)
    draw = Draw.objects.get()
    Draw.objects.filter(pk=draw.pk).update(seed="f" * 32)
    html = client.get(reverse("draws:detail", args=[draw.pk]), {"verify": "1"}).content.decode()
    assert "核验失败" in html and "摘要不符" in html


def test_redraw_from_the_page_needs_a_reason(client, world, pool):
    client.force_login(world.people.east_office)
    url = reverse("draws:campaign", args=[pool.campaign.pk])
    client.post(url, JUNIOR_ONLY)
    first = Draw.objects.get()
    page = client.get(url).content.decode()
    assert "重新抽签原因" in page and f'name="seen" value="{first.pk}"' in page
    html = client.post(url, {**JUNIOR_ONLY, "seen": first.pk}).content.decode()
    assert "重新抽签须填写原因" in html and Draw.objects.count() == 1
    client.post(url, {**JUNIOR_ONLY, "seen": first.pk, "reason": "组长未到场"})
    assert Draw.objects.count() == 2
    html = client.get(url).content.decode()
    assert "第1次" in html and "第2次" in html and "组长未到场" in html


def test_bad_rules_are_refused_in_chinese_and_nothing_is_drawn(client, world, pool):
    client.force_login(world.people.east_office)
    url = reverse("draws:campaign", args=[pool.campaign.pk])
    html = client.post(url, {**JUNIOR_ONLY, "share:学校·初中": "三分之一"}).content.decode()
    assert "“学校·初中”的抽取比例“三分之一”无法识别" in html
    html = client.post(url, {**JUNIOR_ONLY, "min_per_district": "-1"}).content.decode()
    assert "每个地区最少抽取数须为0到99之间的整数" in html
    html = client.post(url, {**JUNIOR_ONLY, "share:学校·初中": "0"}).content.decode()
    assert "一个单位也抽不到" in html
    assert not Draw.objects.exists()


@pytest.mark.parametrize(
    ("who", "status"),
    [("filler", 403), ("head", 403), ("supervisor", 403), ("expert", 404), ("west_office", 404)],
)
def test_others_can_neither_see_nor_draw(client, world, pool, who, status):
    from wenming.draws.services import draw_record
    from wenming.draws.views import _rules_from_post

    rules = _rules_from_post(JUNIOR_ONLY, ["学校·初中", "学校·小学"])
    draw = draw_record(actor=world.people.east_office, campaign=pool.campaign, rules=rules)
    client.force_login(pool.west_office if who == "west_office" else getattr(world.people, who))
    url = reverse("draws:campaign", args=[pool.campaign.pk])
    assert client.get(url).status_code == status
    assert client.post(url, {**JUNIOR_ONLY, "seen": draw.pk, "reason": "x"}).status_code == status
    detail = client.get(reverse("draws:detail", args=[draw.pk]), {"verify": "1"})
    assert detail.status_code == status
    assert draw.seed not in detail.content.decode()
    campaign_page = client.get(reverse("campaigns:detail", args=[pool.campaign.pk]))
    assert reverse("draws:campaign", args=[pool.campaign.pk]) not in campaign_page.content.decode()
    assert Draw.objects.count() == 1


def test_draw_pages_do_not_grow_queries_with_draws(
    client, world, pool, django_assert_max_num_queries
):
    client.force_login(world.people.east_office)
    url = reverse("draws:campaign", args=[pool.campaign.pk])
    client.post(url, JUNIOR_ONLY)
    for n in range(5):
        seen = Draw.objects.first()
        assert seen is not None
        client.post(url, {**JUNIOR_ONLY, "seen": seen.pk, "reason": f"第{n}次重抽"})
    assert Draw.objects.count() == 6
    with django_assert_max_num_queries(12):
        assert client.get(url).status_code == 200
    with django_assert_max_num_queries(14):
        detail = reverse("draws:detail", args=[Draw.objects.values_list("pk", flat=True)[0]])
        assert client.get(detail, {"verify": "1"}).status_code == 200


def test_cli_verify_ok_and_tampered(capsys, world, pool):
    from wenming.draws.services import draw_record
    from wenming.draws.views import _rules_from_post

    rules = _rules_from_post(JUNIOR_ONLY, ["学校·初中", "学校·小学"])
    draw = draw_record(actor=world.people.east_office, campaign=pool.campaign, rules=rules)
    assert main(["draw", "verify", str(draw.pk)]) == 0
    out = capsys.readouterr().out
    assert "核验通过" in out and draw.digest in out and "抽签算法第1版(wenming-draw/1)" in out
    codes = [p["code"] for p in draw.result]
    Draw.objects.filter(pk=draw.pk).update(result=[*draw.result[:-1]])
    assert main(["draw", "verify", str(draw.pk)]) == 1
    out = capsys.readouterr().out
    assert "核验失败" in out and codes[-1] in out and "摘要不符" in out
    assert main(["draw", "verify", "999999"]) == 1
    assert "找不到抽签记录 #999999" in capsys.readouterr().err
