from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.urls import reverse

from wenming.audit.models import AuditEvent
from wenming.notices.models import Notice
from wenming.notices.services import (
    ALREADY_REPLIED,
    NOT_YOURS,
    notice_reply,
    notice_send,
)
from wenming.notices.todo import _PROVIDERS, Todo, todo_provider, todos_for

pytestmark = pytest.mark.django_db
TODAY = date(2026, 11, 22)


def test_a_notice_reaches_each_recipient_once_and_is_read_on_opening(client, world):
    people = world.people
    sent = notice_send(
        actor=people.east_office,
        recipients=[people.head, people.unit_admin, people.head],
        title="关于开展2026年度文明单位申报的通知",
        body="请于12月10日前完成自评。",
    )
    assert len(sent) == 2
    client.force_login(people.head)
    assert '<span class="badge">1</span>' in client.get(reverse("notices:list")).content.decode()
    page = client.get(reverse("notices:detail", args=[sent[0].pk])).content.decode()
    assert "请于12月10日前完成自评。" in page
    assert Notice.objects.get(pk=sent[0].pk).read_at is not None
    assert 'class="badge"' not in client.get(reverse("notices:list")).content.decode()


def test_nobody_opens_someone_elses_notice(client, world):
    notice = notice_send(actor=None, recipients=[world.people.head], title="仅校长可见")[0]
    client.force_login(world.people.filler)
    assert client.get(reverse("notices:detail", args=[notice.pk])).status_code == 404
    assert client.post(reverse("notices:reply", args=[notice.pk])).status_code == 404
    with pytest.raises(PermissionError, match=NOT_YOURS):
        notice_reply(actor=world.people.filler, notice=notice, text="越权")


def test_a_notice_asking_for_a_reply_waits_in_the_to_do_list_until_answered(client, world):
    people = world.people
    due = TODAY - timedelta(days=1)
    notice = notice_send(
        actor=people.east_office,
        recipients=[people.unit_admin],
        title="督办:食堂卫生问题",
        obj=world.s1,
        reply_due=due,
    )[0]
    assert AuditEvent.objects.filter(action="notice.send", object_id=str(world.s1.pk)).exists()
    todos = todos_for(people.unit_admin, today=TODAY)
    assert (
        Todo(
            kind="notice",
            title="回复:督办:食堂卫生问题",
            url=reverse("notices:detail", args=[notice.pk]),
            due=due,
            overdue=True,
        )
        in todos
    )
    client.force_login(people.unit_admin)
    client.post(reverse("notices:reply", args=[notice.pk]), {"reply": "已整改完毕,附照片。"})
    client.post(reverse("notices:reply", args=[notice.pk]), {"reply": "第二次点击"})
    notice.refresh_from_db()
    assert notice.reply == "已整改完毕,附照片。" and notice.replied_at is not None
    assert AuditEvent.objects.filter(action="notice.reply").count() == 1
    with pytest.raises(ValueError, match=ALREADY_REPLIED):
        notice_reply(actor=people.unit_admin, notice=notice, text="again")
    assert not [t for t in todos_for(people.unit_admin, today=TODAY) if t.kind == "notice"]


def test_the_to_do_list_puts_overdue_first_then_by_deadline(client, world):
    @todo_provider
    def sample(user, today):
        if user == world.people.head:
            yield Todo(kind="x", title="下月", url="/", due=today + timedelta(days=30))
            yield Todo(kind="x", title="无期限", url="/")
            yield Todo(kind="x", title="明天", url="/", due=today + timedelta(days=1))
            yield Todo(
                kind="x", title="已逾期", url="/", due=today - timedelta(days=2), overdue=True
            )

    try:
        titles = [t.title for t in todos_for(world.people.head, today=TODAY)]
        assert titles == ["已逾期", "明天", "下月", "无期限"]
        client.force_login(world.people.head)
        page = client.get(reverse("todo") + "?tab=overdue").content.decode()
        assert "已逾期" in page and "明天" not in page
        assert "全部 4" in page and "已逾期 1" in page
    finally:
        _PROVIDERS.remove(sample)


def test_an_overlong_reply_is_refused_naming_the_field_and_nothing_is_written(client, world):
    people = world.people
    notice = notice_send(
        actor=people.east_office,
        recipients=[people.unit_admin],
        title="督办:门前三包",
        reply_due=TODAY,
    )[0]
    client.force_login(people.unit_admin)
    response = client.post(reverse("notices:reply", args=[notice.pk]), {"reply": "长" * 20_001})
    assert response.status_code == 400
    assert "回复" in response.content.decode()
    notice.refresh_from_db()
    assert notice.reply == "" and notice.replied_at is None
    assert not AuditEvent.objects.filter(action="notice.reply").exists()
