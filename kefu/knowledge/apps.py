from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class KnowledgeConfig(AppConfig):
    name = "kefu.knowledge"
    verbose_name = "标准化问题库"

    def ready(self) -> None:
        from kefu.core import lists, navigation
        from kefu.customers import timeline
        from kefu.knowledge import demo, rules, tables  # noqa: F401 - rules registers the permissions
        from kefu.org import demo_data

        navigation.register(
            navigation.NavItem(
                "knowledge", pgettext_lazy("nav", "问题库"), "knowledge:list", "knowledge.view_list", order=40
            )
        )
        timeline.register_kind("knowledge", _("问题库"))
        demo_data.register(demo.load)
        lists.register(tables.ARTICLES)
