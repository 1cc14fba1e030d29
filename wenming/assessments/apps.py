from django.apps import AppConfig


class AssessmentsConfig(AppConfig):
    name = "wenming.assessments"
    verbose_name = "自评"

    def ready(self) -> None:
        # imported here: registering needs every app's models loaded (Django app loading)
        from wenming.assessments.access import assessments_visible_to
        from wenming.assessments.models import SelfAssessment
        from wenming.audit.selectors import audit_visibility_register

        # offices browse the audit events of the self-assessments they may see
        audit_visibility_register(SelfAssessment, assessments_visible_to)
