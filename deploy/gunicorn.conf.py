"""gunicorn's settings for the web service. The image, `make web` (and so
`make stack`) and `make bench` all serve with this file; each passes its own
bind address, worker count and access log.

Workers are recycled to bound slow leaks. Each used to import the app itself
as it started, about 2 s of CPU, and recycling came every 2,000 requests: a few
seconds apart under load on 2 cores. Measured with wrk on the cached challenge
list, that halved throughput (1,040 requests/s against 1,840-1,900) and raised
the mean latency from 8.6 ms to 228 ms.

Now the master loads the app once (`nexus.wsgi` loads the URLconf and freezes
it out of the collector's way) and forks each worker with nothing left to
import. This is safe because importing the app opens no database connection
(tested); each worker opens its own on its first request. A fork still warms
up its connections and caches, so workers are recycled every 20,000 requests
(measured: the same throughput as never recycling). A new release is a new
process, as in compose: a HUP restarts the workers but does not reload code.
"""

worker_class = "sync"
preload_app = True
max_requests = 20_000
max_requests_jitter = 2_000
