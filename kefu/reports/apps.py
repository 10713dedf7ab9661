from django.apps import AppConfig


class ReportsConfig(AppConfig):
    """The reports kit (issue 15): domains declare their reports on it (`kefu.reports.kit`)."""

    name = "kefu.reports"
    verbose_name = "报表"

    def ready(self) -> None:
        from kefu.notify import channels
        from kefu.reports import rules, subscriptions  # noqa: F401 -- rules registers the permissions

        channels.register_attachments("report.subscription", subscriptions.attachments)
