"""Sign-in throttling rules: who is paused, and the device cookie (OWASP's "device cookies").

Failures are counted per name (from browsers that have not signed in with it before), per
device cookie, and per address, in a store every worker shares. The store is a tiny interface
(`record`, `counts`): the database one is in accounts.queries, the Redis one in accounts.stores.
"""

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from typing import Protocol

from itsdangerous import BadSignature, URLSafeTimedSerializer

DEVICE_COOKIE = "device"


@dataclass(frozen=True)
class Limits:
    """Failures allowed per window (seconds) before sign-in is paused."""

    window: int
    name: int
    device: int
    address: int
    address_names: int

    @classmethod
    def from_config(cls, config):
        """The limits set in config.py."""
        return cls(
            window=config["SIGN_IN_WINDOW"],
            name=config["SIGN_IN_NAME_LIMIT"],
            device=config["SIGN_IN_DEVICE_LIMIT"],
            address=config["SIGN_IN_ADDRESS_LIMIT"],
            address_names=config["SIGN_IN_ADDRESS_NAMES"],
        )


@dataclass(frozen=True)
class Counts:
    """Failures within the window: for the name from unknown browsers, for this device cookie,
    from this address, and how many different names failed from this address."""

    name: int = 0
    device: int = 0
    address: int = 0
    address_names: int = 0


class FailureStore(Protocol):
    """Where failed sign-ins are counted over a sliding window; every worker must see the same store."""

    def record(self, name_key, address, device):
        """Count one failed sign-in (device: the device cookie's id for this name, or None)."""

    def counts(self, name_key, address, device):
        """The Counts of failures within the window."""


def is_paused(counts, limits, trusted):
    """Whether this attempt is refused before its password is checked.

    A browser with a device cookie for the name (`trusted`) is judged only on its own failures,
    so a classmate's wrong tries never lock the owner out of their usual computer. Anyone else
    is paused by the name's failures or by the address's.
    """
    if trusted:
        return counts.device >= limits.device
    return (
        counts.name >= limits.name or counts.address >= limits.address or counts.address_names >= limits.address_names
    )


def name_key(secret, name):
    """A keyed hash of the name as typed (case and spaces ignored): what the store and cookie hold."""
    normal = " ".join(name.split()).lower()
    return hmac.new(secret.encode(), normal.encode(), hashlib.sha256).hexdigest()[:32]


def _serializer(secret):
    return URLSafeTimedSerializer(secret, salt="device-cookie")


def device_for(secret, cookie, key, max_age):
    """The device id this browser's signed cookie holds for the name `key`, or None."""
    for entry_key, device in read_devices(secret, cookie, max_age):
        if hmac.compare_digest(entry_key, key):
            return device
    return None


def read_devices(secret, cookie, max_age):
    """The [name key, device id] pairs in a device cookie; [] if missing, forged or too old."""
    if not cookie:
        return []
    try:
        entries = _serializer(secret).loads(cookie, max_age=max_age)
    except BadSignature:
        return []
    if not isinstance(entries, list):
        return []
    return [e for e in entries if isinstance(e, list) and len(e) == 2 and all(isinstance(x, str) for x in e)]


def device_cookie_after_sign_in(secret, cookie, key, max_age, keep):
    """The new cookie value: this name with a fresh device id, plus the `keep`-1 most recent others."""
    others = [e for e in read_devices(secret, cookie, max_age) if e[0] != key]
    entries = [*others, [key, secrets.token_urlsafe(12)]][-keep:]
    return _serializer(secret).dumps(entries)
