"""The audit trail: the one place that records who changed what (old → new).

Call :func:`audit_record` inside the same transaction as the change it describes, so that a
change and its record are committed together or not at all.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth.models import AnonymousUser, User
from django.db import models

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
    return AuditEvent.objects.create(
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
    "campaign.phase": "活动阶段变更",
    "campaign.extend": "延长申报期限",
    "campaign.target": "设置年度目标",
    "campaign.reward": "记录奖励",
    "application.prepare": "发起申报",
    "application.sign": "签署申报",
    "application.submit": "提交申报",
    "application.pass": "审核通过",
    "application.return": "退回申报",
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
    "problem.escalate": "逾期升级督办",
    "problem.update": "修改问题",
    "problem.deadline": "修改整改期限",
    "plan.create": "制定整改计划",
    "plan.add": "问题纳入整改计划",
    "supervision.send": "发送督办通知",
    "supervision.reply": "回复督办通知",
}
