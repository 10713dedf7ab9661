from django.apps import AppConfig
from django.utils.translation import pgettext_lazy


class CustomersConfig(AppConfig):
    name = "kefu.customers"
    verbose_name = "客户档案"

    def ready(self) -> None:
        from kefu.core import lists, navigation
        from kefu.customers import demo, masking, tables
        from kefu.org import demo_data

        masking.declare("customers.contact", mobile="phone", phone="phone")
        masking.declare("customers.customer", address="address")
        navigation.register(
            navigation.NavItem(
                "customers", pgettext_lazy("nav", "客户"), "customers:list", "customers.view_customer_list", order=10
            )
        )
        demo_data.register(demo.load)
        lists.register(tables.CUSTOMERS)
