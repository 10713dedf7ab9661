from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CustomersConfig(AppConfig):
    name = "kefu.customers"
    verbose_name = "客户档案"

    def ready(self) -> None:
        from kefu.core import navigation, testing
        from kefu.customers import demo
        from kefu.org import demo_data

        navigation.register(
            navigation.NavItem("customers", _("客户"), "customers:list", "customers.view_customer_list", order=10)
        )
        demo_data.register(demo.load)
        if "customers:list" not in testing.HTML_LISTS:
            testing.HTML_LISTS.append("customers:list")
