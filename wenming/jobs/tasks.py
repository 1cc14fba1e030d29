"""The worker's entry (django-tasks) and job_start(), which hands a recorded job to it. Above
jobs.services (the registry of handlers and the runner), which never calls back up."""

from __future__ import annotations

from django.contrib.auth.models import User
from django.db import transaction
from django_tasks import task

from wenming.jobs.models import Job
from wenming.jobs.services import job_run
from wenming.organizations.models import Unit


@task()
def run_job(job_id: int) -> None:
    job_run(job_id)


def job_start(
    *,
    kind: str,
    label: str,
    owner: User,
    unit: Unit | None = None,
    params: dict[str, object] | None = None,
) -> Job:
    """Record the job and hand it to the worker once the surrounding transaction commits."""
    job = Job.objects.create(kind=kind, label=label, owner=owner, unit=unit, params=params or {})
    transaction.on_commit(lambda: run_job.enqueue(job.pk))
    return job
