import redis
from django.db import connection
from django.test.utils import CaptureQueriesContext

SHEET = {"q_Q1": "满意", "q_Q2": "基本满意", "q_Q3": "满意", "q_Q4": "不满意"}


def test_roundtrips(client, world, survey, monkeypatch):
    q, _, target = survey
    target.quota = 100
    target.save()
    from wenming.surveys.models import Questionnaire
    Questionnaire.objects.filter(pk=q.pk).update(device_limit=10)
    calls = []
    orig = redis.Redis.execute_command

    def wrapped(self, *args, **kw):
        calls.append(args[:2])
        return orig(self, *args, **kw)

    monkeypatch.setattr(redis.Redis, "execute_command", wrapped)
    for i in range(3):
        page = client.get(f"/s/{q.code}/")
        calls.clear()
        with CaptureQueriesContext(connection) as taken:
            sent = client.post(f"/s/{q.code}/", {"target": target.pk, "started": page.context["started"], **SHEET})
        assert sent.status_code == 302, sent.context.get("refusal")
        print("POST", i, len(calls), [c[0] for c in calls], len(taken))
    calls.clear()
    client.get(f"/s/{q.code}/")
    print("GET", len(calls), calls)
    assert 0
