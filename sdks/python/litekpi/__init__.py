"""LiteKPI SDK for Python: events and metric points, batched and sent by a background thread.

    from litekpi import LiteKPI
    analytics = LiteKPI(api_key="lk_...", endpoint="https://kpi.example.com")
    analytics.track("user_signup", {"plan": "pro"})

Standard library only; Python 3.8+.
"""

from .client import LiteKPI
from .asgi import LiteKPIMiddleware, AnalyticsMiddleware

__all__ = ["LiteKPI", "LiteKPIMiddleware", "AnalyticsMiddleware"]
__version__ = "0.1.0"
