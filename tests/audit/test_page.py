"""The audit page shows the chain's stored state; the office starts a verification with a
button and it runs as a background job, never on a plain visit."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from tests.audit.conftest import tamper
from wenming.audit.models import AuditEvent, AuditVerification
from wenming.audit.services import audit_record
from wenming.audit.verify import VERIFY_JOB
from wenming.jobs.models import Job, JobStatus
from wenming.jobs.services import job_run, result_path

pytestmark = pytest.mark.django_db


@pytest.fixture
def changes(world):
    for n in range(5):
        audit_record(
            actor=world.people.east_office,
            action="unit.update",
            obj=world.s1,
            field="人数",
            old=n,
            new=n + 1,
        )
    return AuditEvent.objects.order_by("seq").last()


def _verify_through_the_page(client) -> Job:
    response = client.post(reverse("audit:verify"))
    job = Job.objects.get(kind=VERIFY_JOB, status=JobStatus.QUEUED)
    assert response["Location"] == reverse("jobs:detail", args=[job.pk])
    job_run(job.pk)  # what the worker does
    job.refresh_from_db()
    assert job.status == JobStatus.DONE, job.error
    return job


def test_a_visit_shows_the_state_without_verifying(client, world, changes):
    client.force_login(world.people.east_office)
    html = client.get(reverse("audit:list")).content.decode()
    assert "审计链完整性" in html and "尚未核验" in html and "立即核验" in html
    assert not AuditVerification.objects.exists()


def test_the_office_verifies_and_sees_the_chain_intact(client, world, changes):
    client.force_login(world.people.east_office)
    job = _verify_through_the_page(client)
    total = AuditEvent.objects.count()
    assert result_path(job).read_text(encoding="utf-8").startswith(f"审计链完整:{total}条")
    html = client.get(reverse("audit:list")).content.decode()
    stored = AuditVerification.objects.get()
    assert '<strong class="ok" id="chain-state">完整</strong>' in html
    assert f"{total}条记录逐条核验无误" in html
    assert f"最近核验时间:{timezone.localtime(stored.finished_at):%Y-%m-%d %H:%M:%S}" in html
    assert "由east_office发起" in html


def test_a_tampered_chain_shows_altered_with_the_first_break(client, world, changes):
    tamper(changes.seq - 2, new="999")
    client.force_login(world.people.city_office)
    _verify_through_the_page(client)
    html = client.get(reverse("audit:list")).content.decode()
    assert '<strong class="error" id="chain-state">已被改动</strong>' in html
    assert f"首个断点:第{changes.seq - 2}号记录" in html and "修改单位" in html


def test_a_second_click_joins_the_running_verification(client, world, changes):
    client.force_login(world.people.admin)
    first = client.post(reverse("audit:verify"))
    second = client.post(reverse("audit:verify"))
    assert first["Location"] == second["Location"]
    assert Job.objects.filter(kind=VERIFY_JOB).count() == 1
    html = client.get(reverse("audit:list")).content.decode()
    assert "核验进行中" in html and "立即核验" not in html


def test_another_office_waits_for_the_running_verification_on_the_page(client, world, changes):
    client.force_login(world.people.admin)
    client.post(reverse("audit:verify"))
    client.force_login(world.people.city_office)
    assert client.post(reverse("audit:verify"))["Location"] == reverse("audit:list")
    assert Job.objects.filter(kind=VERIFY_JOB).count() == 1
    html = client.get(reverse("audit:list")).content.decode()
    assert "核验进行中,完成后刷新本页查看结果" in html


def test_only_offices_may_start_a_verification(client, world):
    client.force_login(world.people.filler)
    assert client.post(reverse("audit:verify")).status_code == 403
    assert not Job.objects.exists()


def test_a_job_left_behind_by_a_stopped_worker_does_not_block_the_button(client, world, changes):
    client.force_login(world.people.admin)
    client.post(reverse("audit:verify"))
    Job.objects.update(created_at=timezone.now() - timedelta(hours=7))
    html = client.get(reverse("audit:list")).content.decode()
    assert "立即核验" in html and "核验进行中" not in html
    client.post(reverse("audit:verify"))
    assert Job.objects.filter(kind=VERIFY_JOB).count() == 2


def test_the_job_page_links_back_to_the_page_the_job_was_started_from(client, world, changes):
    client.force_login(world.people.east_office)
    job = _verify_through_the_page(client)
    page = reverse("jobs:detail", args=[job.pk])
    # the browser follows the POST's redirect with the form's page as Referer
    html = client.get(page, HTTP_REFERER="http://testserver/audit/?action=unit.update").content
    assert b'<a id="job-back" href="/audit/?action=unit.update">' in html
    # another site, or no Referer: only the way home
    for referer in ("http://elsewhere.example/audit/", "javascript:alert(1)", ""):
        html = client.get(page, HTTP_REFERER=referer).content.decode()
        assert 'id="job-back"' not in html and "返回首页" in html
