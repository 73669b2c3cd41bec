package litekpi_test

// The net/http middleware, Close against a server that never answers, and R22's benchmark.

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	litekpi "github.com/litekpi/litekpi-go"
)

func TestMiddlewareTracksEveryRequest(t *testing.T) {
	setup(t)
	c := newClient(t, litekpi.Config{})
	mux := http.NewServeMux()
	mux.HandleFunc("/users/", func(w http.ResponseWriter, r *http.Request) { _, _ = w.Write([]byte("{}")) })
	mux.HandleFunc("/items", func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(201) })
	mux.HandleFunc("/boom", func(w http.ResponseWriter, r *http.Request) { panic("handler failed") })
	srv := httptest.NewServer(c.Middleware(mux))
	defer srv.Close()
	for _, r := range []struct{ method, path string }{{"GET", "/users/42"}, {"POST", "/items"}, {"GET", "/nowhere"}, {"GET", "/users/3f2c9a1e-8b7d-4c6e-9f00-1234567890ab"}} {
		req, _ := http.NewRequest(r.method, srv.URL+r.path, nil)
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
	}
	if _, err := http.Get(srv.URL + "/boom"); err == nil {
		t.Fatal("a panicking handler should drop the connection")
	}
	eventually(t, "five request events", func() bool { return c.Stats().Queued == 5 })
	c.Flush()
	var got []string
	for _, e := range storedItems(t, "/api/v1/events") {
		p := e["properties"].(map[string]interface{})
		if _, ok := p["duration_ms"].(float64); !ok {
			t.Fatalf("duration_ms %v", p["duration_ms"])
		}
		got = append(got, strings.Join([]string{e["namespace"].(string), e["event"].(string), p["method"].(string), p["route"].(string)}, " ")+" "+jsonNumber(p["status"]))
	}
	want := []string{"http request GET /users/:id 200", "http request POST /items 201", "http request GET /nowhere 404", "http request GET /users/:id 200", "http request GET /boom 500"}
	if strings.Join(got, "|") != strings.Join(want, "|") {
		t.Fatalf("events\n got %v\nwant %v", got, want)
	}
}

func jsonNumber(v interface{}) string {
	b, _ := json.Marshal(v)
	return string(b)
}

// BenchmarkTrack is R22 for Go: TrackNamespace on the caller's goroutine (go test -bench Track),
// against the live server when LITEKPI_ENDPOINT is set.
func BenchmarkTrack(b *testing.B) {
	target := endpoint
	if target == "" {
		target = "http://127.0.0.1:1"
	}
	c := litekpi.New(litekpi.Config{APIKey: apiKey, Endpoint: target, MaxQueueSize: b.N + 1000, CloseTimeout: time.Second})
	c.SetUser("user_123", nil)
	c.SetContext(map[string]interface{}{"service": "bench"})
	props := map[string]interface{}{"plan": "pro", "amount": 49.5, "feature": "export", "ok": true}
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		c.TrackNamespace("billing", "usage_recorded", props)
	}
	b.StopTimer() // the caller's cost only, not the final flush
	c.Close()
}

func TestCloseIsBoundedWhenTheServerNeverAnswers(t *testing.T) {
	release := make(chan struct{})
	hung := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { <-release }))
	defer hung.Close()
	defer close(release)
	var log errorLog
	c := litekpi.New(litekpi.Config{APIKey: "lk_test", Endpoint: hung.URL, CloseTimeout: 100 * time.Millisecond, HTTPClient: &http.Client{}, OnError: log.add})
	c.Track("never_answered", nil)
	c.Close() // returns although the request is still waiting
	if !strings.Contains(log.last(), "Close gave up") {
		t.Fatalf("last error %q", log.last())
	}
}
