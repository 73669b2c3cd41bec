package litekpi_test

// Helpers of the suite: the fault proxy's control endpoints, reads through the server's query API.

import (
	"bytes"
	"encoding/json"
	"net/http"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	litekpi "github.com/litekpi/litekpi-go"
)

var (
	endpoint = os.Getenv("LITEKPI_ENDPOINT")
	server   = os.Getenv("LITEKPI_SERVER")
	apiKey   = os.Getenv("LITEKPI_API_KEY")
	readKey  = os.Getenv("LITEKPI_READ_KEY")
)

type proxied struct {
	Path            string          `json:"path"`
	Status          int             `json:"status"`
	IdempotencyKey  string          `json:"idempotencyKey"`
	Encoding        string          `json:"encoding"`
	Authorization   string          `json:"authorization"`
	Body            json.RawMessage `json:"body"`
	ForwardedStatus *int            `json:"forwardedStatus"`
	At              int64           `json:"at"`
}

func call(t *testing.T, method, url string, body interface{}, headers map[string]string, out interface{}) {
	t.Helper()
	var rd *bytes.Reader
	if body != nil {
		b, _ := json.Marshal(body)
		rd = bytes.NewReader(b)
	} else {
		rd = bytes.NewReader(nil)
	}
	req, _ := http.NewRequest(method, url, rd)
	req.Header.Set("Content-Type", "application/json")
	for k, v := range headers {
		req.Header.Set(k, v)
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	if out != nil {
		if err := json.NewDecoder(res.Body).Decode(out); err != nil {
			t.Fatal(err)
		}
	}
}

func setup(t *testing.T) {
	if endpoint == "" || apiKey == "" {
		t.Skip("needs a live server (run through test/sdks/go.test.ts)")
	}
	call(t, "POST", endpoint+"/__proxy/reset", map[string]int{}, nil, nil)
}

func requestsTo(t *testing.T, path string) []proxied {
	var all, out []proxied
	call(t, "GET", endpoint+"/__proxy/log", nil, nil, &all)
	for _, r := range all {
		if strings.HasPrefix(r.Path, path) {
			out = append(out, r)
		}
	}
	return out
}

func storedItems(t *testing.T, path string) []map[string]interface{} {
	var items []map[string]interface{}
	for _, r := range requestsTo(t, path) {
		if r.Status != 200 && r.Status != 207 {
			continue
		}
		var b map[string][]map[string]interface{}
		if err := json.Unmarshal(r.Body, &b); err != nil {
			t.Fatal(err)
		}
		items = append(items, b["events"]...)
		items = append(items, b["points"]...)
	}
	return items
}

func query(t *testing.T, metric string) float64 {
	var a struct {
		Value *float64 `json:"value"`
	}
	call(t, "POST", server+"/api/v1/query", map[string]string{"metric": metric, "aggregation": "sum", "range": "2d"}, map[string]string{"Authorization": "Bearer " + readKey}, &a)
	if a.Value == nil {
		return 0
	}
	return *a.Value
}

func eventCount(t *testing.T, name string) float64 { return query(t, "event:"+name) }

func fail(t *testing.T, failure map[string]interface{}) {
	call(t, "POST", endpoint+"/__proxy/fail", failure, nil, nil)
}

func eventually(t *testing.T, what string, check func() bool) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for !check() {
		if time.Now().After(deadline) {
			t.Fatalf("never happened: %s", what)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func newClient(t *testing.T, cfg litekpi.Config) *litekpi.Client {
	if cfg.APIKey == "" {
		cfg.APIKey = apiKey
	}
	if cfg.Endpoint == "" {
		cfg.Endpoint = endpoint
	}
	if cfg.FlushInterval == 0 {
		cfg.FlushInterval = time.Minute
	}
	if cfg.RetryDelay == 0 {
		cfg.RetryDelay = 5 * time.Millisecond
	}
	c := litekpi.New(cfg)
	t.Cleanup(c.Close)
	return c
}

type errorLog struct {
	mu   sync.Mutex
	errs []error
}

func (l *errorLog) add(err error) { l.mu.Lock(); l.errs = append(l.errs, err); l.mu.Unlock() }
func (l *errorLog) last() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	if len(l.errs) == 0 {
		return ""
	}
	return l.errs[len(l.errs)-1].Error()
}
