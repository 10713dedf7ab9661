from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import pgettext_lazy


def _seed_defaults(sender, using="default", **kwargs) -> None:
    """Reference data, not a business rule: the standard calendars and the rule table exist
    on every database after `migrate` (and after a test flush), never overwriting edits."""
    from django.db import connections
    from django.utils import timezone

    from kefu.deadlines import defaults

    if "deadlines_deadlinerule" not in connections[using].introspection.table_names():
        return  # migrated backwards past this app
    defaults.sync(now=timezone.now())


class DeadlinesConfig(AppConfig):
    name = "kefu.deadlines"
    verbose_name = "时限"

    def ready(self) -> None:
        from kefu.core import lists, navigation, workbench
        from kefu.deadlines import demo, tables
        from kefu.deadlines.views import workbench_panel
        from kefu.org import demo_data

        navigation.register(
            navigation.NavItem(
                "calendars",
                pgettext_lazy("nav", "工作日历"),
                "deadlines:calendar_list",
                "deadlines.view_calendar",
                order=96,
            )
        )
        navigation.register(
            navigation.NavItem(
                "deadline_rules",
                pgettext_lazy("nav", "时限规则"),
                "deadlines:rule_list",
                "deadlines.view_rule_list",
                order=97,
            )
        )
        workbench.register(workbench_panel)
        demo_data.register(demo.load)
        for table in (tables.CLOCKS, tables.RULES, tables.CALENDARS):
            lists.register(table)
        post_migrate.connect(_seed_defaults, sender=self, dispatch_uid="kefu.deadlines.seed_defaults")
