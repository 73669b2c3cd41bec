"""ASGI middleware (FastAPI, Starlette, any ASGI 3 app): one event per HTTP request.

Written against the ASGI spec, so it needs neither framework:

    app.add_middleware(LiteKPIMiddleware, client=analytics)

Each request becomes `http` / `request` with method, route, status and duration_ms. The route is
the matched pattern (`/users/{user_id}`), never the raw path, so ids do not explode cardinality:
Starlette and FastAPI put the matched route in `scope["route"]`; without it the path parameters
in `scope["path_params"]` are put back as `{name}`; with neither it is None.
"""

import time


class LiteKPIMiddleware(object):
    def __init__(self, app, client=None, analytics=None, namespace="http", event="request", ignore=None):
        self.app = app
        self.client = client if client is not None else analytics
        self.namespace = namespace
        self.event = event
        self.ignore = ignore

    async def __call__(self, scope, receive, send):
        if scope.get("type") != "http" or self.client is None or self._ignored(scope):
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        seen = {"status": None}

        async def send_and_watch(message):
            if message.get("type") == "http.response.start":
                seen["status"] = message.get("status")
            await send(message)

        try:
            await self.app(scope, receive, send_and_watch)
        except BaseException:
            # The server answers 500 for an app that raised before starting a response.
            if seen["status"] is None:
                seen["status"] = 500
            raise
        finally:
            self._track(scope, seen["status"], started)

    def _ignored(self, scope):
        try:
            return bool(self.ignore and self.ignore(scope))
        except Exception:
            return False

    def _track(self, scope, status, started):
        try:
            self.client.track(
                self.namespace,
                self.event,
                {
                    "method": scope.get("method", "GET"),
                    "route": route_of(scope),
                    "status": status if status is not None else 0,
                    "duration_ms": round((time.perf_counter() - started) * 1000, 3),
                },
            )
        except Exception:
            pass  # never into the host app


def route_of(scope):
    """The matched route pattern of an ASGI scope, or None."""
    route = scope.get("route")
    path = getattr(route, "path", None) or getattr(route, "path_format", None)
    if isinstance(path, str):
        return path
    params = scope.get("path_params")
    raw = scope.get("path")
    if isinstance(params, dict) and params and isinstance(raw, str):
        parts = raw.split("/")
        by_value = {}
        for name, value in params.items():
            by_value.setdefault(str(value), name)
        return "/".join("{%s}" % by_value[p] if p in by_value else p for p in parts)
    return None


AnalyticsMiddleware = LiteKPIMiddleware
