"""The audit trail: the one place that records who changed what (old → new).

Call :func:`audit_record` inside the same transaction as the change it describes, so that a
change and its record are committed together or not at all. Each event is appended to one hash
chain (:mod:`wenming.audit.chain`); ``wenming audit verify`` and the audit page check it.
"""

from __future__ import annotations

from typing import Any

from django.apps import apps
from django.contrib.auth.models import AnonymousUser, User
from django.core.exceptions import FieldDoesNotExist
from django.db import models

from wenming.audit.chain import chain_append
from wenming.audit.models import AuditEvent


def audit_record(
    *,
    actor: User | AnonymousUser | None,
    action: str,
    obj: models.Model,
    field: str = "",
    old: Any = "",
    new: Any = "",
    comment: str = "",
) -> AuditEvent:
    user = actor if actor is not None and actor.is_authenticated else None
    event = AuditEvent(
        actor=user,
        action=action,
        object_type=obj._meta.label_lower,
        object_id=str(obj.pk),
        object_label=str(obj)[:200],
        field=field,
        old="" if old is None else str(old),
        new="" if new is None else str(new),
        comment=comment,
    )
    return chain_append(event)


def audit_trail(obj: models.Model) -> models.QuerySet[AuditEvent]:
    return AuditEvent.objects.filter(
        object_type=obj._meta.label_lower, object_id=str(obj.pk)
    ).select_related("actor")


ACTION_LABELS = {
    "calendar.set": "设置节假日",
    "calendar.remove": "删除节假日设置",
    "title.grant": "授予称号",
    "title.import": "导入历届称号",
    "title.suspend": "暂停称号",
    "title.revoke": "撤销称号",
    "title.restore": "恢复称号",
    "title.warn": "限期整改警告",
    "title.recheck": "称号复查",
    "campaign.create": "创建活动",
    "campaign.import": "由设置文件导入活动",
    "campaign.phase": "活动阶段变更",
    "campaign.extend": "延长申报期限",
    "campaign.target": "设置年度目标",
    "campaign.reward": "记录奖励",
    "application.prepare": "发起申报",
    "application.sign": "签署申报",
    "application.submit": "提交申报",
    "application.pass": "审核通过",
    "application.return": "退回申报",
    "application.reject": "申报不通过",
    "application.result": "录入测评结果",
    "application.remove": "撤出公示名单",
    "application.outcome": "命名/复验结果",
    "objection.file": "提出异议",
    "draw.record": "现场抽签",
    "draw.redraw": "重新抽签",
    "objection.resolve": "办结异议",
    "notice.send": "发送督办通知",
    "notice.reply": "回复通知",
    "framework.import": "导入测评体系",
    "framework.replace": "替换测评体系内容",
    "region.create": "新增地区",
    "region.update": "修改地区",
    "unit.create": "新增单位",
    "unit.update": "修改单位",
    "unit.departments": "修改科室",
    "import.commit": "Excel导入",
    "account.create": "创建账号",
    "account.password_reset": "重置密码",
    "account.password_change": "修改密码",
    "account.directory_create": "统一身份认证首次登录建账号",
    "account.directory_grant": "按映射规则授予角色",
    "account.directory_revoke": "按映射规则撤销角色",
    "account.directory_rule_add": "新增角色映射规则",
    "account.directory_rule_remove": "删除角色映射规则",
    "login.success": "登录成功",
    "login.failure": "登录失败",
    "login.throttle_clear": "清除登录限制",
    "login.allowance_set": "设置地址限额",
    "login.allowance_remove": "删除地址限额",
    "assessment.start": "开始自评",
    "assessment.entry": "填报",
    "assessment.submit": "提交",
    "assessment.return": "退回",
    "balance.import": "导入均衡发展指标",
    "balance.threshold": "修改差异系数标准",
    "report.draft": "生成自查报告草稿",
    "report.section": "修改自查报告",
    "template.upload": "上传文书模板",
    "template.reset": "恢复默认文书模板",
    "problem.create": "登记问题",
    "problem.accept": "受理问题",
    "problem.assign": "分派问题",
    "problem.handle": "处理问题",
    "problem.verify": "核查通过",
    "problem.return": "核查退回",
    "problem.call_back": "回访",
    "problem.close": "结案",
    "problem.merge": "合并办理(重复问题)",
    "problem.escalate": "逾期升级督办",
    "problem.update": "修改问题",
    "problem.deadline": "修改整改期限",
    "plan.create": "制定整改计划",
    "plan.add": "问题纳入整改计划",
    "supervision.send": "发送督办通知",
    "supervision.reply": "回复督办通知",
}


# What a recorded field is called on the pages. Model fields speak for themselves (their
# verbose_name); these are the names services record that are not a model field of the object,
# or whose model field has no Chinese name.
FIELD_LABELS = {
    "state": "状态",
    "status": "状态",
    "phase": "阶段",
    "deadline": "整改期限",
    "plan": "整改计划",
    "parent": "上级地区",
    "escalation_level": "督办级别",
    "sha256": "文件校验值(SHA-256)",
    "digest": "抽签结果校验值(SHA-256)",
    "max_cv": "差异系数上限",
    "name": "名称",
    "level": "层级",
}
# "<item code>.<part>": the parts of a self-assessment entry or an imported row
PART_LABELS = {
    "value": "填报值",
    "reason": "不适用或扣分理由",
    "note": "说明",
    "event_date": "发生日期",
}


def field_label(object_type: str, field: str) -> str:
    """The Chinese name of a recorded field: "V1.value" → "V1 填报值", "status" → "状态"."""
    if not field or not field.isascii():
        return field
    verbose = _model_field_name(object_type, field)
    if verbose:
        return verbose
    if field in FIELD_LABELS:
        return FIELD_LABELS[field]
    head, dot, part = field.rpartition(".")
    if dot and part in PART_LABELS:
        return f"{head} {PART_LABELS[part]}"
    return field


def _model_field_name(object_type: str, field: str) -> str:
    """The model field's own Chinese verbose_name, or "" when it has none."""
    try:
        model = apps.get_model(object_type)
        verbose = str(getattr(model._meta.get_field(field), "verbose_name", ""))
    except (LookupError, FieldDoesNotExist, ValueError):
        return ""
    return "" if verbose.isascii() else verbose
