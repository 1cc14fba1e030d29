from django.apps import AppConfig


class SurveysConfig(AppConfig):
    name = "wenming.surveys"
    verbose_name = "问卷调查"

    def ready(self) -> None:
        # imported here: registering needs every app's models loaded (Django app loading)
        from wenming.audit.services import ACTION_LABELS
        from wenming.campaigns.sources import application_source_register
        from wenming.surveys import exports, importer  # noqa: F401  (register job and importer)
        from wenming.surveys.feed import figures_of_application

        ACTION_LABELS.update(
            {
                "survey.create": "新建问卷",
                "survey.version": "问卷版本",
                "survey.target": "问卷调查对象",
                "survey.tokens": "生成问卷二维码",
                "survey.exclude": "剔除问卷答卷",
                "survey.include": "恢复问卷答卷",
                "survey.figure": "问卷满意度计入测评",
                "survey.import": "导入问卷题目",
            }
        )
        application_source_register(figures_of_application)
