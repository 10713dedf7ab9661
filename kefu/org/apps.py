from django.apps import AppConfig


class OrgConfig(AppConfig):
    name = "kefu.org"
    verbose_name = "组织"
