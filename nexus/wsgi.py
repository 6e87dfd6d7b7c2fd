"""WSGI entry point: gunicorn serves HTTP from here in the stack."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "nexus.settings")

application = get_wsgi_application()

# gunicorn imports this module in each worker: load the app and freeze it there.
from nexus.core.startup import load_and_freeze  # noqa: E402

load_and_freeze()
