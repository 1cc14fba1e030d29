"""An intake in the shape of Open311 GeoReport v2 for other systems (a 12345 hotline).

``GET services.json`` lists the categories of the key's region (``service_code`` = the
category's number); ``POST requests.json`` files a report — form-encoded as Open311 uses, or a
JSON body — through the same ``report_file`` as the public page; ``GET requests.json`` and
``GET requests/<service_request_id>.json`` answer the status and the public reply of the
system's own reports (``status_notes``), nothing of the office's. Every call carries the
system's ``api_key`` (made by a system administrator on ``/citizen/clients/``; only its hash is
kept). Errors are Open311's list of ``{"code", "description"}`` with a Chinese description.
"""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods
from pydantic import BaseModel, ConfigDict, Field

from wenming.citizen.access import reports_filed_by
from wenming.citizen.models import Channel, CitizenReport, ExternalClient
from wenming.citizen.selectors import PUBLIC_STATUS, public_categories, public_places
from wenming.citizen.services import (
    DESCRIPTION_MAX,
    PLACE_MAX,
    ReportInput,
    ReportRefused,
    client_for_key,
    report_file,
)
from wenming.core.json_input import JsonRefused, json_parse
from wenming.rectification.models import ProblemState
from wenming.web.json_body import json_body

BODY_MAX = 64 * 1024
LIST_MAX = 200


class Open311Request(BaseModel):
    """A service request as Open311 sends it; every text bounded."""

    model_config = ConfigDict(extra="ignore", str_strip_whitespace=True)

    api_key: str = Field(default="", max_length=100)
    service_code: str = Field(max_length=20)
    description: str = Field(default="", max_length=DESCRIPTION_MAX * 4)
    address_string: str = Field(default="", max_length=PLACE_MAX * 2)
    address_id: str = Field(default="", max_length=20)
    lat: Decimal | None = Field(default=None, ge=-90, le=90)
    long: Decimal | None = Field(default=None, ge=-180, le=180)
    first_name: str = Field(default="", max_length=25)
    last_name: str = Field(default="", max_length=25)
    phone: str = Field(default="", max_length=30)


class ListParams(BaseModel):
    model_config = ConfigDict(extra="ignore")

    service_request_id: str = Field(default="", max_length=20 * LIST_MAX)
    status: str = Field(default="", pattern="^(|open|closed)$")


def _error(status: int, description: str) -> JsonResponse:
    return JsonResponse(
        [{"code": status, "description": description}],
        status=status,
        safe=False,
        json_dumps_params={"ensure_ascii": False},
    )


def _ok(data: Any, status: int = 200) -> JsonResponse:
    return JsonResponse(data, status=status, safe=False, json_dumps_params={"ensure_ascii": False})


def _client(request: HttpRequest, key: str = "") -> ExternalClient | None:
    key = key or str(request.GET.get("api_key", "") or request.POST.get("api_key", ""))
    return client_for_key(key[:100]) if key else None


NO_KEY = "接入密钥无效或已停用"


@require_GET
def services(request: HttpRequest) -> HttpResponse:
    client = _client(request)
    if client is None:
        return _error(403, NO_KEY)
    return _ok(
        [
            {
                "service_code": str(c.pk),
                "service_name": c.name,
                "description": c.name,
                "metadata": False,
                "type": "realtime",
                "keywords": "",
                "group": client.region.name,
            }
            for c in public_categories(client.region)
        ]
    )


def _parse(request: HttpRequest) -> Open311Request:
    if request.content_type == "application/json":
        return json_body(request, Open311Request, max_bytes=BODY_MAX)
    fields = {key: request.POST.get(key, "") for key in Open311Request.model_fields}
    fields = {k: v for k, v in fields.items() if v != "" or k in ("api_key", "service_code")}
    # the same bounded validation as a JSON body, with the same Chinese messages
    return json_parse(json.dumps(fields).encode(), Open311Request, max_bytes=BODY_MAX)


def _row(report: CitizenReport) -> dict[str, Any]:
    """What the system may read of its report: the status and the public reply."""
    state = ProblemState(report.problem.state if report.problem else ProblemState.FOUND)
    return {
        "service_request_id": report.reference,
        "status": "closed" if state == ProblemState.CLOSED else "open",
        "status_notes": report.public_reply or PUBLIC_STATUS[state],
        "service_name": report.category.name,
        "service_code": str(report.category_id),
        "requested_datetime": report.created_at.isoformat(),
        "updated_datetime": (report.replied_at or report.created_at).isoformat(),
        "address": report.place_name,
    }


@csrf_exempt
@require_http_methods(["GET", "POST"])
def requests(request: HttpRequest) -> HttpResponse:
    if request.method == "GET":
        return _list(request)
    if int(request.META.get("CONTENT_LENGTH") or 0) > BODY_MAX:
        return _error(413, f"数据过大(上限{BODY_MAX // 1024}KB)")
    try:
        data = _parse(request)
    except JsonRefused as exc:
        return _error(400, str(exc))
    client = _client(request, data.api_key)
    if client is None:
        return _error(403, NO_KEY)
    category = public_categories(client.region).filter(pk=_number(data.service_code)).first()
    if category is None:
        return _error(400, f"服务编码“{data.service_code}”不可用")
    place = None
    if data.address_id:
        place = public_places(client.region).filter(pk=_number(data.address_id)).first()
        if place is None:
            return _error(400, f"地点编码“{data.address_id}”不可用")
    try:
        report = report_file(
            data=ReportInput(
                region=client.region,
                category=category,
                description=data.description,
                place=place,
                place_text=data.address_string,
                contact_name=f"{data.last_name}{data.first_name}"[:50],
                contact_phone=data.phone,
                latitude=data.lat.quantize(Decimal("0.000001")) if data.lat is not None else None,
                longitude=data.long.quantize(Decimal("0.000001"))
                if data.long is not None
                else None,
            ),
            channel=Channel.OPEN311,
            client=client,
        )
    except ReportRefused as exc:
        return _error(400, str(exc))
    return _ok(
        [{"service_request_id": report.reference, "service_notice": "", "account_id": None}],
        status=201,
    )


def _number(text: str) -> int:
    return int(text) if text.isdigit() and len(text) < 18 else 0


def _own(client: ExternalClient) -> Any:
    return reports_filed_by(client).select_related("category", "place", "problem")


def _list(request: HttpRequest) -> HttpResponse:
    client = _client(request)
    if client is None:
        return _error(403, NO_KEY)
    try:
        query = json_parse(
            json.dumps({k: request.GET.get(k, "") for k in ListParams.model_fields}).encode(),
            ListParams,
        )
    except JsonRefused as exc:
        return _error(400, str(exc))
    rows = _own(client)
    if query.service_request_id:
        wanted = [r.strip().upper() for r in query.service_request_id.split(",")][:LIST_MAX]
        rows = rows.filter(reference__in=wanted)
    if query.status == "closed":
        rows = rows.filter(problem__state="closed")
    elif query.status == "open":
        rows = rows.exclude(problem__state="closed")
    return _ok([_row(r) for r in rows[:LIST_MAX]])


@require_GET
def request_detail(request: HttpRequest, reference: str) -> HttpResponse:
    client = _client(request)
    if client is None:
        return _error(403, NO_KEY)
    report = _own(client).filter(reference=reference.upper()[:20]).first()
    if report is None:
        return _error(404, "未找到该受理编号")
    return _ok([_row(report)])
