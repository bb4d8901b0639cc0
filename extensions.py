"""Flask extensions, created once and bound to the app in create_app()."""

from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_wtf import CSRFProtect

csrf = CSRFProtect()
# No default limits: only sign-in is limited. The store is per process (see README).
limiter = Limiter(key_func=get_remote_address)
