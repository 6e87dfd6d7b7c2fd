"""Who is at the other end of a WebSocket, and whether their page may connect.

The same two doors as the REST API: an access JWT (`?token=<access>`, since
browsers cannot set headers on a WebSocket, or `Authorization: Bearer`), else
the Django session. A token that is presented but not valid makes the
connection anonymous, even if a session cookie came along: the client asked
to be someone, and could not prove it. Deciding what an anonymous connection
gets (a close with 4401) is the consumer's business, not the middleware's.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import ParseResult, parse_qs

from channels.auth import AuthMiddlewareStack
from channels.db import database_sync_to_async
from channels.middleware import BaseMiddleware
from channels.security.websocket import OriginValidator
from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from rest_framework.exceptions import AuthenticationFailed
from rest_framework_simplejwt.authentication import JWTAuthentication
from rest_framework_simplejwt.exceptions import InvalidToken, TokenError

# Scope keys this module sets, for the consumers to read.
AUTH_ERROR = "auth_error"
AUTH_EXPIRES_AT = "auth_expires_at"


def raw_token(scope: Any) -> str | None:
    """The access token the client sent, from the query string or the header."""
    query = parse_qs(scope.get("query_string", b"").decode("latin1"))
    if query.get("token"):
        return str(query["token"][0])
    for name, value in scope.get("headers", []):
        if name.lower() == b"authorization":
            kind, _, token = str(value.decode("latin1")).partition(" ")
            if kind.lower() == "bearer" and token.strip():
                return token.strip()
    return None


@database_sync_to_async
def user_for_token(token: str) -> tuple[Any, int | None, str | None]:
    """(user, expiry as a Unix time, error code); the user is anonymous on an error.

    Validated exactly as the REST API's JWTAuthentication does: signature, expiry,
    token type (an access token, never a refresh one), an active user.
    """
    authentication = JWTAuthentication()
    try:
        validated = authentication.get_validated_token(token.encode())
        user = authentication.get_user(validated)
    except (InvalidToken, TokenError):
        return AnonymousUser(), None, "token_not_valid"
    except AuthenticationFailed as exc:
        # simplejwt's errors carry their own code (user_inactive...) as a value of the detail.
        code = exc.detail.get("code") if isinstance(exc.detail, dict) else None
        return AnonymousUser(), None, str(code) if code else "authentication_failed"
    expires_at = validated.get("exp")
    return user, int(expires_at) if isinstance(expires_at, int | float) else None, None


class JwtAuthMiddleware(BaseMiddleware):
    """Sets `scope["user"]` from an access token when one is sent (see the module)."""

    async def __call__(self, scope: Any, receive: Any, send: Any) -> Any:
        token = raw_token(scope)
        if token is not None:
            scope = dict(scope)
            user, expires_at, error = await user_for_token(token)
            scope["user"] = user
            scope[AUTH_EXPIRES_AT] = expires_at
            scope[AUTH_ERROR] = error
        return await super().__call__(scope, receive, send)


def JwtAuthMiddlewareStack(inner: Any) -> Any:  # noqa: N802 (named like channels' stacks)
    """The session (cookies, session, user) first, then a token, if any, overrides it."""
    return AuthMiddlewareStack(JwtAuthMiddleware(inner))


class BrowserOriginValidator(OriginValidator):
    """Refuses WebSocket handshakes from pages of other sites.

    A page may connect when its origin is one of ALLOWED_HOSTS (as channels'
    AllowedHostsOriginValidator) or of CORS_ALLOWED_ORIGINS, where the frontend
    learners' apps run. A handshake with no Origin at all is let through,
    unlike channels' default: only browsers send one, and only a browser could
    be tricked into lending its cookies to a cross-site socket; scripts, mobile
    apps and CLI clients bring a token and have no origin to check.
    """

    def valid_origin(self, parsed_origin: ParseResult | None) -> bool:
        if parsed_origin is None:
            return True
        return self.validate_origin(parsed_origin)


def allowed_origins() -> list[str]:
    hosts = list(settings.ALLOWED_HOSTS)
    if settings.DEBUG and not hosts:
        hosts = ["localhost", "127.0.0.1", "[::1]"]
    return [*hosts, *getattr(settings, "CORS_ALLOWED_ORIGINS", [])]


def OriginValidatorStack(inner: Any) -> Any:  # noqa: N802
    return BrowserOriginValidator(inner, allowed_origins())
