"""Flask extensions, created once and bound to the app in create_app()."""

from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_wtf import CSRFProtect

csrf = CSRFProtect()
# No default limits: routes opt in. The store is RATELIMIT_STORAGE_URI: Redis when REDIS_URL is set (shared by
# every app server), else per process. Sign-in does not use it but counts failures in a shared store
# (accounts/stores.py: the database, or Redis).
limiter = Limiter(key_func=get_remote_address)
