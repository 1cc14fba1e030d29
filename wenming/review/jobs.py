"""The background check: fingerprint a report when it is submitted (or when asked) and check it.

Started by ``check_start`` (the review page's button) and, on commit of a submission, by the
``application_changed`` receiver registered in ``ReviewConfig.ready()``.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

from django.contrib.auth.models import User

from wenming.campaigns.models import Application, State, Transition
from wenming.campaigns.transitions import ApplicationChanged
from wenming.jobs.models import Job, JobStatus
from wenming.jobs.services import Progress, register_job, result_dir
from wenming.jobs.tasks import job_start
from wenming.review.access import application_for_review
from wenming.review.models import Check
from wenming.review.services import check_run

KIND = "review.check"


@register_job(KIND)
def check_job(job: Job, progress: Progress) -> Path:
    # asked again as the owner when the job runs (the application may have left their scope)
    application = application_for_review(job.owner, int(job.params["application"]))
    progress(0, 2, "正在读取并比对报告、汇报材料和指标说明")
    check = check_run(application=application)
    progress(2, 2, "完成")
    descriptor, target = tempfile.mkstemp(dir=result_dir(), suffix=".txt")
    with open(descriptor, "w", encoding="utf-8") as out:
        out.write(
            f"{application.unit.name}:共{check.chars}字,与来源相同{check.copied_chars}字,"
            f"占{check.rate:.1%};未填写的占位{check.placeholders}处\n"
        )
    Job.objects.filter(pk=job.pk).update(result_name=f"{application.unit.name}材料审查.txt")
    return Path(target)


def check_start(*, actor: User, application: Application) -> Job:
    return job_start(
        kind=KIND,
        label=f"材料审查:{application.unit.name}",
        owner=actor,
        unit=application.unit,
        params={"application": application.pk},
    )


def check_on_submit(changed: ApplicationChanged) -> None:
    """After a submission commits: check the report in the background, as the submitter."""
    application = (
        Application.objects.select_related("unit", "campaign")
        .filter(pk=changed.application_id, state=State.IN_REVIEW)
        .first()
    )
    if application is None or application.submitted_at is None:
        return
    last = Check.objects.filter(application=application).values_list("checked_at", flat=True)
    if last and last[0] >= application.submitted_at:
        return
    submitted = (
        Transition.objects.filter(application=application, action="submit")
        .select_related("actor")
        .order_by("-at")
        .first()
    )
    if submitted is None or submitted.actor is None:
        return
    if Job.objects.filter(
        kind=KIND,
        params__application=application.pk,
        status__in=[JobStatus.QUEUED, JobStatus.RUNNING],
    ).exists():
        return
    check_start(actor=submitted.actor, application=application)
