"""The states of a campaign and of an application, as data, and the one way to change them.

``APPLICATION`` and ``CAMPAIGN`` are the transition tables (see ``wenming.core.transitions``):
the services guard with them and the pages list the allowed actions from them.
``application_move`` is the only code that changes an application's state: a compare-and-set
update on ``version`` (a double click or two people acting at once apply a transition exactly
once; the loser gets ``STALE``), the history row (``Transition``), the audit event
``application.<action>`` and the ``application_changed`` hook, all in the caller's transaction.

Apps that read applications (the dashboards' tallies) connect to ``application_changed`` in their
``AppConfig.ready()``; campaigns never imports them.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.contrib.auth.models import User
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from wenming.accounts.selectors import unit_admins
from wenming.audit.services import audit_record
from wenming.campaigns.models import Application, Campaign, Phase, State, Transition
from wenming.core.engine import Scorecard
from wenming.core.errors import ActionRefused
from wenming.core.hooks import Hook
from wenming.core.transitions import StateTable, action
from wenming.notices.services import notice_send


class Refused(ActionRefused):
    """A campaign action that is not allowed; the message is shown as is."""


STALE = "该申报已被他人处理或页面已过期,请刷新后再试"
PHASE_STALE = "活动状态已变化,请刷新后再试"
CAMPAIGN_CANCELLED = "本活动已撤销,申报不能再办理"
NOT_REVIEWABLE = "申报当前状态为“{state}”,不能审核"

NEW = ""  # an application that does not exist yet (the source of 发起申报)

# who: "unit_admin" (the unit's administrator), "reviewer" (whoever acts on the current step of
# the chain: the supervising body or an office, see access.can_act_on_step), "office" (the
# office that runs the campaign, access.runs_campaign)
APPLICATION = StateTable(
    "application",
    [
        action(
            "prepare",
            "发起申报",
            sources=[NEW],
            targets=[State.PREPARING],
            who=["unit_admin"],
        ),
        action(
            "submit",
            "提交申报",
            sources=[State.PREPARING, State.RETURNED],
            targets=[State.IN_REVIEW],
            who=["unit_admin"],
            refusal="申报已提交,不能重复提交",
        ),
        action(
            "pass",
            "审核通过",
            sources=[State.IN_REVIEW],
            # the next step, or after the last: listed, rectified (基本达标) or not passed
            targets=[State.IN_REVIEW, State.LISTED, State.RECTIFYING, State.NOT_PASSED],
            who=["reviewer"],
            refusal=NOT_REVIEWABLE,
        ),
        action(
            "reject",
            "不通过",
            sources=[State.IN_REVIEW],
            targets=[State.NOT_PASSED],
            who=["reviewer", "office"],
            refusal=NOT_REVIEWABLE,
        ),
        action(
            "return",
            "退回",
            sources=[State.IN_REVIEW],
            targets=[State.RETURNED],
            who=["reviewer"],
            refusal=NOT_REVIEWABLE,
        ),
        action(
            "remove",
            "异议成立,撤出名单",
            sources=[State.LISTED, State.RECTIFYING],
            targets=[State.REMOVED],
            who=["office"],
            refusal="该单位不在公示名单中",
        ),
        action(
            "name",
            "命名",
            sources=[State.LISTED, State.RECTIFYING],
            targets=[State.NAMED],
            who=["office"],
            audit="outcome",
            refusal="该单位不在拟命名名单或整改期",
        ),
        action(
            "recheck_fail",
            "整改复验不通过",
            sources=[State.RECTIFYING],
            targets=[State.NOT_PASSED],
            who=["office"],
            audit="outcome",
            refusal="该单位不在整改期",
        ),
    ],
    state_labels={NEW: "未申报", **{s.value: s.label for s in State}},
    wrong_state="申报当前状态为“{state}”,不能{action}",
)

# the office that runs the campaign moves its phase
CAMPAIGN = StateTable(
    "campaign",
    [
        action("open", "发布申报", sources=[Phase.DRAFT], targets=[Phase.OPEN], who=["office"]),
        action(
            "publish",
            "发布公示",
            sources=[Phase.OPEN],
            targets=[Phase.PUBLICITY],
            who=["office"],
        ),
        action(
            "approve", "命名", sources=[Phase.PUBLICITY], targets=[Phase.CLOSED], who=["office"]
        ),
        action(
            "cancel",
            "撤销活动",
            sources=[Phase.DRAFT, Phase.OPEN],
            targets=[Phase.CANCELLED],
            who=["office"],
        ),
    ],
    state_labels={p.value: p.label for p in Phase},
    wrong_state=PHASE_STALE,
)


@dataclass(frozen=True)
class ApplicationChanged:
    """What ``application_changed`` receivers get: the application, and the scorecard of an
    evaluation just recorded (its points lost replace the previous ones)."""

    application_id: int
    card: Scorecard | None = None


# fired after every change of an application's state or result, inside the transaction
application_changed: Hook[ApplicationChanged] = Hook("campaigns.application_changed")


def application_changed_fire(application_id: int, card: Scorecard | None = None) -> None:
    application_changed.fire(
        ApplicationChanged(application_id=application_id, card=card),
        on_commit=transaction.on_commit,
    )


def application_log(
    application: Application,
    *,
    actor: User | None,
    action: str,
    label: str,
    old: str,
    new: str,
    comment: str = "",
) -> None:
    """The history row and the audit event of one transition, then the hook."""
    Transition.objects.create(
        application=application,
        action=action,
        label=label,
        from_state=old,
        to_state=new,
        actor=actor,
        comment=comment,
    )
    audit_record(
        actor=actor,
        action=f"application.{action}",
        obj=application,
        field="state",
        old=old,
        new=new,
        comment=comment,
    )
    application_changed_fire(application.pk)


def application_move(
    application: Application,
    *,
    actor: User | None,
    action: str,
    to: str,
    version: int,
    label: str = "",
    comment: str = "",
    **values: Any,
) -> None:
    """Move ``application`` by ``action`` (a row of ``APPLICATION``) to state ``to``, only if it
    is still at ``version`` and in the state it was read in; also set ``values`` (the step,
    the submission time …). Refreshes ``application``. Call inside a transaction."""
    row = APPLICATION.check(action, application.state, to=to, refuse=Refused)
    campaign = Campaign.objects.only("name", "phase").get(pk=application.campaign_id)
    if campaign.phase == Phase.CANCELLED:
        raise Refused(CAMPAIGN_CANCELLED)
    old = application.where
    changed = Application.objects.filter(
        pk=application.pk, version=version, state=application.state
    ).update(state=to, version=F("version") + 1, updated_at=timezone.now(), **values)
    if not changed:
        raise Refused(STALE)
    application.refresh_from_db()
    application_log(
        application,
        actor=actor,
        action=row.audit_name,
        label=label or row.label,
        old=old,
        new=application.where,
        comment=comment,
    )
    if action in TOLD:
        _tell_unit(application, campaign.name, actor, label or row.label, comment)


# the moves a unit hears of from here (a return or a 不通过 sends its own notice with the reason)
TOLD = {"pass", "remove", "name", "recheck_fail"}


def _tell_unit(
    application: Application, campaign_name: str, actor: User | None, label: str, comment: str
) -> None:
    body = f"申报当前状态:{application.where}。" + (f"\n意见:{comment}" if comment else "")
    notice_send(
        actor=actor,
        recipients=unit_admins(application.unit_id),
        title=f"{campaign_name}:{label}",
        body=body,
        url=f"/campaigns/applications/{application.pk}/",
        kind="application",
        obj=application,
    )


def phase_change(
    *, actor: User, campaign: Campaign, action: str, comment: str = "", **extra: Any
) -> None:
    """Move ``campaign`` by ``action`` (a row of ``CAMPAIGN``), compare-and-set on its version;
    audited as ``campaign.phase``."""
    old = campaign.phase
    row = CAMPAIGN.check(action, old, refuse=Refused)
    (new,) = row.targets
    changed = Campaign.objects.filter(pk=campaign.pk, phase=old, version=campaign.version).update(
        phase=new, version=F("version") + 1, **extra
    )
    if not changed:
        raise Refused(PHASE_STALE)
    audit_record(
        actor=actor,
        action="campaign.phase",
        obj=campaign,
        field="phase",
        old=Phase(old).label,
        new=Phase(new).label,
        comment=comment,
    )
    campaign.refresh_from_db()
