"""WSGI entry point (gunicorn dashboard.wsgi).

Each worker imports every view (the URLconf) and the catalog snapshot before its first request,
then freezes what start-up allocated (`gc.freeze`): Python's full collections, about one per
hundred dashboard requests, then skip those ~150,000 long-lived objects (Django, pandas, numpy,
the catalog) instead of walking them all, which took ~70 ms a time and showed in the p99
latency (bench/README.md, "Web").
"""

import gc
import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "dashboard.settings")

application = get_wsgi_application()


def _warm_up() -> None:
    from django.db import DatabaseError, connections
    from django.urls import get_resolver

    get_resolver().url_patterns  # noqa: B018 - imports every view module
    try:
        from providers.catalog import get_catalog

        get_catalog()
    except DatabaseError:  # not migrated yet: the first request builds it
        pass
    finally:
        connections.close_all()  # no connection opened before the worker serves


_warm_up()
gc.collect()
gc.freeze()
