"""Jobs on a real queue: RQ on a real Redis, run by `wenming worker`; a job a killed worker
left behind is handed out again, a job delivered twice runs once."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path

import pytest
from django.contrib.auth.models import User
from django.db import connection
from django.utils import timezone

from wenming.audit.verify import VERIFY_JOB
from wenming.jobs.models import Job, JobStatus
from wenming.jobs.services import HANDLERS, MAX_ATTEMPTS, job_run, jobs_recover, result_dir

ROOT = Path(__file__).resolve().parent.parent.parent


def database_url() -> str:
    """The test database, for a worker in another process."""
    db = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{db['NAME']}"
    return f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}"


@pytest.mark.django_db(transaction=True)
def test_rq_worker_runs_lost_and_left_behind_jobs(redis_url, tmp_path):
    owner = User.objects.create_user("worker-test")
    past = timezone.now() - timedelta(seconds=1)
    # a job whose enqueue was lost (Redis was away when it was recorded) ...
    lost = Job.objects.create(kind=VERIFY_JOB, label="排队丢失", owner=owner, lease_until=past)
    # ... and what a worker killed in the middle of a job leaves: running, its lease run out
    left = Job.objects.create(
        kind=VERIFY_JOB,
        label="中断",
        owner=owner,
        status=JobStatus.RUNNING,
        attempts=1,
        lease_until=past,
    )
    env = {k: v for k, v in os.environ.items() if not k.startswith(("WENMING_", "DATABASE_URL"))}
    env |= {
        "DATABASE_URL": database_url(),
        "WENMING_DATA_DIR": str(tmp_path),
        "WENMING_REDIS_URL": redis_url,
        "WENMING_RECOVER_EVERY": "0.3",
        "DJANGO_SETTINGS_MODULE": "wenming.settings",
    }
    worker = subprocess.Popen(
        [sys.executable, "-m", "wenming.cli", "worker"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    try:
        for _ in range(150):
            states = list(Job.objects.order_by("pk").values_list("status", "attempts"))
            if states == [(JobStatus.DONE, 1), (JobStatus.DONE, 2)]:
                break
            time.sleep(0.2)
    finally:
        worker.terminate()
        output = worker.communicate(timeout=20)[0].decode(errors="replace")
    assert states == [(JobStatus.DONE, 1), (JobStatus.DONE, 2)], output
    assert "RQ" in output  # the RQ worker ran them, not the database queue
    for job in (lost, left):
        assert (tmp_path / "media" / "jobs" / f"{job.pk}.bin").read_text(encoding="utf-8")


@pytest.fixture
def counted_kind():
    runs: list[int] = []

    def build(job, progress):
        runs.append(job.pk)
        path = result_dir() / f"counted-{job.pk}.txt"
        path.write_text("ok", encoding="utf-8")
        return path

    HANDLERS["counted"] = build
    yield runs
    del HANDLERS["counted"]


def test_a_job_delivered_twice_runs_once(world, counted_kind, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    job = Job.objects.create(kind="counted", label="一次", owner=world.people.admin)
    job_run(job.pk)
    job_run(job.pk)
    job.refresh_from_db()
    assert counted_kind == [job.pk] and job.status == JobStatus.DONE and job.attempts == 1


def test_a_job_under_another_workers_lease_is_left_alone(world, counted_kind):
    job = Job.objects.create(
        kind="counted",
        label="别的进程在做",
        owner=world.people.admin,
        status=JobStatus.RUNNING,
        attempts=1,
        lease_until=timezone.now() + timedelta(minutes=1),
    )
    job_run(job.pk)
    assert counted_kind == [] and jobs_recover(lambda pk: None) == (0, 0)


def test_recovery_enqueues_stale_jobs_and_gives_up_after_the_last_attempt(world):
    past = timezone.now() - timedelta(seconds=1)
    owner = world.people.admin
    stale = Job.objects.create(
        kind="x", label="中断", owner=owner, status=JobStatus.RUNNING, attempts=1, lease_until=past
    )
    lost = Job.objects.create(kind="x", label="排队丢失", owner=owner)
    Job.objects.filter(pk=lost.pk).update(created_at=past - timedelta(hours=1))
    worn = Job.objects.create(
        kind="x",
        label="多次中断",
        owner=owner,
        status=JobStatus.RUNNING,
        attempts=MAX_ATTEMPTS,
        lease_until=past,
    )
    enqueued: list[int] = []
    assert jobs_recover(enqueued.append) == (2, 1)
    assert sorted(enqueued) == sorted([stale.pk, lost.pk])
    worn.refresh_from_db()
    assert worn.status == JobStatus.FAILED and "多次中断" in worn.message
    assert jobs_recover(enqueued.append) == (1, 0)  # the queued one waits its grace again
