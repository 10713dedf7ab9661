from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "kefu.core"
    verbose_name = "核心"

    def ready(self) -> None:
        from rest_framework import serializers

        from kefu.core.serializers import IdField

        # Every writable reference a ModelSerializer builds is a strict id too (1.5 is a 400).
        serializers.ModelSerializer.serializer_related_field = IdField
