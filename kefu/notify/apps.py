from django.apps import AppConfig


class NotifyConfig(AppConfig):
    name = "kefu.notify"
    verbose_name = "通知"

    def ready(self) -> None:
        from kefu.core import lists
        from kefu.notify import tables

        lists.register(tables.NOTIFICATIONS)
