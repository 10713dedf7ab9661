"""The OpenAPI schema tells the truth about errors (issue 13 §3): every operation documents the
error answers of the one error contract (`kefu.core.api.exception_handler`) it can give, with
the same body: `{"detail", "code", "field"?, "errors"?}`."""

from drf_spectacular.openapi import AutoSchema as SpectacularAutoSchema
from rest_framework import permissions, serializers

WRITE_METHODS = ("POST", "PUT", "PATCH", "DELETE")


class ErrorSerializer(serializers.Serializer):
    """Every API error: a readable sentence in the user's language, a code, and where it applies
    the field and the field errors."""

    detail = serializers.CharField()
    code = serializers.CharField()
    field = serializers.CharField(required=False, help_text="the input field the error is about")
    errors = serializers.JSONField(required=False, help_text="field errors, as nested as the input")

    class Meta:
        ref_name = "Error"


class AutoSchema(SpectacularAutoSchema):
    def _public(self) -> bool:
        return any(
            isinstance(p, type) and issubclass(p, permissions.AllowAny)
            for p in getattr(self.view, "permission_classes", [])
        )

    def _error_codes(self) -> list[str]:
        codes = ["400"]
        if not self._public():
            codes += ["401", "403"]
        if "{" in self.path:
            codes.append("404")
        if self.method in WRITE_METHODS:
            codes += ["409", "413"]
        if self.path.rstrip("/").endswith("/auth/token"):
            codes.append("429")
        return codes

    def _get_response_bodies(self, direction="response"):
        responses = super()._get_response_bodies(direction)
        if direction != "response":
            return responses
        for code in self._error_codes():
            responses.setdefault(code, self._get_response_for_code(ErrorSerializer, code, direction=direction))
        return responses
