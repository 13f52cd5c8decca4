"""WSGI entry point: `gunicorn -c gunicorn.conf.py accessportal.wsgi`."""

from __future__ import annotations

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "accessportal.settings")

application = get_wsgi_application()
