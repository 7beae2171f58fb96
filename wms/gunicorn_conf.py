"""gunicorn settings for every way the app is served: ``gunicorn -c python:wms.gunicorn_conf``.

``make run`` and the benchmarks start gunicorn with this file; a deployment
should too.
"""

from __future__ import annotations

import os

# X-Forwarded-Proto and the like are honoured only behind a proxy that sets them
# (WMS_TRUST_PROXY=1, which also makes the app read X-Forwarded-For and -Host).
# Otherwise nobody is trusted: gunicorn's own default trusts 127.0.0.1, so any
# local process, or a proxy that passes the client's headers through, could
# make a plain-HTTP request look like HTTPS.
forwarded_allow_ips = "*" if os.environ.get("WMS_TRUST_PROXY", "") == "1" else ""
