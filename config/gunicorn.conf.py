"""gunicorn settings for production and for ``make bench``: ``gunicorn -c config/gunicorn.conf.py``.

Threaded workers keep HTTP connections alive (a sync worker closes every connection after one
response, so each request of a phone, a script or nginx's upstream pool pays a new TCP handshake and
a new accept). Python runs one thread at a time per worker; the threads overlap the waits on
PostgreSQL and on slow clients. Every value can be overridden on the command line (``-w 4``) or
through ``GUNICORN_CMD_ARGS``.
"""

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
