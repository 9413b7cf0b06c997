"""/metrics in the Prometheus text format (prometheus-client), one registry per application.

    landapproval_http_requests_total{route, method, status}       requests answered
    landapproval_http_request_seconds{route}                      latency histogram (whole request)
    landapproval_http_in_flight / landapproval_http_queued        requests being handled / waiting for a slot
    landapproval_evaluations_total{verdict, conversion, expropriation}   decisions made (HTTP)
    landapproval_layer_source_errors_total{layer}                 map layer reads that failed (503 unavailable)

`route` is the route's path (an unknown path is "other", so a scanner cannot grow the series).
With `--workers N` each worker keeps its own counts: a scrape reaches one worker, so scrape each
worker (or run one worker per process behind a balancer); the counts are never summed here.
"""

from __future__ import annotations

from typing import Any, Iterable

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, generate_latest
from prometheus_client.exposition import CONTENT_TYPE_LATEST

BUCKETS = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)


class Metrics:
    """The application's instruments (a registry of its own: two applications in one process, as in
    the tests, never collide)."""

    def __init__(self) -> None:
        self.registry = CollectorRegistry(auto_describe=True)
        self.requests = Counter("landapproval_http_requests", "HTTP requests answered",
                                ("route", "method", "status"), registry=self.registry)
        self.latency = Histogram("landapproval_http_request_seconds", "time to answer an HTTP request",
                                 ("route",), buckets=BUCKETS, registry=self.registry)
        self.in_flight = Gauge("landapproval_http_in_flight", "requests being handled", registry=self.registry)
        self.queued = Gauge("landapproval_http_queued", "requests waiting for an in-flight slot",
                            registry=self.registry)
        self.evaluations = Counter("landapproval_evaluations", "decisions made over HTTP",
                                   ("verdict", "conversion", "expropriation"), registry=self.registry)
        self.layer_errors = Counter("landapproval_layer_source_errors", "map layer reads that failed",
                                    ("layer",), registry=self.registry)
        self.routes: frozenset[str] | None = None
        self.app: Any = None               # the application, whose route paths are the labels

    def route(self, path: str) -> str:
        if self.routes is None:            # read once the application has every route
            self.routes = (frozenset(_paths(self.app.routes)) | frozenset(self.app.openapi().get("paths", {}))
                           if self.app is not None else frozenset())
        return path if path in self.routes else "other"

    def observe(self, path: str, method: str, status: int, seconds: float) -> None:
        route = self.route(path)
        self.requests.labels(route, method, str(status)).inc()
        self.latency.labels(route).observe(seconds)

    def decided(self, decision: Any) -> None:
        """One decision: its verdict and the approving level of each part ("none" where not involved)."""
        self.evaluations.labels("approvable" if decision.approvable else "not_approvable",
                                decision.conversion.level if decision.conversion else "none",
                                decision.expropriation.level if decision.expropriation else "none").inc()

    def layer_failed(self, where: str) -> None:
        self.layer_errors.labels(where.removeprefix("layers.") or "?").inc()

    def text(self) -> tuple[bytes, str]:
        return generate_latest(self.registry), CONTENT_TYPE_LATEST


def _paths(routes: Iterable[Any], prefix: str = "") -> list[str]:
    """Every route's path, through included routers and mounts (routes of any kind: read with getattr)."""
    out: list[str] = []
    for route in routes:
        path = getattr(route, "path", None)
        if path:
            out.append(prefix + path)
        included = getattr(route, "original_router", None)   # FastAPI's include_router
        if included is not None:
            context = getattr(route, "include_context", None)
            out.extend(_paths(included.routes, prefix + (getattr(context, "prefix", "") or "")))
    return out


__all__ = ["Metrics"]
