package litekpi_test

// The Go SDK against a live LiteKPI server, through the test suite's fault proxy. Run by
// test/sdks/go.test.ts, which starts both and sets LITEKPI_ENDPOINT (the proxy),
// LITEKPI_SERVER, LITEKPI_API_KEY and LITEKPI_READ_KEY.

import (
	"encoding/json"
	"errors"
	"math"
	"regexp"
	"strings"
	"testing"
	"time"

	litekpi "github.com/litekpi/litekpi-go"
)

func TestBatchesOf100SentWhenFullRestOnFlushGzip(t *testing.T) {
	setup(t)
	c := newClient(t, litekpi.Config{})
	for i := 0; i < 250; i++ {
		c.Track("go_batch", map[string]interface{}{"i": i})
	}
	eventually(t, "two full batches sent without Flush", func() bool {
		n := 0
		for _, r := range requestsTo(t, "/api/v1/events") {
			if r.Status == 200 {
				n++
			}
		}
		return n == 2
	})
	if q := c.Stats().Queued; q != 50 {
		t.Fatalf("queued %d, want 50", q)
	}
	c.Flush()
	var sizes []int
	for _, r := range requestsTo(t, "/api/v1/events") {
		var b struct{ Events []json.RawMessage }
		_ = json.Unmarshal(r.Body, &b)
		sizes = append(sizes, len(b.Events))
		if r.Encoding != "gzip" || r.Authorization != "Bearer "+apiKey {
			t.Fatalf("encoding %q, authorization %q", r.Encoding, r.Authorization)
		}
	}
	if len(sizes) != 3 || sizes[0] != 100 || sizes[1] != 100 || sizes[2] != 50 {
		t.Fatalf("batch sizes %v", sizes)
	}
	if n := eventCount(t, "go_batch"); n != 250 {
		t.Fatalf("stored %v", n)
	}
	if s := c.Stats(); s.Sent != 250 {
		t.Fatalf("stats %+v", s)
	}
}

func TestTimerSendsAPartialBatch(t *testing.T) {
	setup(t)
	c := newClient(t, litekpi.Config{FlushInterval: 100 * time.Millisecond})
	c.Track("go_timer", nil)
	c.Point("go.timer.point", 3, nil)
	eventually(t, "the timer flushed", func() bool {
		return len(storedItems(t, "/api/v1/events")) == 1 && len(storedItems(t, "/api/v1/points")) == 1
	})
	if eventCount(t, "go_timer") != 1 || query(t, "go.timer.point") != 3 {
		t.Fatal("not stored")
	}
}

func TestNamespaceContextAndPoints(t *testing.T) {
	setup(t)
	c := newClient(t, litekpi.Config{CustomContext: map[string]interface{}{"service": "billing-api"}})
	c.SetUser("user_123", map[string]interface{}{"plan": "pro"})
	c.SetOrganization("org_456")
	c.SetContext(map[string]interface{}{"version": "1.2.0"})
	props := map[string]interface{}{"quantity": 1000, "amount": 50.0}
	c.TrackNamespace("billing", "go_usage_recorded", props)
	props["quantity"] = -1 // the caller reuses its map: what was tracked must not change
	c.Point("go.queue.depth", 42, map[string]string{"region": "eu"})
	c.Flush()
	events := storedItems(t, "/api/v1/events")
	if len(events) != 1 {
		t.Fatalf("events %v", events)
	}
	got, _ := json.Marshal(map[string]interface{}{"namespace": events[0]["namespace"], "event": events[0]["event"], "properties": events[0]["properties"], "context": events[0]["context"]})
	want := `{"context":{"org_id":"org_456","service":"billing-api","user":{"plan":"pro"},"user_id":"user_123","version":"1.2.0"},"event":"go_usage_recorded","namespace":"billing","properties":{"amount":50,"quantity":1000}}`
	if string(got) != want {
		t.Fatalf("event\n got %s\nwant %s", got, want)
	}
	if ts, _ := events[0]["timestamp"].(string); !regexp.MustCompile(`^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$`).MatchString(ts) {
		t.Fatalf("timestamp %q", ts)
	}
	points := storedItems(t, "/api/v1/points")
	if len(points) != 1 || points[0]["metric"] != "go.queue.depth" || points[0]["value"] != 42.0 {
		t.Fatalf("points %v", points)
	}
}

func TestRetryAfter503SameIdempotencyKeyStoredOnce(t *testing.T) {
	setup(t)
	c := newClient(t, litekpi.Config{})
	fail(t, map[string]interface{}{"count": 1, "status": 503, "retryAfter": 0})
	for i := 0; i < 5; i++ {
		c.Point("go.retry.503", 1, nil)
	}
	c.Flush()
	tries := requestsTo(t, "/api/v1/points")
	if len(tries) != 2 || tries[0].Status != 503 || tries[1].Status != 200 {
		t.Fatalf("tries %+v", tries)
	}
	if tries[0].IdempotencyKey == "" || tries[0].IdempotencyKey != tries[1].IdempotencyKey {
		t.Fatalf("keys %q %q", tries[0].IdempotencyKey, tries[1].IdempotencyKey)
	}
	if n := query(t, "go.retry.503"); n != 5 {
		t.Fatalf("stored %v", n)
	}
}

func TestLostAnswerAfterStoringIsReplayedNotStoredTwice(t *testing.T) {
	setup(t)
	c := newClient(t, litekpi.Config{})
	fail(t, map[string]interface{}{"count": 1, "status": 503, "after": true})
	for i := 0; i < 4; i++ {
		c.Point("go.retry.lost", 1, nil)
	}
	c.Flush()
	tries := requestsTo(t, "/api/v1/points")
	if len(tries) != 2 || tries[0].ForwardedStatus == nil || *tries[0].ForwardedStatus != 200 || tries[0].Status != 503 || tries[1].Status != 200 {
		t.Fatalf("tries %+v", tries)
	}
	if n := query(t, "go.retry.lost"); n != 4 {
		t.Fatalf("stored %v", n)
	}
}

func TestRetryAfterOn429IsWaitedFor(t *testing.T) {
	setup(t)
	c := newClient(t, litekpi.Config{})
	fail(t, map[string]interface{}{"count": 1, "status": 429, "retryAfter": 1})
	c.Point("go.retry.429", 1, nil)
	c.Flush()
	tries := requestsTo(t, "/api/v1/points")
	if len(tries) != 2 || tries[1].At-tries[0].At < 900 {
		t.Fatalf("tries %+v", tries)
	}
}

func TestServerDownBatchCountedFailed(t *testing.T) {
	setup(t)
	var log errorLog
	c := newClient(t, litekpi.Config{MaxRetries: 2, OnError: log.add})
	fail(t, map[string]interface{}{"count": 10, "status": 503, "retryAfter": 0})
	c.Track("go_down", nil)
	c.Flush()
	if n := len(requestsTo(t, "/api/v1/events")); n != 3 {
		t.Fatalf("%d attempts", n)
	}
	if c.Stats().Failed != 1 || !strings.Contains(log.last(), "failed after 3 attempts") {
		t.Fatalf("stats %+v, last error %q", c.Stats(), log.last())
	}
}

func TestBoundedQueueDropsOldest(t *testing.T) {
	setup(t)
	c := newClient(t, litekpi.Config{MaxQueueSize: 10})
	for i := 0; i < 25; i++ {
		c.Track("go_overflow", map[string]interface{}{"i": i})
	}
	if s := c.Stats(); s.Queued != 10 || s.Overflow != 15 {
		t.Fatalf("stats %+v", s)
	}
	c.Flush()
	items := storedItems(t, "/api/v1/events")
	if len(items) != 10 || items[0]["properties"].(map[string]interface{})["i"] != 15.0 {
		t.Fatalf("items %v", items)
	}
}

func TestBadInputAndUnreachableEndpointNeverPanic(t *testing.T) {
	setup(t)
	c := newClient(t, litekpi.Config{Endpoint: "http://127.0.0.1:1", MaxRetries: -1, OnError: func(error) { panic(errors.New("OnError itself panics")) }})
	c.Track("", nil)
	c.Track("x", map[string]interface{}{"ch": make(chan int)})
	c.Track("x", map[string]interface{}{"nan": math.NaN()})
	c.Point("", 1, nil)
	c.Point("m", math.Inf(1), nil)
	c.Track("fine", nil)
	c.Flush()
	if s := c.Stats(); s.Rejected != 5 || s.Failed != 1 {
		t.Fatalf("stats %+v", s)
	}
}

func TestARefusedItemDoesNotCostItsBatch(t *testing.T) {
	setup(t)
	var log errorLog
	c := newClient(t, litekpi.Config{OnError: log.add})
	c.Point("go.partial.ok", 1, nil)
	c.Point("event:reserved", 1, nil)
	c.Point("go.partial.ok", 1, nil)
	c.Flush()
	if query(t, "go.partial.ok") != 2 || c.Stats().Sent != 2 || c.Stats().Rejected != 1 || !strings.Contains(log.last(), "reserved") {
		t.Fatalf("stats %+v, error %q", c.Stats(), log.last())
	}
}

func TestDisabledClientSendsNothing(t *testing.T) {
	setup(t)
	c := newClient(t, litekpi.Config{Disabled: true})
	c.Track("go_disabled", nil)
	c.Point("go.disabled", 1, nil)
	c.Flush()
	if n := len(requestsTo(t, "/")); n != 0 {
		t.Fatalf("%d requests while disabled", n)
	}
	c.Enable()
	c.Track("go_disabled", nil)
	c.Disable()
	c.Track("go_disabled", nil)
	c.Flush()
	if n := eventCount(t, "go_disabled"); n != 1 {
		t.Fatalf("stored %v", n)
	}
}

func TestSampling(t *testing.T) {
	setup(t)
	c := newClient(t, litekpi.Config{})
	c.SetSamplingRate(0)
	for i := 0; i < 50; i++ {
		c.Track("go_sampled_none", nil)
	}
	c.Point("go.sampled.point", 1, nil)
	c.SetSamplingRate(0.5)
	for i := 0; i < 2000; i++ {
		c.Track("go_sampled_half", nil)
	}
	c.SetSamplingRate(1)
	for i := 0; i < 30; i++ {
		c.Track("go_sampled_all", nil)
	}
	c.Flush()
	half := eventCount(t, "go_sampled_half")
	if eventCount(t, "go_sampled_none") != 0 || eventCount(t, "go_sampled_all") != 30 || query(t, "go.sampled.point") != 1 {
		t.Fatal("wrong counts")
	}
	if half <= 866 || half >= 1134 { // 6 standard deviations of 2000 coin flips
		t.Fatalf("half %v", half)
	}
	if s := c.Stats(); float64(s.Sampled) != 2050-half {
		t.Fatalf("sampled %d", s.Sampled)
	}
}

func TestCloseSendsWhatIsQueued(t *testing.T) {
	setup(t)
	c := litekpi.New(litekpi.Config{APIKey: apiKey, Endpoint: endpoint, FlushInterval: time.Minute})
	for i := 0; i < 3; i++ {
		c.TrackNamespace("cli", "go_exit", map[string]interface{}{"i": i})
	}
	c.Point("go.exit", 7, nil)
	c.Close()
	c.Close() // idempotent
	c.Track("go_exit", nil)
	c.Flush() // after Close: returns at once
	if eventCount(t, "go_exit") != 3 || query(t, "go.exit") != 7 {
		t.Fatal("not delivered at Close")
	}
}
