"""The audit trail as one hash chain: intact, and each kind of tampering named at its event."""

from __future__ import annotations

import hashlib
import itertools
from datetime import UTC, datetime, timedelta

import pytest

from tests.audit.conftest import event, tamper, tampering
from wenming.audit.chain import canonical_v1, digest, event_content
from wenming.audit.models import GENESIS, AuditEvent
from wenming.audit.services import audit_record
from wenming.audit.verify import Anchor, chain_verify

pytestmark = pytest.mark.django_db


def test_every_event_is_linked_to_the_one_before(trail):
    events = list(AuditEvent.objects.order_by("seq"))
    assert [e.seq for e in events] == list(range(1, len(events) + 1))
    assert events[0].prev_hash == GENESIS
    for before, after in itertools.pairwise(events):
        assert after.prev_hash == before.hash
        assert after.at >= before.at


def test_an_intact_chain_verifies_in_small_batches(trail):
    total = AuditEvent.objects.count()
    seen: list[int] = []
    report = chain_verify(batch=3, progress=lambda done, _total: seen.append(done))
    assert report.ok, report.message
    assert report.checked == total and report.head_seq == total
    assert seen[-1] == total and len(seen) == -(-total // 3)


def test_an_empty_trail_verifies():
    assert chain_verify().ok


def test_the_layout_is_the_documented_bytes():
    at = datetime(2026, 12, 2, 4, 5, 6, 789, tzinfo=UTC)
    content = (
        7,
        "ab" * 32,
        at,
        3,
        "unit.update",
        "organizations.unit",
        "12",
        "江东区第一小学",
        "名称",
        "旧\n名",
        'new "name"',
        "",
    )
    expected = (
        '["wenming-audit",1,7,"' + "ab" * 32 + '","2026-12-02T04:05:06.000789Z",3,'
        '"unit.update","organizations.unit","12","江东区第一小学","名称","旧\\n名",'
        '"new \\"name\\"",""]'
    ).encode()
    assert canonical_v1(content) == expected
    assert digest(1, content) == hashlib.sha256(expected).hexdigest()
    assert digest(99, content) is None


def test_editing_a_field_names_the_event(trail):
    target = trail.seqs[4]
    tamper(target, new="江东区被改")
    report = chain_verify()
    assert not report.ok and report.break_seq == target
    assert f"第{target}号记录" in report.message and "内容已被改动" in report.message
    assert "登记的摘要" in report.message and "算出的摘要" in report.message


@pytest.mark.parametrize(
    "change",
    [
        {"actor": None},
        {"action": "region.create"},
        {"object_id": "999"},
        {"object_label": "别的地区"},
        {"field": "代码"},
        {"old": "x"},
        {"comment": "补记"},
    ],
)
def test_every_field_that_matters_is_covered(trail, change):
    tamper(trail.seqs[2], **change)
    assert chain_verify().break_seq == trail.seqs[2]


def test_moving_the_time_is_detected(trail):
    at = event(trail.seqs[3]).at
    tamper(trail.seqs[3], at=at - timedelta(microseconds=1))
    assert chain_verify().break_seq == trail.seqs[3]


def test_a_row_rewritten_with_a_fresh_digest_breaks_the_next_link(trail):
    target = trail.seqs[5]
    row = event(target)
    row.new = "江东区被改"
    fresh = digest(1, event_content(row))
    tamper(target, new=row.new, hash=fresh)
    report = chain_verify()
    assert report.break_seq == target + 1
    assert f"与第{target}号记录的链接断开" in report.message


def test_deleting_a_row_shows_a_missing_link(trail):
    target = trail.seqs[3]
    with tampering():
        AuditEvent.objects.filter(seq=target).delete()
    report = chain_verify()
    assert not report.ok and report.break_seq == target
    assert f"第{target}号记录缺失" in report.message and "删除" in report.message


def test_deleting_the_last_rows_shows_against_the_last_verification(trail):
    last = event(trail.seqs[-1])
    anchor = Anchor(seq=last.seq, hash=last.hash, at=datetime.now(UTC))
    with tampering():
        AuditEvent.objects.filter(seq__gte=last.seq - 1).delete()
    assert chain_verify().ok  # a shorter chain is still a chain …
    report = chain_verify(anchor=anchor)  # … but not the one seen at the last verification
    assert report.break_seq == last.seq - 1
    assert f"第{last.seq - 1}至第{last.seq}号记录缺失" in report.message


def test_a_deleted_last_row_replaced_by_a_new_event_shows_at_the_anchor(trail):
    last = event(trail.seqs[-1])
    anchor = Anchor(seq=last.seq, hash=last.hash, at=datetime.now(UTC))
    with tampering():
        AuditEvent.objects.filter(seq=last.seq).delete()
    recorded = audit_record(actor=trail.office, action="region.update", obj=trail.district)
    assert recorded.seq == last.seq
    report = chain_verify(anchor=anchor)
    assert report.break_seq == last.seq and "被替换" in report.message


def test_a_forged_row_with_a_made_up_digest_is_named(trail):
    last = event(trail.seqs[-1])
    with tampering():
        AuditEvent.objects.create(
            seq=last.seq + 1,
            at=last.at,
            action="unit.update",
            object_type="organizations.unit",
            object_id="1",
            object_label="伪造",
            prev_hash=last.hash,
            hash="f" * 64,
        )
    report = chain_verify()
    assert report.break_seq == last.seq + 1 and "内容已被改动" in report.message


def test_a_forged_row_in_place_of_a_deleted_one_breaks_the_next_link(trail):
    target = trail.seqs[4]
    original = event(target)
    forged = AuditEvent(
        seq=target,
        at=original.at,
        actor=original.actor,
        action="region.update",
        object_type=original.object_type,
        object_id=original.object_id,
        object_label=original.object_label,
        field="名称",
        old="江东区3",
        new="伪造的名称",
        prev_hash=original.prev_hash,
    )
    forged.hash = digest(1, event_content(forged)) or ""
    with tampering():
        original.delete()
        forged.save(force_insert=True)
    report = chain_verify()
    assert report.break_seq == target + 1
    assert (
        f"第{target + 1}号记录" in report.message
        and f"与第{target}号记录的链接断开" in report.message
    )


def test_swapping_two_rows_names_the_first_swapped(trail):
    a, b = trail.seqs[6], trail.seqs[7]
    with tampering():
        AuditEvent.objects.filter(seq=a).update(seq=10**9)
        AuditEvent.objects.filter(seq=b).update(seq=a)
        AuditEvent.objects.filter(seq=10**9).update(seq=b)
    report = chain_verify()
    assert report.break_seq == a and f"第{a}号记录" in report.message
    assert "链接断开" in report.message


def test_a_chain_recomputed_since_the_last_check_shows_at_the_anchor(trail):
    anchor = Anchor(seq=trail.seqs[-1], hash=event(trail.seqs[-1]).hash, at=datetime.now(UTC))
    assert chain_verify(anchor=anchor).ok
    # someone rewrites an event and every digest after it, head included
    with tampering():
        prev = event(trail.seqs[2] - 1).hash
        for row in AuditEvent.objects.filter(seq__gte=trail.seqs[2]).order_by("seq"):
            if row.seq == trail.seqs[2]:
                row.new = "江东区被改"
            row.prev_hash = prev
            row.hash = prev = digest(1, event_content(row)) or ""
            AuditEvent.objects.filter(pk=row.pk).update(
                new=row.new, prev_hash=row.prev_hash, hash=row.hash
            )
    assert chain_verify().ok  # without a remembered head nothing can tell
    report = chain_verify(anchor=anchor)
    assert report.break_seq == trail.seqs[-1] and "重新计算" in report.message
