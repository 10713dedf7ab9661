"""The OpenAPI schema tells the truth about errors (issue 13 §3): every operation documents the
error answers of the one error contract (`kefu.core.api.exception_handler`) it can give, with
the same body: `{"detail", "code", "field"?, "errors"?}`."""

from drf_spectacular.extensions import OpenApiAuthenticationExtension
from drf_spectacular.openapi import AutoSchema as SpectacularAutoSchema
from drf_spectacular.plumbing import build_bearer_security_scheme_object
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


class TokenScheme(OpenApiAuthenticationExtension):
    """`Authorization: Token <token>` (kefu.org.authentication, knox tokens that expire)."""

    target_class = "kefu.org.authentication.TokenAuthentication"
    name = "tokenAuth"

    def get_security_definition(self, auto_schema):
        return build_bearer_security_scheme_object(header_name="Authorization", token_prefix="Token")  # noqa: S106 -- the scheme name


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
        if "{" in self.path or (self.method == "GET" and self._is_list_view()):
            codes.append("404")  # a detail that does not exist, or a page past the last
        if self.method in WRITE_METHODS:
            codes += ["409", "413"]
        if self.method == "GET":
            codes.append("414")  # a query string longer than the server takes (gunicorn: 4 kB)
        if self.path.rstrip("/").endswith("/auth/token"):
            codes.append("429")
        return codes

    def _get_response_bodies(self, direction="response"):
        responses = super()._get_response_bodies(direction)
        if direction != "response":
            return responses
        for code in self._error_codes():
            if code == "414":  # said by gunicorn before Django sees the request: its own HTML page
                responses.setdefault(
                    code, {"description": "URI Too Long", "content": {"text/html": {"schema": {"type": "string"}}}}
                )
                continue
            responses.setdefault(code, self._get_response_for_code(ErrorSerializer, code, direction=direction))
        return responses


def _model_field(model, source: str):
    if not source or "." in source or source == "*":
        return None
    try:
        return model._meta.get_field(source)
    except Exception:
        return None


def declare_model_nulls_and_blanks(result, generator, request, public):
    """A postprocessing hook: a serializer field over a nullable column is declared nullable, and
    a choice over a column that may be blank accepts "", also when the field is read-only (DRF
    drops `allow_blank` and `allow_null` there, so the schema would promise more than it keeps)."""
    schemas = result.get("components", {}).get("schemas", {})
    for component in generator.registry._components.values():
        serializer = component.object
        model = getattr(getattr(serializer, "Meta", None), "model", None)
        schema = schemas.get(component.name)
        if model is None or schema is None or not hasattr(serializer, "fields"):
            continue
        try:
            fields = serializer.fields if not isinstance(serializer, type) else serializer().fields
        except Exception:  # noqa: S112 -- a serializer that needs a context to build
            continue
        properties = schema.get("properties", {})
        for name, field in fields.items():
            prop = properties.get(name)
            column = _model_field(model, getattr(field, "source", name) or name)
            if prop is None or column is None or column.auto_created or getattr(column, "many_to_many", False):
                continue
            if column.null and not prop.get("nullable"):
                prop["nullable"] = True
            refs = prop.get("allOf") or []
            if column.blank and column.choices and refs and not getattr(column, "null", False):
                prop.pop("allOf")
                prop["oneOf"] = [*refs, {"$ref": "#/components/schemas/BlankEnum"}]
                schemas.setdefault("BlankEnum", {"enum": [""]})
    return result
