"""OpenAPI generation: every operation documents the errors it can answer."""

from __future__ import annotations

from typing import Any

from drf_spectacular.openapi import AutoSchema as SpectacularAutoSchema
from rest_framework import permissions, serializers


class ErrorSerializer(serializers.Serializer[Any]):
    """The one error shape of every 4xx and 5xx answer."""

    type = serializers.CharField(help_text="Machine-readable kind, e.g. `validation_error`.")
    detail = serializers.CharField(help_text="A sentence for humans.")
    errors = serializers.DictField(  # type: ignore[assignment]
        child=serializers.ListField(child=serializers.CharField()),
        help_text="Field name to messages; empty unless the input was at fault.",
    )
    request_id = serializers.CharField(help_text="Quote it when reporting a problem.")


_ERROR_DESCRIPTIONS = {
    "400": "Malformed JSON, or input that failed validation (`errors` says where).",
    "401": "Missing, expired, tampered or revoked credentials.",
    "403": "Authenticated, but not allowed to do this.",
    "404": "No such object, or not visible to you.",
    "409": "The object changed since you read it.",
    "413": "The body is over the size limit.",
    "415": "The body is not JSON (or a form).",
    "429": "Too many requests; wait `Retry-After` seconds.",
}


class AutoSchema(SpectacularAutoSchema):
    """Adds the error responses each operation can give, in the error shape."""

    def _get_response_bodies(self, direction: Any = "response") -> dict[str, Any]:
        responses: dict[str, Any] = super()._get_response_bodies(direction)
        for code in self._error_codes():
            if code not in responses:
                response = self._get_response_for_code(  # type: ignore[no-untyped-call]
                    ErrorSerializer, code, direction=direction
                )
                response["description"] = _ERROR_DESCRIPTIONS[code]
                responses[code] = response
        return responses

    def _error_codes(self) -> list[str]:
        method = self.method.upper()
        has_body = method in {"POST", "PUT", "PATCH"}
        codes = []
        if has_body or self._is_list_view():
            codes.append("400")
        # Even an open endpoint answers 401 to a bad or expired Bearer token.
        codes.append("401")
        permission_classes = getattr(self.view, "permission_classes", [])
        if permissions.AllowAny not in permission_classes and (has_body or method == "DELETE"):
            codes.append("403")
        if "{" in self.path:
            codes.append("404")
        if getattr(self.view, "conflict_on_write", False) and has_body:
            codes.append("409")
        if has_body:
            codes.extend(["413", "415"])
        if getattr(self.view, "throttle_scope", None):
            codes.append("429")
        return codes
