from django.apps import AppConfig


class DocumentsConfig(AppConfig):
    name = "kefu.documents"
    verbose_name = "文件"
