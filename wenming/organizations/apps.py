from django.apps import AppConfig


class OrganizationsConfig(AppConfig):
    name = "wenming.organizations"
    verbose_name = "地区与单位"

    def ready(self) -> None:
        from wenming.organizations import importer  # noqa: F401  (registers the unit sheet)
