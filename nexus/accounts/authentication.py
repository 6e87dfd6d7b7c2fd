"""How the REST API knows its caller: a JWT access token, as simplejwt checks it,
with the user read by `selectors.user_signed_in` in one hand-written query.

A client sends the same access token with every request until it expires, and
decoding and verifying it (signature, JSON, claims) was about 4% of posting a
solution. A token that passed is kept, by its text, until its `exp`: the same
text with the same key passes the same checks until then (access tokens are
not blacklisted; revocation goes through the user, read on every request). At
or after `exp` it is checked afresh, so it fails as simplejwt fails it.
"""

from __future__ import annotations

import contextlib
import time
from typing import TYPE_CHECKING, Any

from drf_spectacular.contrib.rest_framework_simplejwt import SimpleJWTScheme
from rest_framework_simplejwt import authentication
from rest_framework_simplejwt.exceptions import AuthenticationFailed, InvalidToken
from rest_framework_simplejwt.settings import api_settings
from rest_framework_simplejwt.tokens import Token
from rest_framework_simplejwt.utils import get_md5_hash_password

if TYPE_CHECKING:
    from nexus.accounts.models import User


# Tokens that passed, by their text: (token, its `exp` in seconds since the epoch).
_checked: dict[bytes, tuple[Token, float]] = {}
CHECKED_TOKENS = 4096
_now = time.time


class JWTAuthentication(authentication.JWTAuthentication):
    """simplejwt's authentication with the same checks and errors; only the
    read of the user differs (it is most of what authenticating costs), and a
    token that passed is not decoded again before it expires."""

    def get_validated_token(self, raw_token: bytes) -> Token:
        kept = _checked.get(raw_token)
        if kept is not None and _now() < kept[1]:
            return kept[0]
        token = super().get_validated_token(raw_token)
        expires = token.payload.get("exp")
        if isinstance(expires, int | float) and not isinstance(expires, bool):
            if len(_checked) >= CHECKED_TOKENS:
                # the oldest out; another thread may have taken it already
                with contextlib.suppress(KeyError, RuntimeError, StopIteration):
                    del _checked[next(iter(_checked))]
            _checked[raw_token] = (token, float(expires))
        return token

    def get_user(self, validated_token: Token) -> Any:
        try:
            user_id = validated_token[api_settings.USER_ID_CLAIM]
        except KeyError as exc:
            raise InvalidToken("Token contained no recognizable user identification") from exc
        user = _user(user_id)
        if user is None:
            raise AuthenticationFailed("User not found", code="user_not_found")
        if api_settings.CHECK_USER_IS_ACTIVE and not user.is_active:
            raise AuthenticationFailed("User is inactive", code="user_inactive")
        if api_settings.CHECK_REVOKE_TOKEN and validated_token.get(
            api_settings.REVOKE_TOKEN_CLAIM
        ) != get_md5_hash_password(user.password):
            raise AuthenticationFailed(
                "The user's password has been changed.", code="password_changed"
            )
        return user


def _user(user_id: Any) -> User | None:
    # Imported here: DRF imports this class while the apps' modules are still loading.
    from nexus.accounts import selectors

    # The claim is what the token says; only an id the column can hold is looked up.
    try:
        pk = int(user_id)
    except (TypeError, ValueError):
        return None
    return selectors.user_signed_in(user_id=pk)


class JWTScheme(SimpleJWTScheme):  # type: ignore[no-untyped-call]
    """The OpenAPI schema's `jwtAuth`, which drf-spectacular knows for simplejwt's class only."""

    target_class = "nexus.accounts.authentication.JWTAuthentication"
