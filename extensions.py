"""Flask extensions, created once and bound to the app in create_app()."""

from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_wtf import CSRFProtect

csrf = CSRFProtect()
# No default limits: routes opt in. The store is per process (see README); sign-in does not use
# it but counts failures in the database, shared by every worker (accounts/throttle.py).
limiter = Limiter(key_func=get_remote_address)
