"""``wangan.asgi:app`` for uvicorn and other ASGI servers; settings come from the environment."""

import gc

from wangan.config import load_settings
from wangan.runtime import build_runtime
from wangan.server import create_app

app = create_app(build_runtime(load_settings(), migrate=False))

# Measured with bench/intake.py: with the default thresholds, full collections over the ORM's
# many short-lived objects stalled requests for 50-100 ms (p99 119 ms -> 50 ms with this).
# Objects alive after start-up are frozen out of collection, and young collections run less often.
gc.collect()
gc.freeze()
gc.set_threshold(50_000, 50, 100)
