"""R22, Python: the cost of track() on the caller's thread, µs per call (the sender thread does
the network; it shares the GIL, so its work while the loop runs is part of what the caller pays).
Prints one JSON line: {"us_per_call": ...}."""

import json
import os
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "../../sdks/python"))
from litekpi import LiteKPI  # noqa: E402

n = int(os.environ.get("N", "100000"))
c = LiteKPI(api_key=os.environ["LITEKPI_API_KEY"], endpoint=os.environ["LITEKPI_ENDPOINT"], max_queue_size=n + 1000)
c.set_user("user_123")
c.set_context({"service": "bench"})
props = {"plan": "pro", "amount": 49.5, "feature": "export", "ok": True}
for _ in range(2000):
    c.track("warmup", props)
t0 = time.perf_counter()
for _ in range(n):
    c.track("billing", "usage_recorded", props)
us = (time.perf_counter() - t0) * 1e6 / n
c.close(60)
print(json.dumps({"us_per_call": us, "sent": c.stats()["sent"]}))
