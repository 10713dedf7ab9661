from django.apps import AppConfig
from django.utils.translation import pgettext_lazy


class ComplaintsConfig(AppConfig):
    name = "kefu.complaints"
    verbose_name = "客户投诉"

    def ready(self) -> None:
        from kefu.complaints import demo, report, rules, tables, views, workflow  # noqa: F401 -- report registers the analysis report, rules the permissions
        from kefu.core import lists, navigation, workbench
        from kefu.customers import masking
        from kefu.customers import views as customer_views
        from kefu.org import demo_data

        workflow.define_chains()
        workflow.register_handoffs()
        masking.declare("complaints.complaint", contact_phone="phone")
        for item in (
            navigation.NavItem(
                "complaints", pgettext_lazy("nav", "客户投诉"), "complaints:list", "complaints.view_list", order=30
            ),
            navigation.NavItem(
                "complaint_report",
                pgettext_lazy("nav", "投诉分析"),
                "complaints:monthly_latest",
                "complaints.view_report",
                order=71,
            ),
        ):
            navigation.register(item)
        workbench.register(views.workbench_panel)
        workbench.register(views.monthly_report_panel)
        for table in tables.TABLES:
            lists.register(table)
        demo_data.register(demo.load)
        if views.customer_panel not in customer_views.CUSTOMER_PANELS:
            customer_views.CUSTOMER_PANELS.append(views.customer_panel)
