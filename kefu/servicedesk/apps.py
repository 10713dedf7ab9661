from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class ServiceDeskConfig(AppConfig):
    name = "kefu.servicedesk"
    verbose_name = "服务台"

    def ready(self) -> None:
        from kefu.core import lists, navigation, workbench
        from kefu.customers import masking
        from kefu.documents import attachments
        from kefu.knowledge import suggest
        from kefu.org import demo_data
        from kefu.servicedesk import demo, demo_onsite, portal, rules, selectors, tables, views, workflow  # noqa: F401 -- rules registers the permissions

        for item in (
            navigation.NavItem(
                "requests",
                pgettext_lazy("nav", "服务请求"),
                "servicedesk:list",
                "servicedesk.view_request_list",
                order=20,
            ),
            navigation.NavItem(
                "hotline", pgettext_lazy("nav", "热线"), "servicedesk:hotline", "servicedesk.hotline", order=21
            ),
            navigation.NavItem(
                "duty", pgettext_lazy("nav", "值班安排"), "servicedesk:duty", "servicedesk.view_duty", order=22
            ),
            navigation.NavItem(
                "portal", pgettext_lazy("nav", "我的服务请求"), "portal:list", "servicedesk.submit_portal", order=5
            ),
        ):
            navigation.register(item)
        workflow.register_handoffs()
        workflow.define_chains()
        masking.declare("servicedesk.servicerequest", caller_phone="phone")
        masking.declare("servicedesk.hotlinerecord", caller_phone="phone")
        masking.declare("servicedesk.calllog", caller_phone="phone")
        attachments.register_subject("servicedesk.servicerequest", may_see=selectors.may_see_request)
        workbench.register(views.workbench_panel)
        workbench.register(portal.workbench_panel)
        suggest.register_source(
            selectors.similar_closed_requests,
            key="servicedesk.closed_requests",
            label=_("相似的已关闭服务请求"),
            order=20,
        )
        demo_data.register(demo.load)
        demo_data.register(demo_onsite.load)
        for table in tables.TABLES:
            lists.register(table)
