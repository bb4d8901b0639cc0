"""Where sessions and failed sign-ins live: the database (the default) or Redis (REDIS_URL, several app servers).

Each has one small interface and two backends. The database ones are today's tables (accounts.queries);
the Redis ones keep the same rules with keys that expire by themselves. Failures go to Redis whenever
REDIS_URL is set; sessions only with SESSION_STORE = "redis" (see config.py for why the database stays
the default: every request reads the person and their school from the database anyway).

- a session is a hash `<prefix>session:<sha256 of the id>` (person, created, last seen, browser) whose TTL
  is the idle limit, renewed when last-seen is written; a set `<prefix>person-sessions:<person id>` lists a
  person's session hashes, so "end every session of this person" is one set read and one delete;
- failures are sorted sets scored by time (per name, per device cookie, per address, and the names
  failed from an address), trimmed to the window and expiring with it.

Either way the person and their school are read from the database on every request, so archiving,
erasing, a suspended or offboarded school (m021) sign people out at once, whatever the store.
With REDIS_URL empty nothing here imports redis or opens a connection.
"""

import secrets
import time

from flask import current_app, has_app_context

from accounts import queries
from accounts.sessions import new_session_id, session_key
from accounts.throttle import Counts
from db import now, write_transaction

# The person and their school, for a session held in Redis: the same columns and the same refusals
# (archived people, suspended or offboarded schools) as accounts.queries.SESSION_USER.
PERSON_FOR_SESSION = """
SELECT p.*, o.settings_version AS school_settings_version, o.kind AS school_kind, o.language AS school_language,
       o.nation AS school_nation
FROM people p JOIN schools o ON o.id = p.school_id
WHERE p.id = ? AND p.archived_at IS NULL AND o.suspended_at IS NULL AND o.offboarded_at IS NULL
"""


def redis_client(app=None):
    """The app's Redis client (one connection pool per app), made on first use; None without REDIS_URL."""
    app = app or current_app
    url = app.config.get("REDIS_URL")
    if not url:
        return None
    client = app.extensions.get("redis")
    if client is None:
        import redis  # only where REDIS_URL is set: the default path never imports it

        client = app.extensions["redis"] = redis.Redis.from_url(url, decode_responses=True)
    return client


def sessions_in_redis(config):
    """Whether sessions are kept in Redis (SESSION_STORE = "redis"); the database is the default either way."""
    store = config.get("SESSION_STORE") or "database"
    if store not in ("database", "redis"):
        raise ValueError(f"SESSION_STORE must be 'database' or 'redis', not {store!r}")
    if store == "redis" and not config.get("REDIS_URL"):
        raise ValueError("SESSION_STORE = 'redis' needs REDIS_URL")
    return store == "redis"


def session_store(db):
    """The app's session store on `db` (outside an app, e.g. a script erasing a pupil: the database)."""
    if not has_app_context():
        return DatabaseSessionStore(db, idle_limit=8 * 60 * 60)
    config = current_app.config
    if sessions_in_redis(config):
        return RedisSessionStore(redis_client(), db, config["SESSION_IDLE_LIMIT"], config["REDIS_PREFIX"])
    return DatabaseSessionStore(db, config["SESSION_IDLE_LIMIT"])


def failure_store(db, window):
    """Where failed sign-ins (and wrong class codes, wrong MFA codes) are counted: Redis if set, else the database."""
    client = redis_client() if has_app_context() else None
    if client is not None:
        return RedisFailureStore(client, window, current_app.config["REDIS_PREFIX"])
    return queries.DatabaseFailureStore(db, window)


# Sessions -----------------------------------------------------------------------------------------
class DatabaseSessionStore:
    """Sessions as rows of the `sessions` table (the default)."""

    def __init__(self, db, idle_limit):
        self.db = db
        self.idle_limit = idle_limit

    def start(self, person_id, user_agent):
        """Record a new sign-in; returns the session id for the cookie (only its hash is stored)."""
        return queries.start_session(self.db, person_id, user_agent, self.idle_limit)

    def user(self, session_id):
        """The active person signed in with this session id (plus `session_seen_at`), or None."""
        return queries.session_user(self.db, session_id, self.idle_limit)

    def touch(self, session_id, person_id):
        """Note that the session (and so its person) was used now."""
        queries.touch_session(self.db, session_id, person_id)

    def end(self, session_id):
        """End one session: its cookie stops working."""
        queries.end_session(self.db, session_id)

    def end_all(self, person_id, except_session=None):
        """End every session of a person but `except_session`; returns how many."""
        return queries.end_sessions(self.db, person_id, except_session)

    def live(self, person_id):
        """The person's sessions that still work (id: the stored hash), most recently used first."""
        return queries.live_sessions(self.db, person_id, self.idle_limit)


class RedisSessionStore:
    """Sessions as Redis hashes that expire after the idle limit; the person still comes from the database."""

    def __init__(self, client, db, idle_limit, prefix):
        self.redis = client
        self.db = db
        self.idle_limit = int(idle_limit)
        self.prefix = prefix

    def _key(self, stored_id):
        return f"{self.prefix}session:{stored_id}"

    def _person_key(self, person_id):
        return f"{self.prefix}person-sessions:{person_id}"

    def start(self, person_id, user_agent):
        """Record a new sign-in; returns the session id for the cookie (only its hash is stored)."""
        session_id = new_session_id()
        stored, stamp = session_key(session_id), now()
        person_key = self._person_key(person_id)
        # Tidy the person's set of sessions that expired on their own: bounded by one person's sessions.
        members = sorted(self.redis.smembers(person_key))
        if members:
            with self.redis.pipeline(transaction=False) as pipe:
                for member in members:
                    pipe.exists(self._key(member))
                gone = [m for m, alive in zip(members, pipe.execute(), strict=True) if not alive]
            if gone:
                self.redis.srem(person_key, *gone)
        with self.redis.pipeline() as pipe:  # MULTI/EXEC: the hash and the person's set together
            fields = {"person_id": person_id, "created_at": stamp, "last_seen_at": stamp, "user_agent": user_agent}
            pipe.hset(self._key(stored), mapping=fields)
            pipe.expire(self._key(stored), self.idle_limit)
            pipe.sadd(person_key, stored)
            pipe.expire(person_key, self.idle_limit)
            pipe.execute()
        with write_transaction(self.db):
            self.db.execute(queries.TOUCH_PERSON, [stamp, person_id])
        return session_id

    def user(self, session_id):
        """The active person signed in with this session id (plus `session_seen_at`), or None.

        One Redis read, then the person and their school from the database (one primary-key query).
        """
        fields = self.redis.hmget(self._key(session_key(session_id)), "person_id", "last_seen_at")
        person_id, last_seen = fields
        # The TTL ends an idle session; the time check keeps the rule exact between TTL renewals.
        if person_id is None or last_seen <= queries._ago(self.idle_limit):
            return None
        row = next(self.db.query(PERSON_FOR_SESSION, [int(person_id)]), None)
        return dict(row, session_seen_at=last_seen) if row else None

    def touch(self, session_id, person_id):
        """Note that the session was used now: one Redis write (and the person's last-active time)."""
        stamp = now()
        key = self._key(session_key(session_id))
        with self.redis.pipeline() as pipe:
            # A touch racing a sign-out can only leave a hash with no person in it: refused, and it expires.
            pipe.hset(key, "last_seen_at", stamp)
            pipe.expire(key, self.idle_limit)
            pipe.expire(self._person_key(person_id), self.idle_limit)
            pipe.execute()
        with write_transaction(self.db):
            self.db.execute(queries.TOUCH_PERSON, [stamp, person_id])

    def end(self, session_id):
        """End one session: its cookie stops working."""
        stored = session_key(session_id)
        person_id = self.redis.hget(self._key(stored), "person_id")
        with self.redis.pipeline() as pipe:
            pipe.delete(self._key(stored))
            if person_id is not None:
                pipe.srem(self._person_key(person_id), stored)
            pipe.execute()

    def end_all(self, person_id, except_session=None):
        """End every session of a person but `except_session`; returns how many were live."""
        keep = session_key(except_session) if except_session else None
        person_key = self._person_key(person_id)
        ending = [m for m in self.redis.smembers(person_key) if m != keep]
        if not ending:
            return 0
        with self.redis.pipeline() as pipe:
            pipe.delete(*(self._key(m) for m in ending))
            pipe.srem(person_key, *ending)
            deleted, _ = pipe.execute()
        return deleted

    def live(self, person_id):
        """The person's sessions that still work (id: the stored hash), most recently used first."""
        members = sorted(self.redis.smembers(self._person_key(person_id)))
        with self.redis.pipeline(transaction=False) as pipe:
            for member in members:
                pipe.hgetall(self._key(member))
            found = pipe.execute()
        since = queries._ago(self.idle_limit)
        rows = [
            {"id": member, "person_id": int(h["person_id"]), "created_at": h["created_at"],
             "last_seen_at": h["last_seen_at"], "user_agent": h["user_agent"], "ended_at": None}
            for member, h in zip(members, found, strict=True) if h and h["last_seen_at"] > since
        ]  # fmt: skip
        return sorted(rows, key=lambda r: r["last_seen_at"], reverse=True)


# Failed sign-ins ----------------------------------------------------------------------------------
class RedisFailureStore:
    """Failed sign-ins counted in Redis sorted sets (throttle.FailureStore), shared by every app server."""

    def __init__(self, client, window, prefix):
        self.redis = client
        self.window = int(window)
        self.prefix = f"{prefix}failures:"

    def _keys(self, name_key, address, device, recording):
        """The sorted set of each count. As in the database: a failure counts for the name only when it came
        without a device cookie for it, and for the device only with one."""
        return {
            "name": f"{self.prefix}name:{name_key}" if device is None or not recording else None,
            "device": f"{self.prefix}device:{device}" if device is not None else None,
            "address": f"{self.prefix}address:{address}",
            "address_names": f"{self.prefix}address-names:{address}",
        }

    def record(self, name_key, address, device):
        """Count one failure, and forget failures older than the window."""
        moment = time.time()
        # Unique members: two failures in the same microsecond are two failures.
        failure = f"{moment:.6f}:{secrets.token_hex(4)}"
        with self.redis.pipeline() as pipe:
            for kind, key in self._keys(name_key, address, device, recording=True).items():
                if key is None:
                    continue
                # The names set holds each name once, scored by its latest failure: a count of distinct names.
                pipe.zadd(key, {name_key if kind == "address_names" else failure: moment})
                pipe.zremrangebyscore(key, "-inf", moment - self.window)
                pipe.expire(key, self.window)
            pipe.execute()

    def counts(self, name_key, address, device):
        """Failures within the window, as throttle.Counts."""
        since = f"({time.time() - self.window}"  # exclusive, as the database's `failed_at > since`
        keys = self._keys(name_key, address, device, recording=False)
        with self.redis.pipeline(transaction=False) as pipe:
            for key in keys.values():
                if key is None:
                    pipe.echo("0")  # no device cookie: nothing counted for one
                else:
                    pipe.zcount(key, since, "+inf")
            values = pipe.execute()
        return Counts(**{kind: int(value) for kind, value in zip(keys, values, strict=True)})
