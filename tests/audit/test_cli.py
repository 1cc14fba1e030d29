"""``wenming audit verify``: 0 with a count when intact, 1 with the first break in Chinese."""

from __future__ import annotations

import pytest

from tests.audit.conftest import tamper, tampering
from wenming.audit.models import AuditEvent, AuditVerification
from wenming.cli import main

pytestmark = pytest.mark.django_db


def test_an_intact_chain_exits_0_with_the_count(trail, capsys):
    total = AuditEvent.objects.count()
    assert main(["audit", "verify"]) == 0
    out, err = capsys.readouterr()
    assert f"审计链完整:{total}条记录逐条核验无误" in out
    assert f"已核验 {total}/{total} 条" in err
    stored = AuditVerification.objects.get()
    assert stored.ok and stored.checked == total


def test_an_edited_event_exits_1_naming_it(trail, capsys):
    tamper(trail.seqs[1], old="别的值")
    assert main(["audit", "verify", "--quiet"]) == 1
    out, err = capsys.readouterr()
    assert "审计链已被改动" in out and f"第{trail.seqs[1]}号记录" in out
    assert "修改地区" in out and "内容已被改动" in out and err == ""
    assert AuditVerification.objects.get().break_seq == trail.seqs[1]


def test_a_deleted_event_exits_1(trail, capsys):
    with tampering():
        AuditEvent.objects.filter(seq=trail.seqs[2]).delete()
    assert main(["audit", "verify", "--quiet"]) == 1
    assert f"第{trail.seqs[2]}号记录缺失" in capsys.readouterr().out


def test_a_chain_rewritten_after_a_verification_exits_1(trail, capsys):
    assert main(["audit", "verify", "--quiet"]) == 0
    with tampering():  # the last two events are removed: what is left is still a chain
        AuditEvent.objects.filter(seq__gte=trail.seqs[-2]).delete()
    assert main(["audit", "verify", "--quiet"]) == 1
    out = capsys.readouterr().out
    assert f"链上有{trail.seqs[-1]}条记录" in out and "缺失" in out
