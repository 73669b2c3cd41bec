package litekpi

import (
	"math"
	"net/http"
	"strings"
	"time"
)

// MiddlewareOptions tune Middleware. Zero values: namespace "http", event "request".
type MiddlewareOptions struct {
	Namespace string
	Event     string
	// Route names the matched route pattern of a request (e.g. chi's
	// chi.RouteContext(r.Context()).RoutePattern()). Default: the path with id-like segments
	// (numbers, UUIDs, long hex) replaced by ":id", so ids do not explode the cardinality.
	Route func(*http.Request) string
	// Ignore leaves requests out (health checks, static files).
	Ignore func(*http.Request) bool
}

// Middleware wraps an http.Handler: one event per request with method, route, status and duration_ms.
func (c *Client) Middleware(next http.Handler) http.Handler {
	return c.MiddlewareWith(MiddlewareOptions{}, next)
}

// MiddlewareWith is Middleware with options.
func (c *Client) MiddlewareWith(opts MiddlewareOptions, next http.Handler) http.Handler {
	if opts.Namespace == "" {
		opts.Namespace = "http"
	}
	if opts.Event == "" {
		opts.Event = "request"
	}
	if opts.Route == nil {
		opts.Route = func(r *http.Request) string { return RoutePattern(r.URL.Path) }
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if opts.Ignore != nil && opts.Ignore(r) {
			next.ServeHTTP(w, r)
			return
		}
		started := time.Now()
		rec := &statusRecorder{ResponseWriter: w}
		defer func() {
			p := recover()
			status := rec.status
			if p != nil && status == 0 {
				status = http.StatusInternalServerError
			} else if status == 0 {
				status = http.StatusOK // nothing written: net/http answers 200
			}
			c.TrackNamespace(opts.Namespace, opts.Event, map[string]interface{}{
				"method":      r.Method,
				"route":       opts.Route(r),
				"status":      status,
				"duration_ms": math.Round(float64(time.Since(started).Microseconds())) / 1000,
			})
			if p != nil {
				panic(p) // the host's own recovery (or net/http's) still sees it
			}
		}()
		next.ServeHTTP(rec, r)
	})
}

type statusRecorder struct {
	http.ResponseWriter
	status int
}

func (r *statusRecorder) WriteHeader(code int) {
	if r.status == 0 {
		r.status = code
	}
	r.ResponseWriter.WriteHeader(code)
}

func (r *statusRecorder) Write(b []byte) (int, error) {
	if r.status == 0 {
		r.status = http.StatusOK
	}
	return r.ResponseWriter.Write(b)
}

// Flush keeps streaming responses working through the wrapper.
func (r *statusRecorder) Flush() {
	if f, ok := r.ResponseWriter.(http.Flusher); ok {
		f.Flush()
	}
}

// Unwrap lets http.ResponseController (Go 1.20+) reach the underlying writer.
func (r *statusRecorder) Unwrap() http.ResponseWriter { return r.ResponseWriter }

// RoutePattern turns a path into a pattern: segments that look like ids become ":id".
func RoutePattern(path string) string {
	parts := strings.Split(path, "/")
	for i, p := range parts {
		if looksLikeID(p) {
			parts[i] = ":id"
		}
	}
	return strings.Join(parts, "/")
}

func looksLikeID(s string) bool {
	if s == "" {
		return false
	}
	digits, hex := true, true
	for _, ch := range s {
		isDigit := ch >= '0' && ch <= '9'
		isHex := isDigit || (ch >= 'a' && ch <= 'f') || (ch >= 'A' && ch <= 'F') || ch == '-'
		digits = digits && isDigit
		hex = hex && isHex
	}
	return digits || (hex && len(s) >= 16)
}
