from django.apps import AppConfig


class NotifyConfig(AppConfig):
    name = "kefu.notify"
    verbose_name = "通知"
