"""ASGI entry point: `make run` serves everything here; the stack serves WebSockets."""

import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "nexus.settings")

application = get_asgi_application()
