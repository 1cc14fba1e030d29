"""Citizen report writes: the office's categories and places, filing a report (the public page
and the Open311 intake call the same ``report_file``), the public reply, duplicates and the
external systems (their record; they call with API service tokens). Each is one transaction with its audit event."""

from __future__ import annotations

import io
import re
import secrets
from dataclasses import dataclass, field
from decimal import Decimal

from django.contrib.auth.models import User
from django.db import IntegrityError, transaction
from django.utils import timezone

from wenming.accounts.models import Role, RoleGrant
from wenming.accounts.scope import path_prefix_q, scope_for
from wenming.accounts.services import system_account_mark
from wenming.audit.services import audit_record
from wenming.citizen.models import (
    Channel,
    CitizenReport,
    ExternalClient,
    ReportCategory,
    ReportPlace,
)
from wenming.citizen.photos import MAX_PHOTOS, TOO_MANY, Photo
from wenming.core.errors import ActionRefused
from wenming.organizations.models import Region, Unit
from wenming.rectification.models import ProblemSource, ProblemState, Severity
from wenming.rectification.services import ProblemRefused, problem_create, problem_merge

DESCRIPTION_MIN = 5
DESCRIPTION_MAX = 500
PLACE_MAX = 100
REPLY_MAX = 1000
PHONE = re.compile(r"^[0-9+\-() 转]{5,30}$")
INTAKE_USERNAME = "citizen-intake"
REFERENCE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I: read over the phone
# the problem's source by the way the report came in: the public page's reports are 随手拍;
# an external system's (Open311: a 12345 hotline's tickets) stay 投诉, which is what a call to
# the hotline is and how offices already count 12345 tickets (both are called back)
SOURCE_OF_CHANNEL: dict[str, str] = {
    Channel.WEB: ProblemSource.CITIZEN,
    Channel.OPEN311: ProblemSource.COMPLAINT,
}

# messages (tests reuse them)
NOT_OFFICE = "只有该地区的测评办公室可以维护随手拍设置"
UNIT_OUTSIDE = "责任单位须在该地区内"
CATEGORY_GONE = "所选类别不可用,请重新选择"
PLACE_GONE = "所选地点不可用,请重新选择"
PLACE_NEEDED = "请选择或填写地点"
DESCRIPTION_SHORT = f"问题描述至少{DESCRIPTION_MIN}个字"
DESCRIPTION_LONG = f"问题描述不能超过{DESCRIPTION_MAX}个字"
PHONE_WRONG = "联系电话只能包含数字、空格和 + - ( ) 转,至少5位"
DUPLICATE_SELF = "不能标记为与自身重复"
DUPLICATE_ELSEWHERE = "只能与同一地区的报告合并"
DUPLICATE_MERGED = "该报告已并入受理编号 {reference} 合并办理并结案,不能取消或更改重复标记"
DUPLICATE_CHAIN = "受理编号 {reference} 本身已并入 {root},请标记为与 {root} 重复"


class ReportRefused(ActionRefused):
    """A citizen report change is refused; the message says why in Chinese."""


@dataclass
class ReportInput:
    """What a report says, from the public page or an external system (already parsed)."""

    region: Region
    category: ReportCategory
    description: str
    place: ReportPlace | None = None
    place_text: str = ""
    contact_name: str = ""
    contact_phone: str = ""
    latitude: Decimal | None = None
    longitude: Decimal | None = None
    photos: list[Photo] = field(default_factory=list)


def intake_account() -> User:
    """The account public reports are filed under (it cannot log in)."""
    user, created = User.objects.get_or_create(
        username=INTAKE_USERNAME, defaults={"first_name": "群众随手拍", "is_active": False}
    )
    if created:
        user.set_unusable_password()
        user.save(update_fields=["password"])
        system_account_mark(user)
    return user


def _reference() -> str:
    day = timezone.localdate()
    return f"{day:%Y%m%d}-" + "".join(secrets.choice(REFERENCE_ALPHABET) for _ in range(6))


def _check(data: ReportInput) -> None:
    """Every rule of a report, for both ways in (the page's form only parses)."""
    category = data.category
    if category.region_id != data.region.pk or not category.active:
        raise ReportRefused(CATEGORY_GONE)
    if data.place is not None and (data.place.region_id != data.region.pk or not data.place.active):
        raise ReportRefused(PLACE_GONE)
    data.place_text = data.place_text.strip()
    if data.place is None and not data.place_text:
        raise ReportRefused(PLACE_NEEDED)
    if len(data.place_text) > PLACE_MAX:
        raise ReportRefused(f"地点不能超过{PLACE_MAX}个字")
    data.description = data.description.strip()
    if len(data.description) < DESCRIPTION_MIN:
        raise ReportRefused(DESCRIPTION_SHORT)
    if len(data.description) > DESCRIPTION_MAX:
        raise ReportRefused(DESCRIPTION_LONG)
    data.contact_name = data.contact_name.strip()
    data.contact_phone = data.contact_phone.strip()
    if len(data.contact_name) > 50:
        raise ReportRefused("联系人不能超过50个字")
    if data.contact_phone and not PHONE.match(data.contact_phone):
        raise ReportRefused(PHONE_WRONG)
    if len(data.photos) > MAX_PHOTOS:
        raise ReportRefused(TOO_MANY)


@transaction.atomic
def report_file(
    *, data: ReportInput, channel: str = Channel.WEB, client: ExternalClient | None = None
) -> CitizenReport:
    """File a report: it becomes a problem of the category's unit (origin = the report), with
    the photos (stripped of their metadata) on it; all or nothing."""
    _check(data)
    category = data.category
    latitude, longitude = data.latitude, data.longitude
    taken_at = ""
    for photo in data.photos:  # the first photo that knows where it was taken
        if latitude is None and photo.latitude is not None:
            latitude, longitude, taken_at = photo.latitude, photo.longitude, photo.taken_at
    for _ in range(5):
        try:
            with transaction.atomic():
                report = CitizenReport.objects.create(
                    reference=_reference(),
                    region=data.region,
                    region_path=data.region.path,
                    category=category,
                    place=data.place,
                    place_text="" if data.place else data.place_text,
                    description=data.description,
                    contact_name=data.contact_name,
                    contact_phone=data.contact_phone,
                    channel=channel,
                    client=client,
                    latitude=latitude,
                    longitude=longitude,
                    photo_taken_at=taken_at,
                )
            break
        except IntegrityError:  # the same reference drawn twice: draw again
            continue
    else:
        raise ReportRefused("系统繁忙,请稍后再试")
    account = intake_account()
    place = data.place.name if data.place else data.place_text
    try:
        problem = problem_create(
            actor=account,
            unit=category.unit,
            source=SOURCE_OF_CHANNEL[channel],
            title=f"{category.name}:{data.description[:60]}",
            description=data.description,
            severity=category.severity,
            origin=report,
            location=place,
            files=[(p.name, io.BytesIO(p.data)) for p in data.photos],
            public_intake=True,
        )
    except ProblemRefused as exc:
        raise ReportRefused(str(exc)) from None
    report.problem = problem
    report.save(update_fields=["problem"])
    audit_record(
        actor=account,
        action="citizen.report",
        obj=report,
        new=report.reference,
        comment=f"{Channel(channel).label}:{client.name}" if client else Channel(channel).label,
    )
    return report


# -- the office's side --------------------------------------------------------------------


def _require_office(actor: User, region: Region) -> None:
    if not scope_for(actor).covers_region(region):
        raise ReportRefused(NOT_OFFICE)


@transaction.atomic
def category_save(
    *,
    actor: User,
    category: ReportCategory | None,
    region: Region,
    name: str,
    unit: Unit,
    severity: str = Severity.GENERAL,
    active: bool = True,
    position: int = 0,
) -> ReportCategory:
    """Add a category to a region or change one; the unit must lie in that region."""
    _require_office(actor, region)
    if category is not None:
        _require_office(actor, category.region)
    inside = Unit.objects.filter(pk=unit.pk).filter(path_prefix_q("region_path", region.path))
    if not inside.exists():
        raise ReportRefused(UNIT_OUTSIDE)
    if severity not in Severity.values:
        raise ReportRefused(f"严重程度“{severity}”无效")
    name = name.strip()
    if not name or len(name) > 40:
        raise ReportRefused("类别名称须为1至40个字")
    clash = ReportCategory.objects.filter(region=region, name=name)
    if category is not None:
        clash = clash.exclude(pk=category.pk)
    if clash.exists():
        raise ReportRefused(f"该地区已有类别“{name}”")
    old = f"{category.name} → {category.unit}" if category else ""
    if category is None:
        category = ReportCategory(region=region)
    category.region = region
    category.region_path = region.path
    category.name, category.unit, category.severity = name, unit, severity
    category.active, category.position = active, position
    category.save()
    audit_record(
        actor=actor,
        action="citizen.category",
        obj=category,
        old=old,
        new=f"{name} → {unit.name}{'' if active else '(停用)'}",
    )
    return category


@transaction.atomic
def place_save(
    *, actor: User, place: ReportPlace | None, region: Region, name: str, active: bool = True
) -> ReportPlace:
    _require_office(actor, region)
    if place is not None:
        _require_office(actor, place.region)
    name = name.strip()
    if not name or len(name) > PLACE_MAX:
        raise ReportRefused(f"地点名称须为1至{PLACE_MAX}个字")
    clash = ReportPlace.objects.filter(region=region, name=name)
    if place is not None:
        clash = clash.exclude(pk=place.pk)
    if clash.exists():
        raise ReportRefused(f"该地区已有地点“{name}”")
    old = place.name if place else ""
    place = place or ReportPlace(region=region)
    place.region, place.region_path, place.name, place.active = region, region.path, name, active
    place.save()
    audit_record(
        actor=actor,
        action="citizen.place",
        obj=place,
        old=old,
        new=f"{name}{'' if active else '(停用)'}",
    )
    return place


@transaction.atomic
def report_reply(*, actor: User, report: CitizenReport, text: str) -> CitizenReport:
    """The office's public reply: the one thing besides the status the citizen sees."""
    _require_office(actor, report.region)
    text = text.strip()
    if not text:
        raise ReportRefused("请填写答复内容")
    if len(text) > REPLY_MAX:
        raise ReportRefused(f"答复不能超过{REPLY_MAX}个字")
    old = report.public_reply
    CitizenReport.objects.filter(pk=report.pk).update(
        public_reply=text, replied_at=timezone.now(), replied_by=actor
    )
    audit_record(actor=actor, action="citizen.reply", obj=report, old=old, new=text)
    report.refresh_from_db()
    return report


@transaction.atomic
def report_mark_duplicate(
    *, actor: User, report: CitizenReport, original: CitizenReport | None
) -> CitizenReport:
    """Mark ``report`` as a duplicate of ``original``: its problem, still open, is closed by
    合并办理 into the original's (the responsible unit sees one problem; the citizen's lookup
    says the report was merged). ``None`` takes the mark back, only while the report's problem
    was not merged (结案 is final: a merged problem is not reopened)."""
    _require_office(actor, report.region)
    report = CitizenReport.objects.select_related("problem", "duplicate_of").get(pk=report.pk)
    problem = report.problem
    merged = problem is not None and problem.merged_into_id is not None
    if merged and report.duplicate_of is not None:
        raise ReportRefused(DUPLICATE_MERGED.format(reference=report.duplicate_of.reference))
    if original is not None:
        if original.pk == report.pk:
            raise ReportRefused(DUPLICATE_SELF)
        if original.region_id != report.region_id:
            raise ReportRefused(DUPLICATE_ELSEWHERE)
        original = CitizenReport.objects.select_related("problem", "duplicate_of").get(
            pk=original.pk
        )
        if original.duplicate_of is not None:
            raise ReportRefused(
                DUPLICATE_CHAIN.format(
                    reference=original.reference, root=original.duplicate_of.reference
                )
            )
    old = report.duplicate_of.reference if report.duplicate_of else ""
    CitizenReport.objects.filter(pk=report.pk).update(duplicate_of=original)
    audit_record(
        actor=actor,
        action="citizen.duplicate",
        obj=report,
        old=old,
        new=original.reference if original else "",
    )
    open_problem = problem is not None and problem.state != ProblemState.CLOSED
    if original is not None and original.problem is not None and open_problem:
        assert problem is not None
        try:
            problem_merge(
                actor=actor,
                problem=problem,
                into=original.problem,
                comment=f"与受理编号 {original.reference} 的群众反映重复,并入该问题合并办理",
            )
        except ProblemRefused as exc:
            raise ReportRefused(str(exc)) from None
    report.refresh_from_db()
    return report


# -- external systems ---------------------------------------------------------------------


@transaction.atomic
def client_for_account(*, account: User, name: str, created_by_id: int) -> ExternalClient | None:
    """The external system calling as ``account`` (the service account of an API service token
    holding one office grant): made on its first call, in the region of that grant, named after
    the token. None when the account holds no office grant or the system was stopped."""
    client = ExternalClient.objects.select_related("region").filter(account=account).first()
    if client is None:
        grant = (
            RoleGrant.objects.filter(user=account, role=Role.OFFICE, region__isnull=False)
            .select_related("region")
            .order_by("pk")
            .first()
        )
        if grant is None or grant.region is None:
            return None
        client, made = ExternalClient.objects.get_or_create(  # two first calls at once: one row
            account=account,
            defaults={
                "name": name.strip()[:60] or account.username,
                "region": grant.region,
                "created_by_id": created_by_id,
            },
        )
        if made:
            audit_record(
                actor=account,
                action="citizen.client",
                obj=client,
                new=f"{client.name}({grant.region.name})",
            )
    return client if client.active else None


@transaction.atomic
def client_revoke(*, actor: User, client: ExternalClient) -> None:
    """Stop the system's intake (its token, if it has other areas, keeps them)."""
    if not scope_for(actor).is_admin:
        raise ReportRefused("只有系统管理员可以停用外部系统")
    ExternalClient.objects.filter(pk=client.pk).update(active=False)
    audit_record(actor=actor, action="citizen.client", obj=client, old="启用", new="停用")
