"""The Python SDK against a live LiteKPI server, through the test suite's fault proxy.

Run by test/sdks/python.test.ts, which starts both and sets:
  LITEKPI_ENDPOINT  the proxy (what the SDK talks to)     LITEKPI_SERVER   the server itself
  LITEKPI_API_KEY   an ingest key                         LITEKPI_READ_KEY a read key
"""

import asyncio
import json
import os
import subprocess
import sys
import time
import unittest
import urllib.request

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.dirname(HERE))

from litekpi import LiteKPI, LiteKPIMiddleware  # noqa: E402
from litekpi._transport import retry_after  # noqa: E402

ENDPOINT = os.environ.get("LITEKPI_ENDPOINT", "")
SERVER = os.environ.get("LITEKPI_SERVER", "")
KEY = os.environ.get("LITEKPI_API_KEY", "")
READ_KEY = os.environ.get("LITEKPI_READ_KEY", "")


def _call(url, body=None, headers=None, method=None):
    data = None if body is None else json.dumps(body).encode()
    req = urllib.request.Request(url, data=data, headers=dict({"Content-Type": "application/json"}, **(headers or {})), method=method)
    with urllib.request.urlopen(req, timeout=10) as res:
        text = res.read()
        return json.loads(text) if text else None


def proxy_log():
    return _call(ENDPOINT + "/__proxy/log")


def proxy_fail(**failure):
    _call(ENDPOINT + "/__proxy/fail", failure, method="POST")


def requests_to(path):
    return [r for r in proxy_log() if r["path"].startswith(path)]


def stored(path):
    out = []
    for r in requests_to(path):
        if r["status"] in (200, 207):
            out.extend(r["body"].get("events") or r["body"].get("points") or [])
    return out


def query(metric):
    answer = _call(SERVER + "/api/v1/query", {"metric": metric, "aggregation": "sum", "range": "2d"}, {"Authorization": "Bearer " + READ_KEY}, "POST")
    return answer.get("value") or 0


def event_count(name):
    return query("event:" + name)


def eventually(check, what, deadline=20.0):
    end = time.monotonic() + deadline
    while not check():
        if time.monotonic() > end:
            raise AssertionError("never happened: " + what)
        time.sleep(0.02)


@unittest.skipUnless(ENDPOINT and KEY, "needs a live server (run through test/sdks/python.test.ts)")
class SdkTest(unittest.TestCase):
    def setUp(self):
        _call(ENDPOINT + "/__proxy/reset", {}, method="POST")
        self.clients = []

    def tearDown(self):
        for c in self.clients:
            c.close(5)

    def client(self, **kw):
        opts = dict(api_key=KEY, endpoint=ENDPOINT, flush_interval=60, retry_delay=0.005)
        opts.update(kw)
        c = LiteKPI(**opts)
        self.clients.append(c)
        return c

    # ── batching ──

    def test_batches_of_100_sent_when_full_rest_on_flush_gzip(self):
        c = self.client()
        for i in range(250):
            c.track("py_batch", {"i": i})
        eventually(lambda: len([r for r in requests_to("/api/v1/events") if r["status"] == 200]) == 2, "two full batches sent without flush")
        self.assertEqual(c.stats()["queued"], 50)
        self.assertTrue(c.flush(10))
        reqs = requests_to("/api/v1/events")
        self.assertEqual([len(r["body"]["events"]) for r in reqs], [100, 100, 50])
        self.assertTrue(all(r["encoding"] == "gzip" and r["authorization"] == "Bearer " + KEY for r in reqs))
        self.assertEqual(event_count("py_batch"), 250)
        self.assertEqual(c.stats()["sent"], 250)

    def test_timer_sends_a_partial_batch(self):
        c = self.client(flush_interval=0.1)
        c.track("py_timer")
        c.point("py.timer.point", 3)
        eventually(lambda: len(stored("/api/v1/events")) == 1 and len(stored("/api/v1/points")) == 1, "the timer flushed")
        self.assertEqual(event_count("py_timer"), 1)
        self.assertEqual(query("py.timer.point"), 3)

    def test_namespace_context_and_points(self):
        c = self.client(custom_context={"service": "billing-api"})
        c.set_user("user_123", {"plan": "pro"})
        c.set_organization("org_456")
        c.set_context({"version": "1.2.0"})
        c.track("billing", "py_usage_recorded", {"quantity": 1000, "amount": 50.0})
        c.point("py.queue.depth", 42, {"region": "eu"})
        c.flush(10)
        [e] = stored("/api/v1/events")
        self.assertEqual(e["namespace"], "billing")
        self.assertEqual(e["event"], "py_usage_recorded")
        self.assertEqual(e["properties"], {"quantity": 1000, "amount": 50.0})
        self.assertEqual(e["context"], {"service": "billing-api", "user_id": "user_123", "user": {"plan": "pro"}, "org_id": "org_456", "version": "1.2.0"})
        self.assertRegex(e["timestamp"], r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$")
        [p] = stored("/api/v1/points")
        self.assertEqual((p["metric"], p["value"], p["tags"]), ("py.queue.depth", 42, {"region": "eu"}))

    # ── retries ──

    def test_503_retried_with_the_same_idempotency_key_stored_once(self):
        c = self.client()
        proxy_fail(count=1, status=503, retryAfter=0)
        for _ in range(5):
            c.point("py.retry.503", 1)
        c.flush(10)
        tries = requests_to("/api/v1/points")
        self.assertEqual([r["status"] for r in tries], [503, 200])
        self.assertTrue(tries[0]["idempotencyKey"])
        self.assertEqual(tries[0]["idempotencyKey"], tries[1]["idempotencyKey"])
        self.assertEqual(query("py.retry.503"), 5)

    def test_lost_answer_after_storing_is_replayed_not_stored_twice(self):
        c = self.client()
        proxy_fail(count=1, status=503, after=True)
        for _ in range(4):
            c.point("py.retry.lost", 1)
        c.flush(10)
        tries = requests_to("/api/v1/points")
        self.assertEqual([(r.get("forwardedStatus"), r["status"]) for r in tries], [(200, 503), (None, 200)])
        self.assertEqual(query("py.retry.lost"), 4)

    def test_retry_after_on_429_is_waited_for(self):
        c = self.client()
        proxy_fail(count=1, status=429, retryAfter=1)
        c.point("py.retry.429", 1)
        c.flush(10)
        first, second = requests_to("/api/v1/points")
        self.assertGreaterEqual(second["at"] - first["at"], 900)
        self.assertEqual(query("py.retry.429"), 1)

    def test_retry_after_parsing(self):
        self.assertEqual(retry_after("3"), 3.0)
        self.assertEqual(retry_after(None), None)
        self.assertEqual(retry_after("soon"), None)
        self.assertEqual(retry_after("100000"), 60.0)
        self.assertAlmostEqual(retry_after(time.strftime("%a, %d %b %Y %H:%M:%S GMT", time.gmtime(time.time() + 30))), 30, delta=2)

    # ── never raises, stays bounded ──

    def test_server_down_batch_counted_failed_flush_returns(self):
        problems = []
        c = self.client(max_retries=2, on_error=problems.append)
        proxy_fail(count=10, status=503, retryAfter=0)
        c.track("py_down")
        self.assertTrue(c.flush(10))
        self.assertEqual(len(requests_to("/api/v1/events")), 3)
        self.assertEqual(c.stats()["failed"], 1)
        self.assertIn("failed after 3 attempts", str(problems[-1]))

    def test_bounded_queue_drops_oldest_and_counts(self):
        c = self.client(max_queue_size=10, endpoint="http://127.0.0.1:1", max_retries=0)
        c.disable()  # nothing reaches the queue while disabled
        c.enable()
        for i in range(25):
            c.track("py_overflow", {"i": i})
        s = c.stats()
        self.assertEqual((s["queued"], s["overflow"]), (10, 15))

    def test_bad_input_and_unreachable_endpoint_never_raise(self):
        cyclic = {}
        cyclic["self"] = cyclic

        def bad_handler(_err):
            raise RuntimeError("on_error itself raises")

        c = self.client(endpoint="http://127.0.0.1:1", max_retries=0, on_error=bad_handler)
        c.track("ok", cyclic)
        c.track("", {})
        c.track(None)
        c.track("x", ["not", "a", "dict"])
        c.point("m", float("nan"))
        c.point("m", "5")
        c.point("m", True)
        c.set_context(None)
        c.track("fine")
        self.assertTrue(c.flush(10))
        s = c.stats()
        self.assertEqual((s["rejected"], s["failed"]), (7, 1))

    def test_a_refused_item_does_not_cost_its_batch(self):
        problems = []
        c = self.client(on_error=problems.append)
        c.point("py.partial.ok", 1)
        c.point("event:reserved", 1)
        c.point("py.partial.ok", 1)
        c.flush(10)
        self.assertEqual(query("py.partial.ok"), 2)
        self.assertEqual((c.stats()["sent"], c.stats()["rejected"]), (2, 1))
        self.assertIn("reserved", str(problems[0]))

    # ── enable, disable, sampling ──

    def test_disabled_sdk_sends_nothing(self):
        c = self.client(enabled=False)
        c.track("py_disabled")
        c.point("py.disabled", 1)
        c.flush(10)
        self.assertEqual(proxy_log(), [])
        c.enable()
        c.track("py_disabled")
        c.disable()
        c.track("py_disabled")
        c.flush(10)
        self.assertEqual(event_count("py_disabled"), 1)

    def test_sampling(self):
        c = self.client(sampling_rate=0)
        for _ in range(50):
            c.track("py_sampled_none")
        c.point("py.sampled.point", 1)
        c.set_sampling_rate(0.5)
        for _ in range(2000):
            c.track("py_sampled_half")
        c.set_sampling_rate(1)
        for _ in range(30):
            c.track("py_sampled_all")
        c.flush(20)
        self.assertEqual(event_count("py_sampled_none"), 0)
        self.assertEqual(event_count("py_sampled_all"), 30)
        self.assertEqual(query("py.sampled.point"), 1)
        half = event_count("py_sampled_half")
        self.assertTrue(866 < half < 1134, half)  # 6 standard deviations of 2000 coin flips
        self.assertEqual(c.stats()["sampled"], 50 + 2000 - half)

    # ── exit ──

    def test_a_script_that_ends_without_flush_still_delivers(self):
        script = (
            "import os, sys; sys.path.insert(0, %r)\n"
            "from litekpi import LiteKPI\n"
            "c = LiteKPI(api_key=os.environ['LITEKPI_API_KEY'], endpoint=os.environ['LITEKPI_ENDPOINT'], flush_interval=60)\n"
            "for i in range(3): c.track('cli', 'py_exit', {'i': i})\n"
            "c.point('py.exit', 7)\n"
            "print('done, not flushed')\n"
        ) % os.path.dirname(HERE)
        done = subprocess.run([sys.executable, "-c", script], env=os.environ.copy(), capture_output=True, timeout=60)
        self.assertEqual(done.returncode, 0, done.stderr)
        self.assertEqual(event_count("py_exit"), 3)
        self.assertEqual(query("py.exit"), 7)

    # ── ASGI middleware ──

    def test_asgi_middleware_tracks_every_request(self):
        c = self.client()

        class Route(object):
            def __init__(self, path):
                self.path = path

        async def app(scope, receive, send):
            path = scope["path"]
            if path == "/boom":
                raise RuntimeError("handler failed")
            if path.startswith("/users/"):
                scope["route"] = Route("/users/{user_id}")  # what Starlette's router sets
                status = 200
            elif path.startswith("/orders/"):
                scope["path_params"] = {"order_id": path.split("/")[2]}
                status = 201
            else:
                status = 404
            await send({"type": "http.response.start", "status": status, "headers": []})
            await send({"type": "http.response.body", "body": b"{}"})

        wrapped = LiteKPIMiddleware(app, client=c)

        async def call(method, path):
            sent = []

            async def receive():
                return {"type": "http.request", "body": b"", "more_body": False}

            async def send(message):
                sent.append(message)

            scope = {"type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1", "method": method, "path": path, "raw_path": path.encode(), "query_string": b"", "headers": []}
            try:
                await wrapped(scope, receive, send)
            except RuntimeError:
                return 500
            return sent[0]["status"]

        async def lifespan_passes_through():
            seen = []

            async def inner(scope, receive, send):
                seen.append(scope["type"])

            await LiteKPIMiddleware(inner, client=c)({"type": "lifespan"}, None, None)
            return seen

        async def main():
            return [await call("GET", "/users/42"), await call("POST", "/orders/9"), await call("GET", "/nowhere"), await call("GET", "/boom"), await lifespan_passes_through()]

        self.assertEqual(asyncio.run(main()), [200, 201, 404, 500, ["lifespan"]])
        c.flush(10)
        events = stored("/api/v1/events")
        self.assertEqual(
            [(e["namespace"], e["event"], e["properties"]["method"], e["properties"]["route"], e["properties"]["status"]) for e in events],
            [("http", "request", "GET", "/users/{user_id}", 200), ("http", "request", "POST", "/orders/{order_id}", 201), ("http", "request", "GET", None, 404), ("http", "request", "GET", None, 500)],
        )
        self.assertTrue(all(isinstance(e["properties"]["duration_ms"], (int, float)) for e in events))


if __name__ == "__main__":
    unittest.main()
