"""Every URL of the product, walked with every role: the exact pages and units each may see.

A new URL must be added to EXPECTED, or test_every_url_is_covered fails.
"""

from __future__ import annotations

import io
import re
from collections.abc import Callable
from datetime import date
from typing import Any

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from tests.assessments.conftest import standard  # noqa: F401
from wenming.assessments.services import self_assessment_start
from wenming.imports.models import ImportBatch

ROLES = [
    "anonymous",
    "admin",
    "city_office",
    "east_office",
    "supervisor",
    "head",
    "unit_admin",
    "filler",
    "other_filler",
    "expert",
]
EVERYONE = set(ROLES) - {"anonymous"}
OFFICES = {"admin", "city_office", "east_office"}
SEE_S1 = {"admin", "city_office", "east_office", "supervisor", "head", "unit_admin", "filler"}
SEE_OTHER = {"admin", "city_office", "other_filler"}
ALL_UNITS = {"江东区教育局", "江东区第一小学", "江东区实验中学", "江西区人民医院"}
VISIBLE_UNITS = {
    "admin": ALL_UNITS,
    "city_office": ALL_UNITS,
    "east_office": ALL_UNITS - {"江西区人民医院"},
    "supervisor": {"江东区第一小学", "江东区实验中学"},
    "head": {"江东区第一小学"},
    "unit_admin": {"江东区第一小学"},
    "filler": {"江东区第一小学"},
    "other_filler": {"江西区人民医院"},
    "expert": set(),
}


def assignment_url(name: str) -> Callable[[Any], str]:
    """The URL of the named view for the walk's on-site assignment."""
    return lambda o: reverse(name, args=[o.assignment.pk])


def mapping_url(name: str) -> Callable[[Any], str]:
    """The named editions-map view for the walk's edition and a next edition (made once)."""

    def build(o: Any) -> str:
        if not hasattr(o, "next_edition"):
            from wenming.frameworks.selectors import framework_of
            from wenming.frameworks.services import framework_import

            current = o.assessment.edition
            nxt = framework_of(current).model_copy(update={"edition": "2027"})
            o.next_edition = framework_import(framework=nxt)[0]
        return reverse(name) + f"?old={o.assessment.edition_id}&new={o.next_edition.pk}"

    return build


# name → (how to build the URL, which roles get 200 on GET, status for the others, POST-only?)
EXPECTED: dict[str, tuple[Callable[[Any], str], set[str], int | None, bool]] = {
    "home": (lambda o: reverse("home"), EVERYONE, None, False),
    "login": (lambda o: reverse("login"), set(ROLES), None, False),
    "logout": (lambda o: reverse("logout"), set(), 405, True),
    "password_change": (lambda o: reverse("password_change"), EVERYONE, None, False),
    "accounts:list": (lambda o: reverse("accounts:list"), OFFICES, 403, False),
    "audit:list": (lambda o: reverse("audit:list"), OFFICES, 403, False),
    "audit:verify": (lambda o: reverse("audit:verify"), set(), 405, True),
    "accounts:bulk_create": (lambda o: reverse("accounts:bulk_create"), set(), 405, True),
    "accounts:reset": (
        lambda o: reverse("accounts:reset", args=[o.people.filler.pk]),
        set(),
        405,
        True,
    ),
    "accounts:throttles": (lambda o: reverse("accounts:throttles"), OFFICES, 403, False),
    "accounts:throttle_clear": (
        lambda o: reverse("accounts:throttle_clear", args=[o.throttle.pk]),
        set(),
        405,
        True,
    ),
    "accounts:allowance_new": (lambda o: reverse("accounts:allowance_new"), {"admin"}, 403, False),
    "accounts:directory_rules": (
        lambda o: reverse("accounts:directory_rules"),
        {"admin"},
        403,
        False,
    ),
    "accounts:directory_rule_remove": (
        lambda o: reverse("accounts:directory_rule_remove", args=[o.rule.pk]),
        set(),
        405,
        True,
    ),
    # everyone in the walk holds a role: the page sends them home
    "accounts:no_role": (lambda o: reverse("accounts:no_role"), set(), 302, False),
    # single sign-on is not configured in the walk: both ends answer 404, to everyone
    "accounts:oidc_start": (lambda o: reverse("accounts:oidc_start"), set(), 404, False),
    "accounts:oidc_callback": (lambda o: reverse("accounts:oidc_callback"), set(), 404, False),
    "accounts:allowance_remove": (
        lambda o: reverse("accounts:allowance_remove", args=[o.allowance.pk]),
        set(),
        405,
        True,
    ),
    "frameworks:list": (lambda o: reverse("frameworks:list"), EVERYONE, None, False),
    "frameworks:detail": (
        lambda o: reverse("frameworks:detail", args=["school-standard", "2026"]),
        EVERYONE,
        None,
        False,
    ),
    "frameworks:export": (
        lambda o: reverse("frameworks:export", args=["school-standard", "2026", "xlsx"]),
        EVERYONE,
        None,
        False,
    ),
    "units:list": (lambda o: reverse("units:list"), EVERYONE, None, False),
    "units:detail": (lambda o: reverse("units:detail", args=[o.other.pk]), SEE_OTHER, 404, False),
    "imports:upload": (lambda o: reverse("imports:upload", args=["units"]), OFFICES, 403, False),
    "imports:export": (lambda o: reverse("imports:export", args=["units"]), OFFICES, 403, False),
    "imports:preview": (
        lambda o: reverse("imports:preview", args=[o.batch.pk]),
        {"east_office"},
        404,
        False,
    ),
    "imports:commit": (lambda o: reverse("imports:commit", args=[o.batch.pk]), set(), 405, True),
    "assessments:list": (lambda o: reverse("assessments:list"), EVERYONE, None, False),
    "assessments:start": (lambda o: reverse("assessments:start"), set(), 405, True),
    "assessments:detail": (
        lambda o: reverse("assessments:detail", args=[o.assessment.pk]),
        SEE_S1,
        404,
        False,
    ),
    "assessments:results": (
        lambda o: reverse("assessments:results", args=[o.assessment.pk]),
        SEE_S1,
        404,
        False,
    ),
    "assessments:entry": (
        lambda o: reverse("assessments:entry", args=[o.assessment.pk, "A1.6"]),
        set(),
        405,
        True,
    ),
    "assessments:submit": (
        lambda o: reverse("assessments:submit", args=[o.assessment.pk]),
        set(),
        405,
        True,
    ),
    "assessments:return": (
        lambda o: reverse("assessments:return", args=[o.assessment.pk]),
        set(),
        405,
        True,
    ),
    "files:download": (
        lambda o: reverse("files:download", args=[o.attachment.pk]),
        SEE_S1,
        404,
        False,
    ),
    "files:thumb": (lambda o: reverse("files:thumb", args=[o.attachment.pk]), SEE_S1, 404, False),
    "jobs:detail": (lambda o: reverse("jobs:detail", args=[o.job.pk]), {"filler"}, 404, False),
    "jobs:download": (lambda o: reverse("jobs:download", args=[o.job.pk]), {"filler"}, 404, False),
    "ledger:list": (lambda o: reverse("ledger:list") + f"?unit={o.s1.pk}", SEE_S1, 404, False),
    "ledger:new": (
        lambda o: reverse("ledger:new") + f"?unit={o.s1.pk}",
        {"admin", "unit_admin", "filler"},
        404,
        False,
    ),
    "ledger:detail": (lambda o: reverse("ledger:detail", args=[o.activity.pk]), SEE_S1, 404, False),
    "ledger:delete": (lambda o: reverse("ledger:delete", args=[o.activity.pk]), set(), 405, True),
    "ledger:evidence": (
        lambda o: reverse("ledger:evidence") + f"?unit={o.s1.pk}",
        SEE_S1,
        404,
        False,
    ),
    "ledger:quotas": (lambda o: reverse("ledger:quotas") + f"?unit={o.s1.pk}", SEE_S1, 404, False),
    "ledger:binder": (lambda o: reverse("ledger:binder"), set(), 405, True),
    "ledger:edit": (
        lambda o: reverse("ledger:edit", args=[o.activity.pk]),
        {"unit_admin", "filler"},
        404,
        False,
    ),
    "ledger:assignments": (
        lambda o: reverse("ledger:assignments") + f"?unit={o.s1.pk}",
        SEE_S1,
        404,
        False,
    ),
    "ledger:my_tasks": (lambda o: reverse("ledger:my_tasks"), EVERYONE, None, False),
    "ledger:assignment_done": (
        lambda o: reverse("ledger:assignment_done", args=[1]),
        set(),
        405,
        True,
    ),
    "todo": (lambda o: reverse("todo"), EVERYONE, None, False),
    "notices:list": (lambda o: reverse("notices:list"), EVERYONE, None, False),
    "notices:detail": (
        lambda o: reverse("notices:detail", args=[o.notice.pk]),
        {"head"},
        404,
        False,
    ),
    "notices:reply": (lambda o: reverse("notices:reply", args=[o.notice.pk]), set(), 405, True),
    "balance:index": (lambda o: reverse("balance:index"), OFFICES, 403, False),
    "balance:export": (lambda o: reverse("balance:export"), OFFICES, 403, False),
    "balance:thresholds": (lambda o: reverse("balance:thresholds"), OFFICES, 403, False),
    "documents:report": (
        lambda o: reverse("documents:report") + f"?unit={o.s1.pk}",
        SEE_S1,
        404,
        False,
    ),
    "documents:report_generate": (
        lambda o: reverse("documents:report_generate"),
        set(),
        405,
        True,
    ),
    "documents:report_regenerate": (
        lambda o: reverse("documents:report_regenerate") + f"?unit={o.s1.pk}",
        set(),
        404,
        False,
    ),
    "documents:report_export": (
        lambda o: reverse("documents:report_export") + f"?unit={o.s1.pk}",
        SEE_S1,
        404,
        False,
    ),
    "documents:section_save": (
        lambda o: reverse("documents:section_save", args=[1]),
        set(),
        405,
        True,
    ),
    "documents:batch": (lambda o: reverse("documents:batch"), OFFICES, 403, False),
    "documents:templates": (lambda o: reverse("documents:templates"), {"admin"}, 403, False),
    "documents:template_download": (
        lambda o: reverse("documents:template_download", args=["bulletin"]),
        {"admin"},
        403,
        False,
    ),
    "documents:bulletin_sample": (
        lambda o: reverse("documents:bulletin_sample"),
        {"admin"},
        403,
        False,
    ),
    "rectification:list": (lambda o: reverse("rectification:list"), EVERYONE, None, False),
    "rectification:new": (
        lambda o: reverse("rectification:new"),
        EVERYONE - {"expert"},
        403,
        False,
    ),
    "rectification:detail": (
        lambda o: reverse("rectification:detail", args=[o.problem.pk]),
        SEE_S1,
        404,
        False,
    ),
    "rectification:act": (
        lambda o: reverse("rectification:act", args=[o.problem.pk, "accept"]),
        set(),
        405,
        True,
    ),
    "rectification:overview": (lambda o: reverse("rectification:overview"), OFFICES, 403, False),
    "rectification:overview_export": (
        lambda o: reverse("rectification:overview_export"),
        OFFICES,
        403,
        False,
    ),
    "rectification:notices": (lambda o: reverse("rectification:notices"), EVERYONE, None, False),
    "rectification:notice": (
        lambda o: reverse("rectification:notice", args=[o.supervision.pk]),
        SEE_S1,
        404,
        False,
    ),
    "rectification:plan": (
        lambda o: reverse("rectification:plan", args=[o.plan.pk]),
        SEE_S1,
        404,
        False,
    ),
    "rectification:from_assessment": (
        lambda o: reverse("rectification:from_assessment", args=[o.assessment.pk]),
        set(),
        405,
        True,
    ),
    "frameworks:upload": (lambda o: reverse("frameworks:upload"), OFFICES, 403, False),
    "dashboards:index": (
        lambda o: reverse("dashboards:index"),
        OFFICES | {"supervisor"},
        403,
        False,
    ),
    "dashboards:export": (
        lambda o: reverse("dashboards:export", args=["ranking"]),
        OFFICES | {"supervisor"},
        403,
        False,
    ),
    "campaigns:list": (lambda o: reverse("campaigns:list"), EVERYONE, None, False),
    "edition_mapping": (mapping_url("edition_mapping"), EVERYONE, None, False),
    "edition_mapping_export": (mapping_url("edition_mapping_export"), OFFICES, 403, False),
    "campaigns:new": (lambda o: reverse("campaigns:new"), OFFICES, 403, False),
    "campaigns:settings_import": (
        lambda o: reverse("campaigns:settings_import"),
        {"admin"},
        403,
        False,
    ),
    "campaigns:settings_export": (
        lambda o: reverse("campaigns:settings_export", args=[o.campaign.pk]),
        {"admin"},
        403,
        False,
    ),
    "campaigns:detail": (
        lambda o: reverse("campaigns:detail", args=[o.campaign.pk]),
        SEE_S1,
        404,
        False,
    ),
    "campaigns:edit": (
        lambda o: reverse("campaigns:edit", args=[o.campaign.pk]),
        OFFICES,
        403,
        False,
    ),
    "campaigns:action": (
        lambda o: reverse("campaigns:action", args=[o.campaign.pk]),
        set(),
        405,
        True,
    ),
    "campaigns:applications": (
        lambda o: reverse("campaigns:applications", args=[o.campaign.pk]),
        SEE_S1,
        404,
        False,
    ),
    "campaigns:apply": (
        lambda o: reverse("campaigns:apply", args=[o.campaign.pk]),
        {"head", "unit_admin", "filler"},
        403,
        False,
    ),
    "campaigns:objections": (
        lambda o: reverse("campaigns:objections", args=[o.campaign.pk]),
        OFFICES,
        403,
        False,
    ),
    "campaigns:public": (
        lambda o: reverse("campaigns:public", args=[o.campaign.pk]),
        set(ROLES),
        None,
        False,
    ),
    "campaigns:application": (
        lambda o: reverse("campaigns:application", args=[o.application.pk]),
        SEE_S1,
        404,
        False,
    ),
    "review:application": (
        lambda o: reverse("review:application", args=[o.application.pk]),
        SEE_S1,
        404,
        False,
    ),
    "review:check": (
        lambda o: reverse("review:check", args=[o.application.pk]),
        set(),
        405,
        True,
    ),
    "review:verdict": (
        lambda o: reverse("review:verdict", args=[o.application.pk]),
        set(),
        405,
        True,
    ),
    "review:file_upload": (
        lambda o: reverse("review:file_upload", args=[o.application.pk]),
        set(),
        405,
        True,
    ),
    "review:file_download": (
        lambda o: reverse("review:file_download", args=[o.application.pk, o.report_txt.pk]),
        SEE_S1,
        404,
        False,
    ),
    "review:file_remove": (
        lambda o: reverse("review:file_remove", args=[o.application.pk]),
        set(),
        405,
        True,
    ),
    "review:campaign": (
        lambda o: reverse("review:campaign", args=[o.campaign.pk]),
        OFFICES,
        404,
        False,
    ),
    "review:library": (lambda o: reverse("review:library"), OFFICES, 403, False),
    "review:library_remove": (lambda o: reverse("review:library_remove"), set(), 405, True),
    "campaigns:application_action": (
        lambda o: reverse("campaigns:application_action", args=[o.application.pk]),
        set(),
        405,
        True,
    ),
    "campaigns:score_sheet": (
        lambda o: reverse("campaigns:score_sheet", args=[o.application.pk]),
        {"admin", "east_office"},
        403,
        False,
    ),
    "report:home": (lambda o: reverse("report:home"), set(ROLES), None, False),
    "report:lookup": (
        lambda o: reverse("report:lookup") + f"?reference={o.report.reference}",
        set(ROLES),
        None,
        False,
    ),
    "report:new": (lambda o: reverse("report:new", args=[o.east.pk]), set(ROLES), None, False),
    "citizen:list": (lambda o: reverse("citizen:list"), OFFICES, 403, False),
    "citizen:detail": (
        lambda o: reverse("citizen:detail", args=[o.report.pk]),
        OFFICES,
        403,
        False,
    ),
    "citizen:reply": (
        lambda o: reverse("citizen:reply", args=[o.report.pk]),
        set(),
        405,
        True,
    ),
    "citizen:duplicate": (
        lambda o: reverse("citizen:duplicate", args=[o.report.pk]),
        set(),
        405,
        True,
    ),
    "citizen:categories": (lambda o: reverse("citizen:categories"), OFFICES, 403, False),
    "citizen:places": (lambda o: reverse("citizen:places"), OFFICES, 403, False),
    "citizen:clients": (lambda o: reverse("citizen:clients"), {"admin"}, 403, False),
    "citizen:client_revoke": (lambda o: reverse("citizen:client_revoke"), set(), 405, True),
    # the Open311 intake moved into the API: former callers are sent on (308)
    "open311_moved": (
        lambda o: reverse("open311_moved", args=["services.json"]),
        set(),
        308,
        False,
    ),
    "campaigns:public_export": (
        lambda o: reverse("campaigns:public_export", args=[o.campaign.pk]),
        set(ROLES),
        None,
        False,
    ),
    "campaigns:public_pdf": (
        lambda o: reverse("campaigns:public_pdf", args=[o.campaign.pk]),
        set(ROLES),
        None,
        False,
    ),
    "campaigns:targets": (
        lambda o: reverse("campaigns:targets", args=[o.campaign.pk]),
        OFFICES,
        403,
        False,
    ),
    "campaigns:results": (
        lambda o: reverse("campaigns:results", args=[o.campaign.pk]),
        OFFICES | {"supervisor"},
        403,
        False,
    ),
    "campaigns:results_export": (
        lambda o: reverse("campaigns:results_export", args=[o.campaign.pk]),
        OFFICES | {"supervisor"},
        403,
        False,
    ),
    "campaigns:reward_new": (
        lambda o: reverse("campaigns:reward_new", args=[o.campaign.pk]),
        set(),
        405,
        True,
    ),
    "documents:campaign_bulletin": (
        lambda o: reverse("documents:campaign_bulletin", args=[o.campaign.pk, "docx"]),
        OFFICES,
        403,
        False,
    ),
    "documents:campaign_publicity": (
        lambda o: reverse("documents:campaign_publicity", args=[o.campaign.pk, "docx"]),
        OFFICES,
        403,
        False,
    ),
    "documents:campaign_ranking": (
        lambda o: reverse("documents:campaign_ranking", args=[o.campaign.pk]),
        OFFICES,
        403,
        False,
    ),
    "documents:campaign_batch": (
        lambda o: reverse("documents:campaign_batch", args=[o.campaign.pk]),
        set(),
        405,
        True,
    ),
    "workdays:calendar": (lambda o: reverse("workdays:calendar"), EVERYONE, None, False),
    "titles:list": (lambda o: reverse("titles:list"), OFFICES, 403, False),
    "titles:export": (lambda o: reverse("titles:export"), OFFICES, 403, False),
    "titles:action": (lambda o: reverse("titles:action", args=[1]), set(), 405, True),
    "titles:event": (
        lambda o: reverse("titles:event", args=[o.s1.pk]),
        set(),
        405,
        True,
    ),
    "onsite:mine": (lambda o: reverse("onsite:mine"), EVERYONE, None, False),
    "onsite:sync": (lambda o: reverse("onsite:sync"), set(), 405, True),
    "onsite:service_worker": (lambda o: reverse("onsite:service_worker"), set(ROLES), None, False),
    "onsite:score": (
        lambda o: reverse("onsite:score", args=[o.assignment.pk]),
        OFFICES,
        404,
        False,
    ),
    "onsite:sheet": (
        lambda o: reverse("onsite:sheet", args=[o.assignment.pk]),
        OFFICES,
        404,
        False,
    ),
    **{
        f"onsite:{name}": (
            assignment_url(f"onsite:{name}"),
            set(),
            405,
            True,
        )
        for name in ("photo", "decide", "sign", "reopen", "record", "problems")
    },
    "onsite:campaign": (
        lambda o: reverse("onsite:campaign", args=[o.campaign.pk]),
        OFFICES,
        403,
        False,
    ),
    "draws:campaign": (
        lambda o: reverse("draws:campaign", args=[o.campaign.pk]),
        OFFICES,
        403,
        False,
    ),
    "draws:detail": (lambda o: reverse("draws:detail", args=[o.draw.pk]), OFFICES, 403, False),
    "healthz": (lambda o: reverse("healthz"), set(ROLES), None, False),
    "readyz": (lambda o: reverse("readyz"), set(ROLES), None, False),
    "onsite:campaign_action": (
        lambda o: reverse("onsite:campaign_action", args=[o.campaign.pk]),
        set(),
        405,
        True,
    ),
    "surveys:list": (lambda o: reverse("surveys:list"), OFFICES, 403, False),
    "surveys:detail": (
        lambda o: reverse("surveys:detail", args=[o.survey.pk]),
        OFFICES,
        403,
        False,
    ),
    "api_pages:tokens": (lambda o: reverse("api_pages:tokens"), EVERYONE, None, False),
    "api_pages:token_revoke": (
        lambda o: reverse("api_pages:token_revoke", args=[o.token.pk]),
        set(),
        405,
        True,
    ),
    "api_pages:reference": (lambda o: reverse("api_pages:reference"), set(ROLES), None, False),
    "webhooks:list": (lambda o: reverse("webhooks:list"), OFFICES, 403, False),
    "webhooks:detail": (
        lambda o: reverse("webhooks:detail", args=[o.subscription.pk]),
        OFFICES,
        403,
        False,
    ),
    "webhooks:stop": (
        lambda o: reverse("webhooks:stop", args=[o.subscription.pk]),
        set(),
        405,
        True,
    ),
    "surveys:build": (lambda o: reverse("surveys:build", args=[o.survey.pk]), OFFICES, 403, False),
    "surveys:export_questions": (
        lambda o: reverse("surveys:export_questions", args=[o.survey.pk]),
        OFFICES,
        403,
        False,
    ),
    "surveys:quality": (
        lambda o: reverse("surveys:quality", args=[o.survey.pk]),
        OFFICES,
        403,
        False,
    ),
    "surveys:results": (
        lambda o: reverse("surveys:results", args=[o.survey.pk]),
        OFFICES,
        403,
        False,
    ),
    "survey_public:answer": (
        lambda o: reverse("survey_public:answer", args=[o.survey.code]),
        set(ROLES),
        None,
        False,
    ),
    "survey_public:done": (
        lambda o: reverse("survey_public:done", args=[o.survey.code]),
        set(ROLES),
        None,
        False,
    ),
}


def api_url(name: str, *args: Callable[[Any], Any]) -> Callable[[Any], str]:
    return lambda o: reverse(f"api:{name}", args=[a(o) for a in args])


SEE_CAMPAIGN = SEE_S1
# The API, walked with a token of every role (every area, for writing): name → (URL, roles
# that get 200 on GET, status for the others). Without a token: 401 (the schema: 200).
API_EXPECTED: dict[str, tuple[Callable[[Any], str], set[str], int]] = {
    "api:openapi-json": (api_url("openapi-json"), EVERYONE, 0),
    "api:api-root": (api_url("api-root"), set(), 404),
    "api:region_list": (api_url("region_list"), EVERYONE, 0),
    "api:unit_list": (api_url("unit_list"), EVERYONE, 0),
    "api:unit_detail": (api_url("unit_detail", lambda o: o.s1.pk), SEE_S1, 404),
    "api:unit_upsert_bulk": (api_url("unit_upsert_bulk"), set(), 405),
    "api:edition_list": (api_url("edition_list"), EVERYONE, 0),
    "api:edition_detail": (
        api_url("edition_detail", lambda o: o.assessment.edition_id),
        EVERYONE,
        0,
    ),
    "api:edition_validate": (api_url("edition_validate"), set(), 405),
    "api:edition_import": (api_url("edition_import"), set(), 405),
    "api:campaign_list": (api_url("campaign_list"), EVERYONE, 0),
    "api:campaign_detail": (api_url("campaign_detail", lambda o: o.campaign.pk), SEE_CAMPAIGN, 404),
    "api:application_list": (api_url("application_list"), EVERYONE, 0),
    "api:application_detail": (
        api_url("application_detail", lambda o: o.application.pk),
        SEE_S1,
        404,
    ),
    "api:assessment_list": (api_url("assessment_list"), EVERYONE, 0),
    "api:assessment_detail": (api_url("assessment_detail", lambda o: o.assessment.pk), SEE_S1, 404),
    "api:entry_put": (
        api_url("entry_put", lambda o: o.assessment.pk, lambda o: "A1.6"),
        set(),
        405,
    ),
    "api:assessment_submit": (api_url("assessment_submit", lambda o: o.assessment.pk), set(), 405),
    "api:assignment_list": (api_url("assignment_list"), EVERYONE, 0),
    "api:scores_post": (api_url("scores_post"), set(), 405),
    "api:problem_list": (api_url("problem_list"), EVERYONE, 0),
    "api:problem_post": (api_url("problem_post"), EVERYONE, 0),  # GET of its path lists
    "api:problem_detail": (api_url("problem_detail", lambda o: o.problem.pk), SEE_S1, 404),
    "api:problem_act": (api_url("problem_act", lambda o: o.problem.pk), set(), 405),
    "api:title_list": (api_url("title_list"), EVERYONE, 0),
    "api:figures": (api_url("figures"), OFFICES | {"supervisor"}, 403),
    # Open311 answers service tokens only (tests/api/test_open311.py): personal ones get 403
    "api:open311_services": (api_url("open311_services"), set(), 403),
    "api:open311_requests": (api_url("open311_requests"), set(), 403),
    "api:open311_request": (api_url("open311_request", lambda o: o.report.reference), set(), 403),
}
# pages anyone may open without logging in
PUBLIC = {
    "api_pages:reference",
    "login",
    "logout",
    "accounts:oidc_start",
    "accounts:oidc_callback",
    "campaigns:public",
    "campaigns:public_export",
    "campaigns:public_pdf",
    "report:home",
    "report:lookup",
    "report:new",
    "open311_moved",
    "survey_public:answer",
    "survey_public:done",
    "onsite:service_worker",  # a script holding no data (the scoring page's offline worker)
    "healthz",
    "readyz",
}
# people who may see a unit but not write its ledger get a 403 page instead of the form
OVERRIDES = {
    (page, r): 403
    for page in ("ledger:new", "ledger:edit")
    for r in ("admin", "city_office", "east_office", "supervisor", "head")
}
# campaign pages: people who cannot see the campaign or application get 404, not 403
OVERRIDES |= {
    (page, r): 404
    for page in (
        "campaigns:apply",
        "campaigns:objections",
        "campaigns:edit",
        "campaigns:score_sheet",
        "campaigns:targets",
        "campaigns:results",
        "campaigns:results_export",
        "documents:campaign_bulletin",
        "documents:campaign_publicity",
        "documents:campaign_ranking",
    )
    for r in ("other_filler", "expert")
}
# the self-inspection report: people who see the unit but may not edit its report get 403 on
# the regeneration page, the unit (no report yet) goes to the report page; an export of a report
# that still holds 【需补充】 notes goes back to the report page with the sections named
OVERRIDES |= {
    ("documents:report_regenerate", r): 403
    for r in ("admin", "city_office", "east_office", "supervisor")
}
OVERRIDES |= {("documents:report_regenerate", r): 302 for r in ("head", "unit_admin", "filler")}
OVERRIDES |= {("documents:report_export", r): 302 for r in SEE_S1}
# draw pages: like the campaign pages (404 for those who cannot see the campaign)
OVERRIDES |= {
    (page, r): 404
    for page in ("draws:campaign", "draws:detail", "onsite:campaign")
    for r in ("other_filler", "expert")
}


def url_names(resolver: URLResolver | None = None, prefix: str = "") -> set[str]:
    resolver = resolver or get_resolver()
    names = set()
    for entry in resolver.url_patterns:
        if isinstance(entry, URLResolver):
            names |= url_names(entry, f"{prefix}{entry.namespace}:" if entry.namespace else prefix)
        elif isinstance(entry, URLPattern) and entry.name:
            names.add(prefix + entry.name)
    return names


def test_every_url_is_covered():
    assert url_names() == set(EXPECTED) | set(API_EXPECTED)


@pytest.mark.parametrize("role", ROLES)
def test_walk_the_api_with_every_roles_token(client, objects, role):
    from wenming.api.tokens import AREAS, token_create

    headers = {}
    if role != "anonymous":
        secret = token_create(
            actor=getattr(objects.people, role),
            name="巡检",
            kind="personal",
            scopes=[f"{area}:write" for area in AREAS],
            days=1,
        ).secret
        headers = {"Authorization": f"Bearer {secret}"}
    for name, (build, allowed, denied) in API_EXPECTED.items():
        response = client.get(build(objects), headers=headers)
        status = response.status_code
        if name == "api:openapi-json":
            expected = 200
        elif role == "anonymous":  # no token: refused, unless nothing answers GET there at all
            expected = denied if denied in (404, 405) and not allowed else 401
        else:
            expected = 200 if role in allowed else denied
        assert status == expected, (name, role, status, response.content[:200])
        if status != 405 and name != "api:api-root":
            assert response["Content-Type"].startswith("application/json"), (name, role)


@pytest.fixture
def objects(world, standard, settings, tmp_path):  # noqa: F811
    settings.MEDIA_ROOT = tmp_path / "media"
    world.assessment = self_assessment_start(
        actor=world.people.filler, unit=world.s1, edition=standard
    )
    from wenming.accounts.models import AddressAllowance, LoginThrottle

    world.throttle = LoginThrottle.objects.create(username="filler", address="10.0.0.9", failures=7)
    world.allowance = AddressAllowance.objects.create(
        network="10.1.0.0/16", login_failures_per_hour=600, posts_per_hour=100
    )
    from wenming.accounts.models import DirectoryRule

    world.rule = DirectoryRule.objects.create(
        source="ldap", value="wenming-office", role="office", region=world.east
    )
    from wenming.attachments.detect import image_bytes
    from wenming.attachments.services import attachment_store
    from wenming.jobs.models import Job, JobStatus
    from wenming.jobs.services import result_path
    from wenming.ledger.services import ActivityInput, activity_create, activity_types

    kind = activity_types()[0]
    world.activity, _ = activity_create(
        actor=world.people.filler,
        unit=world.s1,
        data=ActivityInput(activity_type=kind, title="例会", day=date(2026, 3, 1)),
        links=[(standard, "A1.6")],
        files=[],
    )
    world.attachment, _ = attachment_store(
        unit=world.s1,
        owner=world.activity,
        name="现场.jpg",
        stream=io.BytesIO(image_bytes()),
        actor=world.people.filler,
    )
    world.job = Job.objects.create(
        kind="binder",
        label="迎检材料",
        owner=world.people.filler,
        unit=world.s1,
        status=JobStatus.DONE,
    )
    result_path(world.job).write_bytes(b"PK")
    from wenming.api.tokens import token_create

    world.token = token_create(
        actor=world.people.filler, name="脚本", kind="personal", scopes=["units:read"], days=5
    ).token
    from wenming.webhooks.services import subscription_create

    world.subscription = subscription_create(
        actor=world.people.east_office,
        name="大屏",
        url="http://127.0.0.1:9/hook",
        events=["title.granted"],
        region_id=world.east.pk,
    )
    world.batch = ImportBatch.objects.create(
        kind="units",
        filename="u.xlsx",
        content=b"x",
        sha256="0" * 64,
        created_by=world.people.east_office,
    )
    from wenming.notices.services import notice_send

    world.notice = notice_send(
        actor=world.people.east_office,
        recipients=[world.people.head],
        title="督办",
        obj=world.s1,
        reply_due=date(2026, 12, 1),
    )[0]
    from wenming.rectification.services import (
        problem_create,
        rectification_plan_create,
        supervision_notice_send,
    )

    office = world.people.east_office
    world.plan = rectification_plan_create(
        actor=office, unit=world.s1, title="基本达标整改", deadline=date(2099, 12, 31)
    )
    world.problem = problem_create(
        actor=office, unit=world.s1, source="patrol", title="操场破损", plan=world.plan
    )
    world.supervision = supervision_notice_send(
        actor=office,
        unit=world.s1,
        problems=[world.problem],
        title="督办",
        reply_due=date(2099, 1, 1),
    )
    from wenming.campaigns.models import Application, Campaign, Phase, State

    world.campaign = Campaign.objects.create(
        name="2026年标准化学校评估",
        year=2026,
        level="district",
        region=world.east,
        edition=standard,
        apply_from=date(2026, 1, 1),
        apply_until=date(2026, 12, 31),
        chain=[
            {"key": "supervisor", "label": "主管部门审核", "role": "supervisor"},
            {"key": "evaluate", "label": "初评", "role": "office", "level": 3, "result": True},
        ],
        phase=Phase.PUBLICITY,
        publicity_start=date(2026, 1, 1),
        publicity_end=date(2026, 1, 8),
        created_by=world.people.east_office,
    )
    world.application = Application.objects.create(
        campaign=world.campaign,
        unit=world.s1,
        assessment=world.assessment,
        state=State.IN_REVIEW,
        step="evaluate",
        region_path=world.s1.region_path,
        supervisor=world.bureau,
    )
    from fractions import Fraction

    from wenming.core.draw import Rules
    from wenming.draws.services import draw_record

    world.draw = draw_record(
        actor=world.people.east_office,
        campaign=world.campaign,
        rules=Rules(shares={"学校·小学": Fraction(1, 3)}),
    )
    from tests.factories import person
    from wenming.accounts.models import Role
    from wenming.onsite.models import Assignment, Expert, Team

    leader = Expert.objects.create(
        user=person("team_leader", Role.EXPERT), name="组长", region=world.east
    )
    team = Team.objects.create(campaign=world.campaign, name="第一组", leader=leader)
    team.members.create(expert=leader, campaign=world.campaign)
    world.assignment = Assignment.objects.create(
        campaign=world.campaign,
        team=team,
        application=world.application,
        unit=world.s1,
        assigned_by=world.people.east_office,
    )
    from wenming.review.models import ReviewedText, TextKind

    world.report_txt = ReviewedText.objects.create(
        kind=TextKind.UPLOAD,
        name="工作总结.txt",
        text="本校开展文明校园创建。",
        unit=world.s1,
        application=world.application,
        campaign=world.campaign,
        year=world.campaign.year,
        region_path=world.s1.region_path,
    )
    from wenming.citizen.models import ReportCategory, ReportPlace
    from wenming.citizen.services import ReportInput, report_file

    category = ReportCategory.objects.create(
        region=world.east, region_path=world.east.path, name="环境卫生", unit=world.s1
    )
    place = ReportPlace.objects.create(
        region=world.east, region_path=world.east.path, name="人民公园"
    )
    world.report = report_file(
        data=ReportInput(
            region=world.east, category=category, description="垃圾无人清理", place=place
        )
    )

    from wenming.surveys.services import questionnaire_create, target_add

    world.survey = questionnaire_create(
        actor=world.people.east_office, campaign=world.campaign, title="满意度", audience="public"
    )
    target_add(actor=world.people.east_office, questionnaire=world.survey, unit=world.s1, quota=5)
    return world


@pytest.mark.parametrize("role", ROLES)
def test_walk_every_url(client, objects, role):
    if role != "anonymous":
        client.force_login(getattr(objects.people, role))
    for name, (build, allowed, denied, post_only) in EXPECTED.items():
        url = build(objects)
        status = client.get(url).status_code
        if role == "anonymous" and name not in PUBLIC:
            assert status == 302, (name, status)
        elif (name, role) in OVERRIDES:
            assert status == OVERRIDES[(name, role)], (name, role, status)
        elif role in allowed:
            assert status == 200, (name, role, status)
        elif post_only:
            assert status == 405, (name, role, status)
        else:
            assert status == denied, (name, role, status)


@pytest.mark.parametrize("role", sorted(VISIBLE_UNITS))
def test_unit_list_shows_exactly_the_units_in_scope(client, objects, role):
    client.force_login(getattr(objects.people, role))
    html = client.get(reverse("units:list")).content.decode()
    shown = set(re.findall(r'<a href="/units/\d+/">([^<]+)</a>', html))
    assert shown == VISIBLE_UNITS[role]
    # a unit may see the name of its own supervising body, nothing else of other units
    supervisors = (
        {"江东区教育局"} if VISIBLE_UNITS[role] & {"江东区第一小学", "江东区实验中学"} else set()
    )
    for unit in ALL_UNITS - VISIBLE_UNITS[role] - supervisors:
        assert unit not in html


@pytest.mark.parametrize("role", sorted(VISIBLE_UNITS))
def test_assessment_list_shows_exactly_the_assessments_in_scope(client, objects, role):
    client.force_login(getattr(objects.people, role))
    html = client.get(reverse("assessments:list")).content.decode()
    listed = f'href="/self-assessments/{objects.assessment.pk}/"' in html
    assert listed == (role in SEE_S1)


def test_audit_page_shows_each_office_only_its_region(client, objects):
    from wenming.assessments.services import entry_save

    entry_save(
        actor=objects.people.filler, assessment_id=objects.assessment.pk, code="A1.6", value="2"
    )
    from wenming.organizations.services import unit_upsert

    unit_upsert(
        credit_code=objects.other.credit_code, values={"headcount": 77}, actor=objects.people.admin
    )
    client.force_login(objects.people.east_office)
    html = client.get(reverse("audit:list")).content.decode()
    assert "A1.6 填报值" in html and "江西区人民医院" not in html
    client.force_login(objects.people.city_office)
    html = client.get(reverse("audit:list")).content.decode()
    assert "A1.6 填报值" in html and "江西区人民医院" in html
