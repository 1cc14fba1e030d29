from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import render

from wenming.jobs.access import job_get_for_user
from wenming.jobs.models import Job, JobStatus
from wenming.jobs.services import result_path


def _own_job(request: HttpRequest, pk: int) -> Job:
    return job_get_for_user(request.user, pk)


@login_required
def job_detail(request: HttpRequest, pk: int) -> HttpResponse:
    job = _own_job(request, pk)
    template = "jobs/_progress.html" if request.headers.get("HX-Request") else "jobs/detail.html"
    return render(request, template, {"job": job})


@login_required
def job_download(request: HttpRequest, pk: int) -> FileResponse:
    job = _own_job(request, pk)
    path = result_path(job)
    if job.status != JobStatus.DONE or not path.exists():
        raise Http404("结果尚未生成")
    return FileResponse(
        path.open("rb"), as_attachment=True, filename=job.result_name or f"{job.label}.zip"
    )
