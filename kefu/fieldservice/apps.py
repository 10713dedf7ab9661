from django.apps import AppConfig
from django.utils.translation import pgettext_lazy


class FieldServiceConfig(AppConfig):
    name = "kefu.fieldservice"
    verbose_name = "上门服务"

    def ready(self) -> None:
        from kefu.core import navigation, testing, workbench
        from kefu.fieldservice import demo, views
        from kefu.fieldservice import rules as _rules  # noqa: F401 — registers the permissions
        from kefu.org import demo_data

        navigation.register(
            navigation.NavItem(
                "dispatch_board",
                pgettext_lazy("nav", "派工"),
                "fieldservice:board",
                "fieldservice.view_board",
                order=16,
            )
        )
        navigation.register(
            navigation.NavItem(
                "my_orders", pgettext_lazy("nav", "我的工单"), "fieldservice:today", "fieldservice.view_list", order=17
            )
        )
        workbench.register(views.desk_panel)
        demo_data.register(demo.load)
        for name in ("fieldservice:board", "fieldservice:today", "fieldservice:list"):
            if name not in testing.HTML_LISTS:
                testing.HTML_LISTS.append(name)
