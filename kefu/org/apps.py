from django.apps import AppConfig


class OrgConfig(AppConfig):
    name = "kefu.org"
    verbose_name = "组织"

    def ready(self) -> None:
        from kefu.core import lists
        from kefu.org import tables

        lists.register(tables.STATIONS)
        lists.register(tables.USERS)
