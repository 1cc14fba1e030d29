"""Open311 GeoReport v2 intake for other systems (a 12345 hotline), under ``/api/v1/open311/``.

A system calls with a service token of this API holding 问题整改 (``problems``): read for the
reads, read and write for filing. The token is sent as Open311's ``api_key`` parameter (query
string, form field, or a field of a JSON body) or as the usual ``Authorization: Bearer``
header, with the token's rate limit and an audit event per call like every other operation.

``GET services.json`` lists the categories of the token's region (``service_code`` = the
category's number); ``POST requests.json`` files a report — form-encoded as Open311 sends it,
or a JSON body up to 64 KB — through the same ``report_file`` as the public page (which makes
the problem through ``problem_create(public_intake=True)``); ``GET requests.json`` and
``GET requests/{service_request_id}.json`` answer the status and the public reply of the
system's own reports (``status_notes``), nothing of the office's. Errors are Open311's list of
``{"code", "description"}`` with a Chinese description (see ``core._error``).
"""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any

from django.http import HttpRequest
from ninja import Field, Query, Router, Schema, Status
from pydantic import BaseModel, ConfigDict

from wenming.api.core import OPEN311, ApiProblem, Open311Key, TokenAuth
from wenming.api.models import ApiToken, TokenKind
from wenming.citizen.access import reports_filed_by
from wenming.citizen.models import Channel, CitizenReport, ExternalClient
from wenming.citizen.selectors import PUBLIC_STATUS, public_categories, public_places
from wenming.citizen.services import (
    DESCRIPTION_MAX,
    PLACE_MAX,
    ReportInput,
    ReportRefused,
    client_for_account,
    report_file,
)
from wenming.core.json_input import JsonRefused, json_parse
from wenming.rectification.models import ProblemState
from wenming.web.json_body import json_body

BODY_MAX = 64 * 1024
LIST_MAX = 200

router = Router(tags=["Open311 接入"], auth=[Open311Key("problems"), TokenAuth("problems")])


class Open311Error(Schema):
    code: int
    description: str


ERRORS: dict[int | str, Any] = {code: list[Open311Error] for code in (400, 401, 403, 404, 413, 429)}


class Open311Request(BaseModel):
    """A service request as Open311 sends it; every text bounded."""

    model_config = ConfigDict(extra="ignore", str_strip_whitespace=True)

    api_key: str = Field(default="", max_length=100, description="服务令牌(也可放在请求头)")
    service_code: str = Field(max_length=20, description="类别编码(services.json 中的)")
    description: str = Field(default="", max_length=DESCRIPTION_MAX * 4)
    address_string: str = Field(default="", max_length=PLACE_MAX * 2)
    address_id: str = Field(default="", max_length=20, description="已登记地点的编码")
    lat: Decimal | None = Field(default=None, ge=-90, le=90)
    long: Decimal | None = Field(default=None, ge=-180, le=180)
    first_name: str = Field(default="", max_length=25)
    last_name: str = Field(default="", max_length=25)
    phone: str = Field(default="", max_length=30)


class ServiceOut(Schema):
    service_code: str
    service_name: str
    description: str
    metadata: bool
    type: str
    keywords: str
    group: str


class CreatedOut(Schema):
    service_request_id: str
    service_notice: str
    account_id: None


class RequestOut(Schema):
    service_request_id: str
    status: str
    status_notes: str
    service_name: str
    service_code: str
    requested_datetime: str
    updated_datetime: str
    address: str


class ListQuery(Schema):
    service_request_id: str = Field(
        default="", max_length=20 * LIST_MAX, description="受理编号,多个以逗号分隔"
    )
    status: str = Field(default="", pattern="^(|open|closed)$", description="open 或 closed")


def _client(request: HttpRequest) -> ExternalClient:
    """The system calling: a service token's account, its record made on the first call."""
    token: ApiToken | None = getattr(request, "api_token", None)
    if token is None or token.kind != TokenKind.SERVICE:
        raise ApiProblem(403, "forbidden", "外部系统须使用服务令牌接入")
    client = client_for_account(
        account=token.user, name=token.name, created_by_id=token.created_by_id
    )
    if client is None:
        raise ApiProblem(403, "forbidden", "该外部系统的接入已停用")
    return client


@router.get(
    "/open311/services.json",
    response={200: list[ServiceOut], **ERRORS},
    summary="Open311:可受理的类别",
    url_name=f"{OPEN311}services",
)
def services(request: HttpRequest) -> list[dict[str, Any]]:
    client = _client(request)
    return [
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


def _parse(request: HttpRequest) -> Open311Request:
    if request.content_type == "application/json":
        return json_body(request, Open311Request, max_bytes=BODY_MAX)
    fields = {key: request.POST.get(key, "") for key in Open311Request.model_fields}
    fields = {k: v for k, v in fields.items() if v != "" or k in ("api_key", "service_code")}
    # the same bounded validation as a JSON body, with the same Chinese messages
    return json_parse(json.dumps(fields).encode(), Open311Request, max_bytes=BODY_MAX)


def _number(text: str) -> int:
    return int(text) if text.isdigit() and len(text) < 18 else 0


def _bad(message: str) -> ApiProblem:
    return ApiProblem(400, "invalid", message)


FORM_BODY = {
    "requestBody": {
        "content": {
            media: {"schema": Open311Request.model_json_schema()}
            for media in ("application/x-www-form-urlencoded", "application/json")
        }
    }
}


@router.post(
    "/open311/requests.json",
    response={201: list[CreatedOut], **ERRORS},
    summary="Open311:提交群众反映",
    url_name=f"{OPEN311}requests",
    openapi_extra=FORM_BODY,
)
def request_create(request: HttpRequest) -> Status[list[dict[str, Any]]]:
    if int(request.META.get("CONTENT_LENGTH") or 0) > BODY_MAX:
        raise ApiProblem(413, "too_large", f"数据过大(上限{BODY_MAX // 1024}KB)")
    try:
        data = _parse(request)
    except JsonRefused as exc:
        raise _bad(str(exc)) from None
    client = _client(request)
    category = public_categories(client.region).filter(pk=_number(data.service_code)).first()
    if category is None:
        raise _bad(f"服务编码“{data.service_code}”不可用")
    place = None
    if data.address_id:
        place = public_places(client.region).filter(pk=_number(data.address_id)).first()
        if place is None:
            raise _bad(f"地点编码“{data.address_id}”不可用")
    six = Decimal("0.000001")
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
                latitude=data.lat.quantize(six) if data.lat is not None else None,
                longitude=data.long.quantize(six) if data.long is not None else None,
            ),
            channel=Channel.OPEN311,
            client=client,
        )
    except ReportRefused as exc:
        raise _bad(str(exc)) from None
    created = {"service_request_id": report.reference, "service_notice": "", "account_id": None}
    return Status(201, [created])


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


def _own(client: ExternalClient) -> Any:
    return reports_filed_by(client).select_related("category", "place", "problem")


@router.get(
    "/open311/requests.json",
    response={200: list[RequestOut], **ERRORS},
    summary="Open311:本系统提交的反映(状态与公开答复)",
    url_name=f"{OPEN311}requests",
)
def request_list(request: HttpRequest, q: Query[ListQuery]) -> list[dict[str, Any]]:
    rows = _own(_client(request))
    if q.service_request_id:
        wanted = [r.strip().upper() for r in q.service_request_id.split(",")][:LIST_MAX]
        rows = rows.filter(reference__in=wanted)
    if q.status == "closed":
        rows = rows.filter(problem__state=ProblemState.CLOSED)
    elif q.status == "open":
        rows = rows.exclude(problem__state=ProblemState.CLOSED)
    return [_row(r) for r in rows[:LIST_MAX]]


@router.get(
    "/open311/requests/{service_request_id}.json",
    response={200: list[RequestOut], **ERRORS},
    summary="Open311:一条反映的状态与公开答复",
    url_name=f"{OPEN311}request",
)
def request_detail(request: HttpRequest, service_request_id: str) -> list[dict[str, Any]]:
    report = _own(_client(request)).filter(reference=service_request_id.upper()[:20]).first()
    if report is None:
        raise ApiProblem(404, "not_found", "未找到该受理编号")
    return [_row(report)]
