"""Problem writes: create, the lifecycle transitions, plans, 督办 notices, escalation.

Every transition is one atomic service: it checks the actor's role and region, moves the state
with a compare-and-set update (``UPDATE … WHERE state = old``, so a double click applies once),
writes a ProblemStep and the audit trail, stores the step's files through the attachment store
and brings the tallies (month, quarter, year) up to date in the same transaction.

By topic: ``base`` (refusal, messages, clock, supervising chain, step row), ``lifecycle``,
``plans``, ``supervision`` (escalation and 督办 notices), ``deductions`` (from a
self-assessment) and ``tallies``. Import from this package; the modules are its layout.
"""

from __future__ import annotations

from wenming.rectification.models import TALLY_FIELDS
from wenming.rectification.services.base import (
    DEADLINE_BEFORE,
    FIELD_LABELS,
    FIX_NEEDED,
    MERGE_TARGET,
    NO_REPORT,
    NOT_COMPLAINT,
    NOT_HANDLER,
    NOT_SUBMITTED,
    NOT_SUPERVISOR,
    OUTSIDE_UNIT,
    REASON_NEEDED,
    SAME_PERSON,
    STALE,
    WRONG_STATE,
    Files,
    ProblemRefused,
    chain_of,
    deadline_by_rule,
    month_of,
    spans_of,
)
from wenming.rectification.services.deductions import (
    problems_from_scorecard,
    problems_from_self_assessment,
)
from wenming.rectification.services.lifecycle import (
    problem_accept,
    problem_assign,
    problem_attach,
    problem_call_back,
    problem_close,
    problem_create,
    problem_handle,
    problem_merge,
    problem_return,
    problem_update,
    problem_verify,
)
from wenming.rectification.services.plans import plan_add_problems, rectification_plan_create
from wenming.rectification.services.supervision import (
    grace_days,
    problems_escalate,
    supervision_notice_reply,
    supervision_notice_send,
)
from wenming.rectification.services.tallies import (
    TALLY_KEY,
    tallies_compute,
    tallies_rebuild,
    tally_keys,
    tally_rows,
)

__all__ = [
    "DEADLINE_BEFORE",
    "FIELD_LABELS",
    "FIX_NEEDED",
    "MERGE_TARGET",
    "NOT_COMPLAINT",
    "NOT_HANDLER",
    "NOT_SUBMITTED",
    "NOT_SUPERVISOR",
    "NO_REPORT",
    "OUTSIDE_UNIT",
    "REASON_NEEDED",
    "SAME_PERSON",
    "STALE",
    "TALLY_FIELDS",
    "TALLY_KEY",
    "WRONG_STATE",
    "Files",
    "ProblemRefused",
    "chain_of",
    "deadline_by_rule",
    "grace_days",
    "month_of",
    "plan_add_problems",
    "problem_accept",
    "problem_assign",
    "problem_attach",
    "problem_call_back",
    "problem_close",
    "problem_create",
    "problem_handle",
    "problem_merge",
    "problem_return",
    "problem_update",
    "problem_verify",
    "problems_escalate",
    "problems_from_scorecard",
    "problems_from_self_assessment",
    "rectification_plan_create",
    "spans_of",
    "supervision_notice_reply",
    "supervision_notice_send",
    "tallies_compute",
    "tallies_rebuild",
    "tally_keys",
    "tally_rows",
]
