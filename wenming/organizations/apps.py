from django.apps import AppConfig


class OrganizationsConfig(AppConfig):
    name = "wenming.organizations"
    verbose_name = "地区与单位"

    def ready(self) -> None:
        # imported here: registering needs every app's models loaded (Django app loading)
        from wenming.accounts.scope import units_visible_to
        from wenming.audit.selectors import audit_visibility_register
        from wenming.organizations import importer  # noqa: F401  (registers the unit sheet)
        from wenming.organizations.models import Unit

        # offices browse the audit events of the units they may see
        audit_visibility_register(Unit, units_visible_to)
