from django.apps import AppConfig


class DashboardsConfig(AppConfig):
    name = "wenming.dashboards"
    verbose_name = "统计看板"

    def ready(self) -> None:
        # the tallies follow every change of an application in the same transaction (exact:
        # a tally is never seen out of step with the applications it counts)
        from wenming.campaigns.transitions import application_changed
        from wenming.dashboards.services import dashboard_application_changed

        application_changed.connect(dashboard_application_changed, exact=True)
