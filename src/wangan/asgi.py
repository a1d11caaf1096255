"""``wangan.asgi:app`` for uvicorn and other ASGI servers; settings come from the environment."""

from wangan.config import load_settings
from wangan.runtime import build_runtime
from wangan.server import create_app

app = create_app(build_runtime(load_settings(), migrate=False))
