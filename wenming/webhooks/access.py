"""Who sees which subscriptions and deliveries: offices, for their regions (built on the scope)."""

from __future__ import annotations

from django.contrib.auth.models import AnonymousUser, User
from django.db.models import QuerySet

from wenming.accounts.models import Role
from wenming.accounts.scope import scope_for, scoped_get
from wenming.webhooks.models import Delivery, Subscription


def may_subscribe(user: User | AnonymousUser) -> bool:
    return scope_for(user).has(Role.OFFICE)


def subscriptions_visible_to(user: User | AnonymousUser) -> QuerySet[Subscription]:
    return Subscription.objects.filter(scope_for(user).regions_q("region_path"))


def subscription_get_for_user(user: User | AnonymousUser, pk: int) -> Subscription:
    return scoped_get(
        subscriptions_visible_to(user).select_related("region"), pk, missing="订阅不存在或无权查看"
    )


def deliveries_of(subscription: Subscription) -> QuerySet[Delivery]:
    """The deliveries of a subscription already fetched through the scope."""
    return Delivery.objects.filter(subscription=subscription)
