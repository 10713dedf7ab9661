from django.apps import AppConfig
from django.utils.translation import pgettext_lazy


class FieldServiceConfig(AppConfig):
    name = "kefu.fieldservice"
    verbose_name = "上门服务"

    def ready(self) -> None:
        from django.db.models import Q

        from kefu.core import lists, navigation, workbench
        from kefu.customers.models import register_relation_scope
        from kefu.documents import attachments
        from kefu.fieldservice import demo, selectors, tables, views
        from kefu.fieldservice import rules as _rules  # noqa: F401 — registers the permissions
        from kefu.org import demo_data, roles

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
        # QS-6: a field engineer sees the customers of the orders dispatched to them, no others.
        register_relation_scope(
            roles.FIELD_ENGINEER, lambda user, prefix: Q(**{f"{prefix}work_orders__engineer": user})
        )
        demo_data.register(demo.load)
        attachments.register_subject("fieldservice.servicesheet", may_see=selectors.may_see_sheet)
        for table in tables.TABLES:
            lists.register(table)
