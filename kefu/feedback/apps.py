from django.apps import AppConfig
from django.utils.translation import pgettext_lazy


class FeedbackConfig(AppConfig):
    name = "kefu.feedback"
    verbose_name = "客户意见"

    def ready(self) -> None:
        from kefu.core import lists, navigation
        from kefu.feedback import demo, report, rules, tables  # noqa: F401 -- report registers the analysis
        from kefu.org import demo_data

        navigation.register(
            navigation.NavItem(
                "feedback", pgettext_lazy("nav", "客户意见"), "feedback:list", "feedback.view_list", order=72
            )
        )
        lists.register(tables.FEEDBACK)
        demo_data.register(demo.load)
