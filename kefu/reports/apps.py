from django.apps import AppConfig


class ReportsConfig(AppConfig):
    """The reports kit (issue 15): domains declare their reports on it (`kefu.reports.kit`)."""

    name = "kefu.reports"
    verbose_name = "报表"

    def ready(self) -> None:
        from kefu.reports import rules  # noqa: F401 -- registers the permissions
