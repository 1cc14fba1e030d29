"""The rate into an evaluation through the engine; the .xlsx round trip; the QR sheet."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from django.utils import timezone

from tests.conftest import library, need_cjk_font
from tests.core.helpers import full_marks
from wenming.accounts.scope import scope_for
from wenming.assessments.models import AssessmentStatus, SelfAssessment
from wenming.campaigns.models import Application, Campaign, Evaluation, State
from wenming.campaigns.sources import application_sources
from wenming.frameworks.selectors import engine_of
from wenming.frameworks.services import framework_import
from wenming.imports.base import open_workbook
from wenming.surveys.answering import Submission, started_stamp, submit
from wenming.surveys.exports import tokens_pdf
from wenming.surveys.feed import figure_record
from wenming.surveys.importer import QuestionImporter, questions_xlsx
from wenming.surveys.rules import QuestionSpec
from wenming.surveys.services import (
    mapping_set,
    question_add,
    questionnaire_create,
    target_add,
    tokens_create,
    version_new,
    version_open,
)


def test_the_rate_enters_the_evaluation_through_the_engine(world):
    office = world.people.east_office
    edition = framework_import(framework=library("civilized-unit"))[0]
    engine = engine_of(edition)
    campaign = Campaign.objects.create(
        name="文明单位", year=2026, level="district", region=world.east, edition=edition,
        apply_from=date(2026, 1, 1), apply_until=date(2026, 12, 31), created_by=office,
    )  # fmt: skip
    items = {c: {"value": engine.styles[c].render(i.value)} for c, i in full_marks(engine).items()}
    data = {"framework": edition.code, "edition": edition.edition, "unit": world.s2.name,
            "as_of": date(2026, 6, 30), "items": items}  # fmt: skip
    assessment = SelfAssessment.objects.create(
        unit=world.s2, edition=edition, revision=1, status=AssessmentStatus.SUBMITTED,
        as_of=date(2026, 5, 20), created_by=office, submitted_by=office,
        total_centi=10000, grade="优秀", vetoed=False,
    )  # fmt: skip
    application = Application.objects.create(
        campaign=campaign, unit=world.s2, assessment=assessment, state=State.IN_REVIEW,
        step="evaluate", region_path=world.s2.region_path,
    )  # fmt: skip
    Evaluation.objects.create(
        application=application, step="evaluate", source="paper", data=data,
        total_centi=10000, grade="优秀", recorded_by=office,
    )  # fmt: skip
    q = questionnaire_create(actor=office, campaign=campaign, title="满意度", audience="public")
    version = q.versions.get()
    for key in ("Q1", "Q2"):
        question_add(
            actor=office, version=version, section=version.sections.get(),
            spec=QuestionSpec(key=key, text="是否满意", kind="satisfaction"),
        )  # fmt: skip
    mapping = mapping_set(actor=office, version=version, code="D2.3", keys=["Q1", "Q2"])
    target = target_add(actor=office, questionnaire=q, unit=world.s2, quota=10)
    version_open(actor=office, version=version)
    for n, pair in enumerate((["满意", "基本满意"], ["满意", "满意"])):
        submit(
            Submission(
                questionnaire=q, target=target, token=None, device=f"d{n}",
                answers={"Q1": [pair[0]], "Q2": [pair[1]]},
                started=started_stamp(timezone.now() - timedelta(minutes=2)),
            )
        )  # fmt: skip
    figure = figure_record(actor=office, mapping=mapping, target=target, application=application)
    assert figure.rate == Decimal(95)  # (1 + 0.8 + 1 + 1) / 4
    latest = application.evaluations.first()
    assert latest is not None
    assert latest.source == "survey" and latest.data["items"]["D2.3"]["value"] == "95%"
    assert "有效答卷2份" in latest.data["items"]["D2.3"]["note"]
    [line] = application_sources(application)
    assert line.code == "D2.3" and line.value == "95%" and line.lines


def test_questions_go_out_and_back_as_one_row_each(world, survey):
    q, _, _ = survey
    office = world.people.east_office
    draft = version_new(actor=office, questionnaire=q)
    content = questions_xlsx(draft)
    importer = QuestionImporter(context={"version": str(draft.pk)}, user=office)
    importer.check_context()
    plan = importer.plan(open_workbook(content), scope=scope_for(office))
    assert plan.ok, [str(e) for e in plan.errors]
    importer.apply(plan, actor=office)
    assert list(draft.questions.values_list("key", "show_if_key")) == [
        ("Q1", ""), ("Q2", ""), ("Q3", ""), ("Q4", ""), ("Q5", "Q1"),
    ]  # fmt: skip
    assert draft.mappings.get().keys == ["Q1", "Q2"]


def test_an_opened_version_refuses_an_import_naming_the_row(world, survey):
    _, version, _ = survey
    office = world.people.east_office
    importer = QuestionImporter(context={"version": str(version.pk)}, user=office)
    importer.check_context()
    plan = importer.plan(open_workbook(questions_xlsx(version)), scope=scope_for(office))
    assert not plan.ok and "已启用" in str(plan.errors[0])


def test_token_sheet_is_a_pdf(world, survey):
    need_cjk_font()
    q, _, target = survey
    tokens = tokens_create(actor=world.people.east_office, target=target, count=7)
    pdf = tokens_pdf(
        title=q.title, target_name=target.name, tokens=tokens, base="http://x", per_page=6
    )
    assert (
        pdf.startswith(b"%PDF") and pdf.count(b"/Type /Page\n") + pdf.count(b"/Type /Page>>") >= 0
    )


def test_the_answers_export_keeps_a_hostile_answer_as_text(world, survey, settings, tmp_path):
    from tests.test_exports_inert import LINK, assert_inert
    from wenming.jobs.services import job_run, result_path
    from wenming.jobs.tasks import job_start

    settings.MEDIA_ROOT = tmp_path
    q, version, target = survey
    submit(
        Submission(
            questionnaire=q, target=target, token=None, device="d",
            answers={"Q1": ["不满意"], "Q2": ["满意"], "Q3": ["满意"], "Q4": ["满意"], "Q5": [LINK]},
            started=started_stamp(timezone.now() - timedelta(minutes=2)),
        )
    )  # fmt: skip
    job = job_start(
        kind="survey_answers", label="答卷", owner=world.people.east_office,
        params={"questionnaire": q.pk, "version": version.pk},
    )  # fmt: skip
    job_run(job.pk)
    job.refresh_from_db()
    assert job.result_name.endswith(".xlsx"), job.error
    assert_inert("答卷", result_path(job).read_bytes(), LINK)
