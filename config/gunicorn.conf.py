"""gunicorn settings for production and for ``make bench``: ``gunicorn -c config/gunicorn.conf.py``.

Threaded workers keep HTTP connections alive (a sync worker closes every connection after one
response, so each request of a phone, a script or nginx's upstream pool pays a new TCP handshake and
a new accept). Python runs one thread at a time per worker; the threads overlap the waits on
PostgreSQL and on slow clients. Every value can be overridden on the command line (``-w 4``) or
through ``GUNICORN_CMD_ARGS``.

The app is loaded once, in the arbiter, and its URLs, API and translations built there before the
workers are forked (``preload_app``, ``when_ready``): a worker starts warm. Without it every worker,
and every worker recycled after ``max_requests``, paid about 1.5 s of CPU before serving (loading
Django 0.4 s, importing the URLs and building the API on its first request 1.1 s), 0.3 ms a request
at 5,000 requests per worker. New code needs a restart of gunicorn, not a HUP (the arbiter holds the
old code).
"""

import gc
import multiprocessing
import os

wsgi_app = "config.wsgi:application"
bind = os.environ.get("ANJIAN_BIND", "127.0.0.1:8000")
workers = int(os.environ.get("ANJIAN_WORKERS", multiprocessing.cpu_count() * 2))
worker_class = "gthread"
threads = int(os.environ.get("ANJIAN_THREADS", 4))
keepalive = 30  # seconds an idle kept-alive connection stays open (behind nginx's upstream pool)
timeout = 60
graceful_timeout = 30
max_requests = 5000  # recycle a worker now and then (memory held by a long-lived process)
max_requests_jitter = 500
accesslog = os.environ.get("ANJIAN_ACCESS_LOG") or None
errorlog = "-"
preload_app = True


def when_ready(server):
    """In the arbiter, before the first fork: build what a worker's first request would."""
    from django.conf import settings
    from django.db import connections
    from django.urls import get_resolver
    from django.utils import translation

    get_resolver().url_patterns  # noqa: B018 - imports every view and builds the API
    for code, _name in settings.LANGUAGES:
        with translation.override(code):
            translation.gettext("Hazards")
    connections.close_all()  # none is open; a connection must never be shared with the workers
    gc.freeze()  # what is loaded now stays shared between the workers' memory pages
