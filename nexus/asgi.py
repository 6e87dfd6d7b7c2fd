"""ASGI entry point: HTTP (Django) and WebSockets (channels) on one application.

`make run` serves both on one port; the stack sends WebSockets here (uvicorn,
`make asgi`) and HTTP to gunicorn.
"""

import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "nexus.settings")

# Set Django up before importing anything that touches models.
django_application = get_asgi_application()

from channels.routing import ProtocolTypeRouter, URLRouter  # noqa: E402

from nexus.collaboration.api.websocket import websocket_urlpatterns  # noqa: E402
from nexus.core.startup import load_and_freeze  # noqa: E402
from nexus.core.websocket_auth import JwtAuthMiddlewareStack, OriginValidatorStack  # noqa: E402

application = ProtocolTypeRouter(
    {
        "http": django_application,
        "websocket": OriginValidatorStack(JwtAuthMiddlewareStack(URLRouter(websocket_urlpatterns))),
    }
)

load_and_freeze()
