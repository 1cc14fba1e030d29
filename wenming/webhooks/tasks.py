"""The worker's task for a delivery (django-tasks): send, and on failure enqueue the next
attempt after the back-off."""

from __future__ import annotations

from django_tasks import task

from wenming.webhooks.sending import delivery_attempt


@task()
def delivery_send(delivery_id: int) -> None:
    retry_at = delivery_attempt(delivery_id)
    if retry_at is not None:
        delivery_send.using(run_after=retry_at).enqueue(delivery_id)
