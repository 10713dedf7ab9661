from django.apps import AppConfig


class OrgConfig(AppConfig):
    name = "kefu.org"
    verbose_name = "组织"

    def ready(self) -> None:
        from kefu.core import lists

        lists.register("org:station_list")
        lists.register("org:user_list")
