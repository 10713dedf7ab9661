from django.apps import AppConfig
from django.utils.translation import pgettext_lazy


class SurveysConfig(AppConfig):
    name = "kefu.surveys"
    verbose_name = "满意度调查"

    def ready(self) -> None:
        from kefu.core import lists, navigation
        from kefu.org import demo_data
        from kefu.surveys import demo, rules, tables  # noqa: F401 - rules registers the permissions

        navigation.register(
            navigation.NavItem("surveys", pgettext_lazy("nav", "满意度"), "surveys:list", "surveys.view_list", order=16)
        )
        demo_data.register(demo.load)
        lists.register(tables.SURVEYS)
