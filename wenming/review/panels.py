"""The line the material review adds to the application page, and the submission receiver."""

from __future__ import annotations

from django.contrib.auth.models import User
from django.urls import reverse

from wenming.audit.services import ACTION_LABELS
from wenming.campaigns.models import Application
from wenming.campaigns.panels import Panel, application_panel_register
from wenming.campaigns.transitions import application_changed
from wenming.review.jobs import check_on_submit
from wenming.review.models import Check


def review_panel(user: User, application: Application) -> Panel:
    url = reverse("review:application", args=[application.pk])
    check = Check.objects.filter(application=application).first()
    if check is None:
        return Panel("材料审查", "尚未审查,查看", url)
    return Panel(
        "材料审查",
        f"与来源相同 {check.rate:.1%} · 未填写的占位 {check.placeholders} 处",
        url,
    )


application_panel_register(review_panel)
application_changed.connect(check_on_submit)
ACTION_LABELS.update(
    {
        "review.library_add": "参考库添加范文",
        "review.library_remove": "参考库删除范文",
        "review.verdict": "材料审查结论",
        "review.upload_add": "上传汇报材料",
        "review.upload_remove": "删除汇报材料",
    }
)
