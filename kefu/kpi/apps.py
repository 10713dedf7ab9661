from django.apps import AppConfig
from django.utils.translation import pgettext_lazy


class KpiConfig(AppConfig):
    name = "kefu.kpi"
    verbose_name = "服务台 KPI"

    def ready(self) -> None:
        from kefu.core import navigation, workbench
        from kefu.kpi import demo, report, rules, views  # noqa: F401 -- report registers the dashboard, rules the permission
        from kefu.org import demo_data

        navigation.register(
            navigation.NavItem("kpi", pgettext_lazy("nav", "KPI 看板"), "kpi:dashboard", "kpi.view_dashboard", order=70)
        )
        workbench.register(views.workbench_panel)
        demo_data.register(demo.load)
        demo_data.register(demo.build_aggregates)  # after the history: its days built
