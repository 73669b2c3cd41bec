"""Sending one batch: gzip, the batch's Idempotency-Key kept across retries, backoff, Retry-After."""

import email.utils
import gzip
import json
import random
import time
import urllib.error
import urllib.request
import uuid

RETRYABLE = frozenset((408, 425, 429, 500, 502, 503, 504))
COMPRESS_ABOVE = 1024
MAX_RETRY_AFTER = 60.0


class Outcome(object):
    """What became of a batch: how many the server stored, refused, or never got."""

    __slots__ = ("sent", "rejected", "failed", "problem")

    def __init__(self, sent=0, rejected=0, failed=0, problem=None):
        self.sent = sent
        self.rejected = rejected
        self.failed = failed
        self.problem = problem


def serialise(wrapper, items):
    """The batch as JSON bytes and the items that made it in (one unserialisable item is left out alone).

    NaN and Infinity are refused (JSON has no such numbers); other unknown types (datetime,
    Decimal, UUID) are written as their str().
    """
    try:
        return json.dumps({wrapper: items}, allow_nan=False, default=str, separators=(",", ":")).encode("utf-8"), items
    except (ValueError, TypeError, RecursionError):
        ok = []
        for item in items:
            try:
                json.dumps(item, allow_nan=False, default=str)
                ok.append(item)
            except (ValueError, TypeError, RecursionError):
                pass
        if not ok:
            return None, ok
        return json.dumps({wrapper: ok}, allow_nan=False, default=str, separators=(",", ":")).encode("utf-8"), ok


def backoff(attempt, base, cap):
    """Exponential backoff with "equal jitter": half fixed, half random, so clients never retry in step."""
    d = min(cap, base * (2 ** attempt))
    return d / 2 + random.random() * d / 2


def retry_after(header):
    """Retry-After as seconds or an HTTP date; None when absent or unreadable."""
    if not header:
        return None
    header = header.strip()
    try:
        seconds = float(header)
    except ValueError:
        try:
            when = email.utils.parsedate_to_datetime(header)
            seconds = when.timestamp() - time.time()
        except (TypeError, ValueError, IndexError, OverflowError):
            return None
    if seconds != seconds:  # NaN
        return None
    return min(max(seconds, 0.0), MAX_RETRY_AFTER)


def send_batch(url, api_key, wrapper, items, opts, sleep=time.sleep):
    """POST one batch until it is stored, refused, or out of retries. Never raises."""
    given = len(items)
    body, items = serialise(wrapper, items)
    if body is None:
        return Outcome(rejected=given, problem="%d %s could not be serialised to JSON" % (given, wrapper))
    unserialisable = given - len(items)
    headers = {
        "Authorization": "Bearer " + api_key,
        "Content-Type": "application/json",
        "Idempotency-Key": str(uuid.uuid4()),
        "User-Agent": "litekpi-python",
    }
    if opts["compress"] and len(body) > COMPRESS_ABOVE:
        body = gzip.compress(body, compresslevel=6)
        headers["Content-Encoding"] = "gzip"
    attempt = 0
    while True:
        # Read each attempt: a batch already retrying when the interpreter exits gets the exit budget.
        retries = min(opts["max_retries"], 2) if opts["exiting"]() else opts["max_retries"]
        wait = None
        try:
            req = urllib.request.Request(url, data=body, headers=headers, method="POST")
            with urllib.request.urlopen(req, timeout=opts["timeout"]) as res:
                return _stored(len(items), res.read(), unserialisable)
        except urllib.error.HTTPError as err:
            status = err.code
            answer = _read(err)
            problem = "HTTP %d: %s" % (status, answer[:300].decode("utf-8", "replace"))
            if status == 413 and len(items) > 1:
                half = len(items) // 2
                a = send_batch(url, api_key, wrapper, items[:half], opts, sleep)
                b = send_batch(url, api_key, wrapper, items[half:], opts, sleep)
                return Outcome(a.sent + b.sent, a.rejected + b.rejected, a.failed + b.failed, a.problem or b.problem)
            if status not in RETRYABLE:
                return Outcome(rejected=given, problem="refused a batch of %d %s: %s" % (len(items), wrapper, problem))
            wait = retry_after(err.headers.get("Retry-After") if err.headers else None)
        except Exception as err:  # URLError, timeouts, connection resets: all retried
            problem = "%s: %s" % (type(err).__name__, err)
        if attempt >= retries:
            return Outcome(failed=len(items), rejected=unserialisable, problem="a batch of %d %s failed after %d attempts (%s)" % (len(items), wrapper, attempt + 1, problem))
        cap = 1.0 if opts["exiting"]() else opts["max_retry_delay"]
        sleep(wait if wait is not None else backoff(attempt, opts["retry_delay"], cap))
        attempt += 1


def _read(err):
    try:
        return err.read() or b""
    except Exception:
        return b""


def _stored(count, answer, unserialisable):
    accepted = count
    problem = None
    try:
        a = json.loads(answer.decode("utf-8"))
        if isinstance(a.get("accepted"), int):
            accepted = a["accepted"] + int(a.get("duplicates") or 0)
        errors = a.get("errors")
        if isinstance(errors, list) and errors:
            problem = "refused %d of %d items: %s" % (count - accepted, count, json.dumps(errors[:3]))
    except Exception:
        pass  # a 200 whose body is not JSON (a proxy in between): stored, as the status says
    if unserialisable and not problem:
        problem = "%d items could not be serialised to JSON" % unserialisable
    return Outcome(sent=accepted, rejected=count - accepted + unserialisable, problem=problem)
