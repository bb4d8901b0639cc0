"""Flask extensions, created once and bound to the app in create_app(); and the limit on failed requests."""

import functools

from flask import abort, current_app, make_response, request
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_wtf import CSRFProtect
from limits import parse  # Flask-Limiter's own limit strings and strategies (its dependency)

csrf = CSRFProtect()
# No default limits: routes opt in. The store is RATELIMIT_STORAGE_URI: Redis when REDIS_URL is set (shared by
# every app server), else per process. Sign-in does not use it but counts failures in a shared store
# (accounts/stores.py: the database, or Redis).
limiter = Limiter(key_func=get_remote_address)


def limit_failures(limit, failed):
    """Decorate a view: only responses for which `failed(response)` is true count against `limit` (a limit
    string, or a function giving one), per address, and only they are refused (429) once it is reached.

    Flask-Limiter's `deduct_when` counts failures alone but checks the limit before the view runs, so once
    it is reached every request is refused, those that would succeed too: a whole school shares one address.
    Here the view runs first; a request that succeeds is never counted or refused.
    """

    def decorate(view):
        @functools.wraps(view)
        def limited(*args, **kwargs):
            response = make_response(view(*args, **kwargs))
            if not (limiter.enabled and limiter.initialized) or not failed(response):
                return response
            item = parse(limit() if callable(limit) else limit)
            prefix = current_app.config.get("RATELIMIT_KEY_PREFIX", "")
            if not limiter.limiter.hit(item, prefix, "failures", request.endpoint, get_remote_address()):
                abort(429)
            return response

        return limited

    return decorate
