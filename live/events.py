"""The live lesson's event server: pupils' devices wait here for the teacher's next move (long polling).

Short polling cost every device a request a second whatever the teacher did: 3,000 devices were 3,000
requests a second through the web workers, and a move took up to 8 s to reach every device (bench/live_load.py).
Here a device asks "has it changed since <tag>?" and the answer is held until the teacher moves (or HOLD
seconds pass), so the cost follows the moves. One asyncio process holds every waiting device; one task reads
the state of the sessions being waited on, a few times a second, in one query, and answers every device of a
session that moved. Reading the database (not a message bus) means any number of app servers, each with its
own event server, share one source of truth, and a killed server loses nothing: its devices ask another
(or fall back to short polling, static/js/live.js).

The device's URL carries the same key as its short poll (live.rules.poll_key): no sign-in cookie and no
person is read, and what it answers names nobody. Devices' last-seen times are written in one transaction
every LIVE_SEEN_SECONDS, for every device that asked or waited meanwhile.
"""

import asyncio
import json
import logging
import resource
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import timedelta

from aiohttp import web

from db import connect, now
from live import queries, rules

log = logging.getLogger(__name__)

HOLD = 25.0  # seconds a question is held: below the 30 to 60 s after which proxies drop a quiet request
READ_EVERY = 0.25  # seconds between reads of the waited-on sessions: a move reaches a device within this
GRACE = 5.0  # seconds a session's state is kept fresh after its last device stopped waiting
MAX_WAITING_PER_DEVICE = 3  # a device has one question out; a few more cover tabs and retries
ROUTE = "/live/{session_id:\\d+}/pupils/{pupil_id:\\d+}/events/{key:[0-9a-f]{1,64}}"


class Sessions:
    """The event server's memory: each waited-on session's last state, and who is waiting on it."""

    def __init__(self, step_counts, seen_every):
        self.step_counts = step_counts  # (course id, lesson id) -> number of steps
        self.seen_every = seen_every
        self.states = {}  # session id -> (tag, document), read within the last READ_EVERY
        self.waiting = {}  # session id -> {future: pupil id}
        self.last_waited = {}  # session id -> loop time its last device stopped waiting
        self.reading = {}  # session id -> the read under way for a session not yet in `states`
        self.joined = set()  # (session id, pupil id) known to have joined
        self.seen = set()  # (session id, pupil id) that asked since the last write

    def state_of(self, row, stamp):
        """The (tag, document) of a session's row read at `stamp`: what its short poll would answer."""
        open_ = row["ended_at"] is None and not rules.is_idle(row["moved_at"], stamp)
        steps = self.step_counts.get((row["course_id"], row["lesson_id"]), 0)
        document = rules.state_json(row["version"], row["position"], row["paused"], open_, steps)
        return rules.state_tag(row["version"], open_), document

    def update(self, rows, stamp):
        """Take freshly read rows; answer every device waiting on a session whose state changed."""
        for row in rows:
            state = self.state_of(row, stamp)
            known = self.states.get(row["id"])
            self.states[row["id"]] = state
            if known is not None and known[0] != state[0]:
                for future in self.waiting.get(row["id"], {}):
                    if not future.done():
                        future.set_result(state)

    def to_read(self, clock):
        """The sessions to read now: those waited on, and for GRACE seconds after (their devices come straight
        back after each answer). Any other session's state is forgotten: it would be stale by its next use."""
        for session_id, since in list(self.last_waited.items()):
            if clock - since > GRACE:
                del self.last_waited[session_id]
                if session_id not in self.waiting:
                    self.states.pop(session_id, None)
        kept = self.waiting.keys() | self.last_waited.keys()
        return [session_id for session_id in self.states if session_id in kept]

    async def current(self, session_id, read):
        """The session's state, read now (once, however many devices ask) if it is not being kept fresh."""
        if session_id not in self.states:
            if session_id not in self.reading:
                self.reading[session_id] = asyncio.ensure_future(read([session_id]))
            try:
                rows = await asyncio.shield(self.reading[session_id])
            finally:
                self.reading.pop(session_id, None)
            if session_id not in self.states:
                self.update(rows, now())
        return self.states.get(session_id)

    def wait(self, session_id, pupil_id):
        """A future answered with the session's next change of state; the caller must call `stop_waiting` after."""
        future = asyncio.get_running_loop().create_future()
        self.waiting.setdefault(session_id, {})[future] = pupil_id
        self.last_waited.pop(session_id, None)
        return future

    def stop_waiting(self, session_id, future):
        """Forget a device's question (answered, timed out or the device went away)."""
        futures = self.waiting.get(session_id, {})
        futures.pop(future, None)
        if not futures:
            self.waiting.pop(session_id, None)
            self.last_waited[session_id] = asyncio.get_running_loop().time()

    def waiting_count(self, session_id, pupil_id):
        """How many questions this device has out."""
        return sum(1 for pupil in self.waiting.get(session_id, {}).values() if pupil == pupil_id)

    def take_seen(self):
        """Every device that asked or is waiting, since the last call: their last-seen time is due."""
        seen = self.seen | {(s, p) for s, futures in self.waiting.items() for p in futures.values()}
        self.seen = set()
        return seen


class Database:
    """The event server's one connection, used from one thread so the event loop never waits on it."""

    def __init__(self, target):
        self.target = target
        self.thread = ThreadPoolExecutor(max_workers=1, thread_name_prefix="live-events-db")
        self.db = None

    async def run(self, function, *args):
        """Run `function(db, *args)` on the database thread."""
        return await asyncio.get_running_loop().run_in_executor(self.thread, self._call, function, args)

    def _call(self, function, args):
        if self.db is None:
            self.db = connect(self.target)
        try:
            return function(self.db, *args)
        except Exception:
            # A broken connection (a restarted server): the next call opens a new one.
            self.db.conn.close()
            self.db = None
            raise

    def close(self):
        """Close the connection and stop the thread."""
        self.thread.submit(lambda: self.db and self.db.conn.close()).result()
        self.thread.shutdown()


@dataclass
class Server:
    """What the event server's handlers share."""

    sessions: Sessions
    database: Database
    secret: str
    allow_origin: str
    hold: float


SERVER = web.AppKey("server", Server)


def make_app(target, secret, step_counts, seen_every=timedelta(seconds=10), allow_origin="*", hold=HOLD):
    """The event server as an aiohttp application on the database `target`."""
    app = web.Application()
    app[SERVER] = Server(Sessions(step_counts, seen_every), Database(target), secret, allow_origin, hold)
    app.router.add_get(ROUTE, answer_device)
    app.router.add_get("/healthz", healthz)
    app.cleanup_ctx.append(_background)
    return app


async def healthz(_request):
    """For the load balancer: the process answers."""
    return web.Response(text="ok")


async def _background(app):
    server = app[SERVER]
    tasks = [asyncio.create_task(_read_sessions(server)), asyncio.create_task(_write_seen(server))]
    yield
    for task in tasks:
        task.cancel()
    await asyncio.gather(*tasks, return_exceptions=True)
    await _flush_seen(server)
    server.database.close()


async def _read_sessions(server):
    """Read the waited-on sessions every READ_EVERY seconds and answer the devices of those that moved."""
    sessions, database = server.sessions, server.database
    while True:
        await asyncio.sleep(READ_EVERY)
        ids = sessions.to_read(asyncio.get_running_loop().time())
        if not ids:
            continue
        try:
            rows = await database.run(queries.session_states, ids)
        except Exception:
            log.exception("live events: reading the sessions failed; trying again")
            continue
        sessions.update(rows, now())


async def _write_seen(server):
    """Write the last-seen time of every device that asked or waited, every LIVE_SEEN_SECONDS."""
    while True:
        await asyncio.sleep(server.sessions.seen_every.total_seconds())
        await _flush_seen(server)


async def _flush_seen(server):
    seen = server.sessions.take_seen()
    if seen:
        try:
            await server.database.run(queries.touch_seen_many, sorted(seen), now())
        except Exception:
            log.exception("live events: writing last-seen times failed")


def _json(server, status, document=None):
    body = json.dumps(document).encode() if document is not None else None
    headers = {"Cache-Control": "no-store", "Access-Control-Allow-Origin": server.allow_origin}
    return web.Response(status=status, body=body, content_type="application/json" if body else None, headers=headers)


async def answer_device(request):
    """A device's question: the state at once if it differs from `tag`, else when the teacher moves (or 304)."""
    server = request.app[SERVER]
    sessions, database = server.sessions, server.database
    session_id, pupil_id = int(request.match_info["session_id"]), int(request.match_info["pupil_id"])
    if not rules.poll_key_matches(server.secret, session_id, pupil_id, request.match_info["key"]):
        return _json(server, 404)
    if (session_id, pupil_id) not in sessions.joined:
        polled = await database.run(queries.poll_state, session_id, pupil_id)
        if polled is None or polled["seen_at"] is None:
            return _json(server, 404)  # no such session, or this pupil never joined it
        sessions.joined.add((session_id, pupil_id))
    if sessions.waiting_count(session_id, pupil_id) >= MAX_WAITING_PER_DEVICE:
        return _json(server, 429)
    sessions.seen.add((session_id, pupil_id))
    tag = request.query.get("tag", "")
    loop = asyncio.get_running_loop()
    deadline = loop.time() + server.hold
    while True:
        future = sessions.wait(session_id, pupil_id)
        try:
            known = await sessions.current(session_id, lambda ids: database.run(queries.session_states, ids))
            if known is None:
                return _json(server, 404)
            if known[0] != tag:
                return _json(server, 200, {**known[1], "tag": known[0]})
            try:
                await asyncio.wait_for(future, deadline - loop.time())
            except TimeoutError:
                return _json(server, 304)
        finally:
            sessions.stop_waiting(session_id, future)
        # Answered: the next turn of the loop reads the new state from memory and returns it.


def step_counts(all_courses):
    """(course id, lesson id) -> the lesson's number of steps, for every lesson of every course."""
    return {(course.id, lesson.id): len(lesson.steps) for course in all_courses.values() for lesson in course.lessons}


def serve(target, secret, all_courses, host, port, seen_every, allow_origin):
    """Serve the event server until stopped (the `flask live events` command)."""
    # Every waiting device holds a connection: allow as many open files as the system lets this process have.
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (max(soft, hard), hard))
    app = make_app(target, secret, step_counts(all_courses), seen_every, allow_origin)
    # A class's devices all come back at once after each move: a deep queue of connections waiting to be taken.
    web.run_app(app, host=host, port=port, access_log=None, print=None, handle_signals=True, backlog=2048)
