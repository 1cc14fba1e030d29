"""The public pages (no login, phone first): file a report in a region, look one up by its
reference number. Every POST is limited per address and per device."""

from __future__ import annotations

from urllib.parse import urlencode

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse

from wenming.accounts.throttle import device_cookie_ensure, public_post_limited, too_many
from wenming.citizen.forms import LookupForm, ReportForm
from wenming.citizen.photos import Photo, PhotoRefused, photo_read
from wenming.citizen.selectors import (
    public_categories,
    public_places,
    public_regions,
    public_status,
)
from wenming.citizen.services import ReportInput, ReportRefused, report_file
from wenming.organizations.models import Region
from wenming.web.params import params


def _region(pk: int) -> Region:
    region = public_regions().filter(pk=pk).first()
    if region is None:
        raise Http404("该地区暂不受理随手拍")
    return region


def report_home(request: HttpRequest) -> HttpResponse:
    """Pick the region (offices print a region's own link as a QR code) or look a report up."""
    response = render(
        request,
        "citizen/public_home.html",
        {"regions": public_regions(), "lookup": LookupForm()},
    )
    return device_cookie_ensure(request, response)


def report_new(request: HttpRequest, region: int) -> HttpResponse:
    """The phone page: category, description, up to 3 photos, place, optional contact."""
    return device_cookie_ensure(request, _report_new(request, _region(region)))


def _report_new(request: HttpRequest, region: Region) -> HttpResponse:
    categories, places = public_categories(region), public_places(region)
    form = ReportForm(categories=categories, places=places)
    if request.method == "POST":
        usage = public_post_limited(request)
        if usage.limited:
            return too_many(request, usage)
        form = ReportForm(request.POST, request.FILES, categories=categories, places=places)
        if form.is_valid():
            f = form.cleaned_data
            try:
                photos: list[Photo] = [photo_read(p.name, p) for p in f["photos"]]
                report = report_file(
                    data=ReportInput(
                        region=region,
                        category=f["category"],
                        description=f["description"],
                        place=f["place"],
                        place_text=f["place_text"],
                        contact_name=f["contact_name"],
                        contact_phone=f["contact_phone"],
                        photos=photos,
                    )
                )
            except PhotoRefused as exc:
                form.add_error("photos", str(exc))
            except ReportRefused as exc:
                form.add_error(None, str(exc))
            else:
                query = urlencode({"reference": report.reference, "new": "1"})
                return redirect(f"{reverse('report:lookup')}?{query}")
    return render(
        request,
        "citizen/public_new.html",
        {"region": region, "form": form, "categories": categories, "places": places},
    )


def report_lookup(request: HttpRequest) -> HttpResponse:
    """Status and public reply of one report, by its reference number; nothing else."""
    reference = params(request.GET, LookupForm)["reference"].strip()
    # not counted against the address: a GET only reads (tests/test_get_reads_only.py); the
    # reference's six random characters a day (32⁶ ≈ 10⁹) are what keeps others' reports unseen
    found = public_status(reference) if reference else None
    response = render(
        request,
        "citizen/public_lookup.html",
        {
            "lookup": LookupForm(initial={"reference": reference}),
            "reference": reference,
            "found": found,
            "new": request.GET.get("new") == "1" and found is not None,
        },
    )
    return device_cookie_ensure(request, response)
