"""How the REST API knows its caller: a JWT access token, as simplejwt checks it.

The user is read with `User.objects`, whose manager brings the profile and
cohort along in the same query.
"""

from rest_framework_simplejwt.authentication import JWTAuthentication

__all__ = ["JWTAuthentication"]
