from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "kefu.core"
    verbose_name = "核心"

    def ready(self) -> None:
        from rest_framework import serializers

        from kefu.core.serializers import IdField, strict_text

        # Every writable reference a ModelSerializer builds is a strict id too (1.5 is a 400).
        serializers.ModelSerializer.serializer_related_field = IdField
        # A text field takes text: JSON's 0 or true for a phenomenon is a client's bug, a 400
        # (DRF would store "0"). Form posts are text anyway.
        serializers.CharField.to_internal_value = strict_text(serializers.CharField.to_internal_value)
