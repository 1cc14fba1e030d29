"""The office's subscriptions page and each subscription's deliveries with the answers."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from wenming.web.actor import actor
from wenming.web.params import params
from wenming.webhooks.access import (
    deliveries_of,
    may_subscribe,
    subscription_get_for_user,
    subscriptions_visible_to,
)
from wenming.webhooks.forms import SubscriptionForm
from wenming.webhooks.models import Event
from wenming.webhooks.services import (
    WebhookRefused,
    subscription_create,
    subscription_deactivate,
)

NOT_OFFICE = "事件推送仅向测评办公室开放"


class PageParams(forms.Form):
    page = forms.IntegerField(label="页码", min_value=1, max_value=100_000, required=False)


@login_required
def subscription_list(request: HttpRequest) -> HttpResponse:
    user = actor(request)
    if not may_subscribe(user):
        raise PermissionDenied(NOT_OFFICE)
    form = SubscriptionForm(request.POST or None, user=user)
    created = None
    if request.method == "POST" and form.is_valid():
        try:
            created = subscription_create(
                actor=user,
                name=form.cleaned_data["name"],
                url=form.cleaned_data["url"],
                events=form.cleaned_data["events"],
                region_id=form.cleaned_data["region"],
            )
        except WebhookRefused as exc:
            form.add_error(None, str(exc))
        else:
            form = SubscriptionForm(user=user)
    labels = dict(Event.choices)
    rows = [
        {"s": s, "events": "、".join(labels.get(e, e) for e in s.events)}
        for s in subscriptions_visible_to(user).select_related("region")[:300]
    ]
    return render(
        request,
        "webhooks/list.html",
        {"form": form, "rows": rows, "created": created},
        status=422 if request.method == "POST" and created is None else 200,
    )


@login_required
def subscription_detail(request: HttpRequest, pk: int) -> HttpResponse:
    user = actor(request)
    if not may_subscribe(user):
        raise PermissionDenied(NOT_OFFICE)
    subscription = subscription_get_for_user(user, pk)
    number = params(request.GET, PageParams)["page"] or 1
    page = Paginator(deliveries_of(subscription), 50).get_page(number)
    return render(request, "webhooks/detail.html", {"subscription": subscription, "page": page})


@login_required
@require_POST
def subscription_stop(request: HttpRequest, pk: int) -> HttpResponse:
    try:
        subscription = subscription_deactivate(actor=actor(request), pk=pk)
    except WebhookRefused as exc:
        raise PermissionDenied(str(exc)) from None
    messages.success(request, f"已停用{subscription}")
    return redirect("webhooks:detail", pk=pk)
