from django.apps import AppConfig
from django.utils.translation import pgettext_lazy


class ProblemsConfig(AppConfig):
    name = "kefu.problems"
    verbose_name = "客户问题总结"

    def ready(self) -> None:
        from kefu.core import navigation
        from kefu.org import demo_data
        from kefu.problems import demo, report, rules  # noqa: F401 -- report registers the summary, rules the permission

        navigation.register(
            navigation.NavItem(
                "problems",
                pgettext_lazy("nav", "问题总结"),
                "problems:summary",
                "problems.view_summary",
                order=71,
            )
        )
        demo_data.register(demo.load)
