"""The LiteKPI client: track() and point() only queue; one background thread sends."""

import atexit
import collections
import random
import threading
import time
import uuid
import weakref

from . import _transport

DEFAULT_ENDPOINT = "http://localhost:8080"
MAX_BATCH = 1000  # the server's limit per request
EXIT_FLUSH_SECONDS = 10.0

_live = weakref.WeakSet()


def _timestamp(now):
    """RFC 3339 in UTC with milliseconds: what the server parses (no zone-less guessing)."""
    whole = int(now)
    return time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(whole)) + ".%03dZ" % int((now - whole) * 1000)


class LiteKPI(object):
    """Send events and metric points to a LiteKPI server.

    >>> analytics = LiteKPI(api_key="lk_...", endpoint="https://kpi.example.com")
    >>> analytics.track("user_signup", {"plan": "pro"})

    Nothing here raises into your code: problems are counted in stats() and passed to on_error.
    """

    def __init__(
        self,
        api_key,
        endpoint=DEFAULT_ENDPOINT,
        org_id=None,
        batch_size=100,
        flush_interval=5.0,
        sampling_rate=1.0,
        enable_compression=True,
        custom_context=None,
        enabled=True,
        max_queue_size=10000,
        max_retries=8,
        retry_delay=0.5,
        max_retry_delay=30.0,
        timeout=10.0,
        on_error=None,
    ):
        self._api_key = str(api_key or "")
        self._endpoint = str(endpoint or DEFAULT_ENDPOINT).rstrip("/")
        self._batch_size = max(1, min(MAX_BATCH, int(batch_size)))
        self._flush_interval = max(0.05, float(flush_interval))
        self._max_queue = max(1, int(max_queue_size))
        self._sampling = _clamp(sampling_rate)
        self._enabled = bool(enabled)
        self._on_error = on_error
        self._context = dict(custom_context or {})
        if org_id:
            self._context["org_id"] = org_id
        self._exiting = False
        # Set by close(): a backoff in progress ends at once (the exit budget then applies).
        self._closing = threading.Event()
        self._opts = {
            "compress": bool(enable_compression),
            "max_retries": max(0, int(max_retries)),
            "retry_delay": float(retry_delay),
            "max_retry_delay": float(max_retry_delay),
            "timeout": float(timeout),
            "exiting": lambda: self._exiting,
        }
        self._events = collections.deque()
        self._points = collections.deque()
        self._lock = threading.Lock()
        self._wake = threading.Condition(self._lock)
        self._drained = threading.Condition(self._lock)
        self._flush_wanted = 0  # flush() requests made
        self._flush_done = 0  # requests fully served by the worker
        self._closed = False
        self._stats = {"sent": 0, "sampled": 0, "overflow": 0, "failed": 0, "rejected": 0}
        if not self._api_key:
            self._report("no api_key given; the server will answer 401")
        self._thread = threading.Thread(target=self._run, name="litekpi-sender", daemon=True)
        self._thread.start()
        _live.add(self)

    # ── recording (the caller's thread: queue and return) ──

    def track(self, a, b=None, c=None):
        """track(event, properties=None) or track(namespace, event, properties=None)."""
        try:
            if not self._enabled:
                return
            if isinstance(b, str):
                namespace, name, props = a, b, c
            else:
                namespace, name, props = None, a, b
            if not isinstance(name, str) or not name:
                return self._invalid("track() needs an event name (a non-empty string)")
            if self._sampling < 1.0 and random.random() >= self._sampling:
                with self._lock:
                    self._stats["sampled"] += 1
                return
            item = {"event": name, "timestamp": _timestamp(time.time()), "id": str(uuid.uuid4())}
            if namespace is not None:
                item["namespace"] = namespace
            if props is not None:
                if not isinstance(props, dict):
                    return self._invalid("track() properties must be a dict")
                item["properties"] = dict(props)
            if self._context:
                item["context"] = self._context  # replaced, never mutated, by the setters
            self._push(self._events, item)
        except Exception as err:
            self._report(err)

    def point(self, metric, value, tags=None):
        """A metric point: point("queue.depth", 42, {"region": "eu"}). Never sampled."""
        try:
            if not self._enabled:
                return
            if not isinstance(metric, str) or not metric:
                return self._invalid("point() needs a metric name (a non-empty string)")
            if isinstance(value, bool) or not isinstance(value, (int, float)) or value != value or value in (float("inf"), float("-inf")):
                return self._invalid("point(%r) needs a finite number, got %r" % (metric, value))
            item = {"metric": metric, "value": value, "timestamp": _timestamp(time.time())}
            if tags:
                item["tags"] = dict(tags)
            self._push(self._points, item)
        except Exception as err:
            self._report(err)

    def set_context(self, context):
        """Merge fields into every later event's context (service, version, session_id, ...)."""
        try:
            if isinstance(context, dict):
                merged = dict(self._context)
                merged.update(context)
                self._context = merged
        except Exception as err:
            self._report(err)

    def set_user(self, user_id, properties=None):
        """Later events carry context.user_id (and context.user with the properties)."""
        update = {"user_id": user_id}
        if isinstance(properties, dict):
            update["user"] = dict(properties)
        self.set_context(update)

    def set_organization(self, org_id):
        self.set_context({"org_id": org_id})

    def set_sampling_rate(self, rate):
        """0.0-1.0: the share of track() calls kept."""
        self._sampling = _clamp(rate)

    def enable(self):
        self._enabled = True

    def disable(self):
        """track() and point() do nothing until enable(); what is queued still goes."""
        self._enabled = False

    def flush(self, timeout=None):
        """Send everything queued now; returns True when it was sent or given up within `timeout` seconds."""
        try:
            with self._lock:
                if self._closed and not self._thread.is_alive():
                    return not self._events and not self._points
                self._flush_wanted += 1
                target = self._flush_wanted
                self._wake.notify()
                deadline = None if timeout is None else time.monotonic() + timeout
                while self._flush_done < target:
                    left = None if deadline is None else deadline - time.monotonic()
                    if left is not None and left <= 0:
                        return False
                    self._drained.wait(left)
                return True
        except Exception as err:
            self._report(err)
            return False

    def close(self, timeout=EXIT_FLUSH_SECONDS):
        """Flush (with the short exit retries) and stop the background thread. Called at interpreter exit for every live client."""
        try:
            self._exiting = True
            self._closing.set()
            ok = self.flush(timeout)
            with self._lock:
                self._closed = True
                self._wake.notify()
            self._thread.join(timeout)
            return ok
        except Exception as err:
            self._report(err)
            return False

    shutdown = close

    def stats(self):
        """Counters of what became of what the SDK was given."""
        with self._lock:
            s = dict(self._stats)
            s["queued"] = len(self._events) + len(self._points)
            return s

    # ── the background thread ──

    def _push(self, queue, item):
        with self._lock:
            if len(queue) >= self._max_queue:
                queue.popleft()
                self._stats["overflow"] += 1
            queue.append(item)
            if len(queue) >= self._batch_size:
                self._wake.notify()

    def _run(self):
        while True:
            with self._lock:
                timer = False
                if not self._full() and self._flush_done == self._flush_wanted and not self._closed:
                    timer = not self._wake.wait(self._flush_interval)
                wanted = self._flush_wanted
                closing = self._closed
                # Woken by a full queue: send full batches only; the timer, flush() and close() send everything.
                everything = timer or closing or self._flush_done < wanted
            self._drain(everything)
            with self._lock:
                self._flush_done = max(self._flush_done, wanted)
                self._drained.notify_all()
                if closing and not self._events and not self._points:
                    return

    def _full(self):
        return len(self._events) >= self._batch_size or len(self._points) >= self._batch_size

    def _drain(self, everything):
        for queue, path, wrapper in ((self._events, "/api/v1/events", "events"), (self._points, "/api/v1/points", "points")):
            while True:
                with self._lock:
                    if not queue or (not everything and len(queue) < self._batch_size):
                        break
                    batch = [queue.popleft() for _ in range(min(self._batch_size, len(queue)))]
                # ?partial=1: one bad item must not cost the rest of its batch.
                outcome = _transport.send_batch(self._endpoint + path + "?partial=1", self._api_key, wrapper, batch, self._opts, self._closing.wait)
                with self._lock:
                    self._stats["sent"] += outcome.sent
                    self._stats["rejected"] += outcome.rejected
                    self._stats["failed"] += outcome.failed
                if outcome.problem:
                    self._report(outcome.problem)

    # ── problems ──

    def _invalid(self, message):
        with self._lock:
            self._stats["rejected"] += 1
        self._report(message)

    def _report(self, problem):
        if self._on_error is None:
            return
        try:
            self._on_error(problem if isinstance(problem, Exception) else Exception("LiteKPI: %s" % problem))
        except Exception:
            pass  # a failing on_error must not raise into the app either


def _clamp(rate):
    try:
        r = float(rate)
    except (TypeError, ValueError):
        return 1.0
    if r != r:
        return 1.0
    return min(1.0, max(0.0, r))


@atexit.register
def _flush_at_exit():
    """Interpreter exit: every live client sends what it holds (shorter retries; bounded wait)."""
    for client in list(_live):
        client.close(EXIT_FLUSH_SECONDS)
