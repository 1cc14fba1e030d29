from __future__ import annotations

import mimetypes

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import render

from wenming.jobs.access import job_get_for_user
from wenming.jobs.models import Job, JobStatus
from wenming.jobs.services import job_result_name
from wenming.web.downloads import stored_download
from wenming.web.params import came_from


def _own_job(request: HttpRequest, pk: int) -> Job:
    return job_get_for_user(request.user, pk)


@login_required
def job_detail(request: HttpRequest, pk: int) -> HttpResponse:
    job = _own_job(request, pk)
    if request.headers.get("HX-Request"):
        return render(request, "jobs/_progress.html", {"job": job})
    return render(request, "jobs/detail.html", {"job": job, "back": came_from(request)})


@login_required
def job_download(request: HttpRequest, pk: int) -> HttpResponseBase:
    job = _own_job(request, pk)
    if job.status != JobStatus.DONE:
        raise Http404("结果尚未生成")
    filename = job.result_name or f"{job.label}.zip"
    content_type = mimetypes.guess_type(filename)[0] or "application/octet-stream"
    return stored_download(job_result_name(job), filename=filename, content_type=content_type)
