"""gunicorn settings for production: `gunicorn -c gunicorn.conf.py wsgi:app`.

Every worker process has its own SQLAlchemy pool, and every thread in it may hold one connection
for its whole request. The pool is therefore sized to the threads (CASEFLOW_DB_POOL_SIZE, read by
config.py) with no overflow, so a request never waits for a connection; and workers × threads must
fit in the connections the database grants caseflow (CASEFLOW_DB_MAX_CONNECTIONS), or start-up stops.
"""

import multiprocessing
import os

# Threads per worker: requests mostly wait on the database, so a few threads use a core well.
threads = int(os.environ.get("GUNICORN_THREADS", "4"))
# Processes: one or two per core is plenty for a database-bound app; WEB_CONCURRENCY overrides.
workers = int(os.environ.get("WEB_CONCURRENCY", str(max(2, multiprocessing.cpu_count()))))
worker_class = "gthread" if threads > 1 else "sync"
bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")
# Connections PostgreSQL lets caseflow hold (its max_connections less superuser_reserved_connections,
# backups, `flask` commands and anything else sharing the server).
max_connections = int(os.environ.get("CASEFLOW_DB_MAX_CONNECTIONS", "80"))
if workers * threads > max_connections:
    raise SystemExit(
        f"{workers} workers × {threads} threads = {workers * threads} database connections, more than "
        f"CASEFLOW_DB_MAX_CONNECTIONS={max_connections}: lower WEB_CONCURRENCY or GUNICORN_THREADS."
    )
# The app reads this in each worker: one pooled connection per thread, none on overflow.
os.environ["CASEFLOW_DB_POOL_SIZE"] = str(threads)
os.environ["CASEFLOW_DB_MAX_OVERFLOW"] = "0"

# A request that takes longer than this is killed; the database's own statement timeout (30 s) is lower.
timeout = 60
graceful_timeout = 30
keepalive = 5
# Restart workers now and then so slow memory growth (PDF rendering) never accumulates.
max_requests = 2000
max_requests_jitter = 200
accesslog = "-"
# The access log prints the path only: query strings could hold search terms (searches are POSTs anyway).
access_log_format = '%(h)s "%(m)s %(U)s" %(s)s %(b)s %(M)sms'
