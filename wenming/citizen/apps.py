from django.apps import AppConfig


class CitizenConfig(AppConfig):
    name = "wenming.citizen"
    verbose_name = "群众随手拍"

    def ready(self) -> None:
        # imported here: registering needs every app's models loaded (Django app loading)
        from wenming.audit.selectors import audit_visibility_register
        from wenming.audit.services import ACTION_LABELS
        from wenming.citizen import access
        from wenming.citizen.models import CitizenReport, ReportCategory, ReportPlace

        # offices browse the events of their regions' reports, categories and places on /audit/
        audit_visibility_register(CitizenReport, access.reports_visible_to)
        audit_visibility_register(ReportCategory, access.categories_visible_to)
        audit_visibility_register(ReportPlace, access.places_visible_to)

        ACTION_LABELS.update(
            {
                "citizen.category": "随手拍类别",
                "citizen.place": "随手拍地点",
                "citizen.report": "群众随手拍",
                "citizen.reply": "随手拍公开答复",
                "citizen.duplicate": "随手拍标记重复",
                "citizen.client": "外部系统接入",
            }
        )
