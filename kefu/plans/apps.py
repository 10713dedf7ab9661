from django.apps import AppConfig
from django.utils.translation import pgettext_lazy


class PlansConfig(AppConfig):
    name = "kefu.plans"
    verbose_name = "客户服务计划"

    def ready(self) -> None:
        from kefu.core import lists, navigation
        from kefu.customers import views as customer_views
        from kefu.org import demo_data
        from kefu.plans import demo, tables, views, workflow

        navigation.register(
            navigation.NavItem("plans", pgettext_lazy("nav", "服务计划"), "plans:list", "plans.view_list", order=14)
        )
        workflow.define_chains()
        if views.customer_panel not in customer_views.CUSTOMER_PANELS:
            customer_views.CUSTOMER_PANELS.append(views.customer_panel)
        demo_data.register(demo.load)
        lists.register(tables.PLANS)
