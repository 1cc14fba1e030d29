from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from wenming.frameworks.selectors import framework_edition_list


@login_required
def home(request: HttpRequest) -> HttpResponse:
    return render(request, "web/home.html", {"editions": framework_edition_list()[:20]})
