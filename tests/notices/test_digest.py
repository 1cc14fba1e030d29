"""The e-mail digest: unread notices, each mailed once, only to people with an address, only
where a mail server is configured."""

from __future__ import annotations

import pytest
from django.core import mail
from django.core.management import call_command

from wenming.notices.digest import digest_send
from wenming.notices.models import Notice
from wenming.notices.services import notice_send

pytestmark = pytest.mark.django_db


@pytest.fixture
def mailbox(settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.EMAIL_DIGEST = True
    settings.SITE_URL = "https://wenming.example.gov.cn"
    return mail.outbox


def test_unread_notices_are_mailed_once_with_links(world, mailbox, capsys):
    people = world.people
    people.unit_admin.email = "admin@school.example.cn"
    people.unit_admin.save()
    notice_send(
        actor=people.east_office,
        recipients=[people.unit_admin, people.filler],  # the filler has no address
        title="自评被退回:标准化学校评估细则",
        url="/assessments/7/",
    )
    read = notice_send(actor=people.east_office, recipients=[people.unit_admin], title="已读的")
    Notice.objects.filter(pk=read[0].pk).update(read_at="2026-01-01T00:00:00Z")
    call_command("notices_digest")
    assert "已发送通知摘要邮件1封" in capsys.readouterr().out
    (message,) = mailbox
    assert message.to == ["admin@school.example.cn"]
    assert "您有1条未读通知" in message.subject
    assert "自评被退回" in message.body and "已读的" not in message.body
    assert "https://wenming.example.gov.cn/assessments/7/" in message.body
    assert digest_send() == 0 and len(mailbox) == 1  # never mailed twice


def test_without_a_mail_server_nothing_is_sent(world, settings, capsys):
    settings.EMAIL_DIGEST = False
    call_command("notices_digest")
    assert "未配置邮件服务器" in capsys.readouterr().out
