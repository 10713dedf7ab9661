from django.apps import AppConfig
from django.utils.translation import pgettext_lazy


class FirstVisitConfig(AppConfig):
    name = "kefu.firstvisit"
    verbose_name = "首访"

    def ready(self) -> None:
        from kefu.core import lists, navigation, workbench
        from kefu.customers import views as customer_views
        from kefu.firstvisit import demo, tables, views
        from kefu.org import demo_data

        navigation.register(
            navigation.NavItem(
                "firstvisit", pgettext_lazy("nav", "首访"), "firstvisit:list", "firstvisit.view_list", order=12
            )
        )
        navigation.register(
            navigation.NavItem(
                "needs", pgettext_lazy("nav", "客户需求"), "firstvisit:needs", "firstvisit.view_needs", order=13
            )
        )
        workbench.register(views.workbench_panel)
        workbench.register(views.needs_panel)
        if views.customer_panel not in customer_views.CUSTOMER_PANELS:
            customer_views.CUSTOMER_PANELS.append(views.customer_panel)
        demo_data.register(demo.load)
        for table in (tables.FIRST_VISITS, tables.NEEDS):
            lists.register(table)
