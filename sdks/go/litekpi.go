// Package litekpi sends events and metric points to a LiteKPI server.
//
//	client := litekpi.New(litekpi.Config{APIKey: os.Getenv("LITEKPI_KEY"), Endpoint: "https://kpi.example.com"})
//	defer client.Close()
//	client.Track("user_signup", map[string]interface{}{"plan": "pro"})
//
// Track and Point only queue (microseconds on the caller's goroutine); one background goroutine
// sends batches of 100 (or every 5 s), gzip-compressed, retried with exponential backoff and the
// same Idempotency-Key across the retries of one batch. Nothing panics into the caller: problems
// are counted in Stats and passed to Config.OnError. Go has no exit hook, so call Close before
// the program ends (defer it in main); it sends what is queued.
package litekpi

import (
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"math"
	mrand "math/rand"
	"net/http"
	"strings"
	"sync"
	"time"
)

const (
	defaultEndpoint = "http://localhost:8080"
	maxBatch        = 1000 // the server's limit per request
)

// Config of a Client. Only APIKey is required; zero values mean the defaults.
type Config struct {
	APIKey        string                 // an ingest key (lk_…) of the product
	Endpoint      string                 // server base URL (default http://localhost:8080)
	OrgID         string                 // sent as context.org_id, like SetOrganization
	BatchSize     int                    // events or points per request (default 100, at most 1000)
	FlushInterval time.Duration          // between background sends (default 5 s)
	SamplingRate  float64                // share of events kept, 0 < rate ≤ 1 (0 = default 1.0; SetSamplingRate(0) keeps none)
	CustomContext map[string]interface{} // merged into every event's context
	Disabled      bool                   // start disabled
	// DisableCompression sends bodies as they are (by default bodies over 1 KiB are gzipped).
	DisableCompression bool
	MaxQueueSize       int           // items kept while the server is unreachable (default 10000); past it the oldest go
	MaxRetries         int           // retries per batch (default 8; negative = none)
	RetryDelay         time.Duration // first backoff (default 500 ms), doubled up to MaxRetryDelay (default 30 s)
	MaxRetryDelay      time.Duration
	HTTPClient         *http.Client  // default: a client with a 10 s timeout
	CloseTimeout       time.Duration // the longest Close waits for the last sends (default 10 s)
	OnError            func(error)   // every problem (dropped batch, refused item)
}

// Stats counts what became of what the client was given.
type Stats struct {
	Queued   int // waiting to be sent
	Sent     int // stored by the server
	Sampled  int // events left out by sampling
	Overflow int // oldest items dropped because the queue was full
	Failed   int // items of batches that failed after every retry
	Rejected int // items the server refused, or that could not be encoded
}

// Client is safe for concurrent use.
type Client struct {
	cfg      Config
	endpoint string
	http     *http.Client

	mu       sync.Mutex
	context  map[string]interface{} // replaced, never mutated, so queued events may share it
	enabled  bool
	sampling float64
	events   [][]byte
	points   [][]byte
	stats    Stats
	exiting  bool
	closed   bool

	wake    chan struct{}
	flushes chan chan struct{}
	quit    chan struct{}
	stopped chan struct{}
	once    sync.Once
	rng     *mrand.Rand
}

// New starts a client and its sender goroutine.
func New(cfg Config) *Client {
	if cfg.Endpoint == "" {
		cfg.Endpoint = defaultEndpoint
	}
	if cfg.BatchSize <= 0 {
		cfg.BatchSize = 100
	}
	if cfg.BatchSize > maxBatch {
		cfg.BatchSize = maxBatch
	}
	if cfg.FlushInterval <= 0 {
		cfg.FlushInterval = 5 * time.Second
	}
	if cfg.MaxQueueSize <= 0 {
		cfg.MaxQueueSize = 10000
	}
	if cfg.MaxRetries == 0 {
		cfg.MaxRetries = 8
	} else if cfg.MaxRetries < 0 {
		cfg.MaxRetries = 0
	}
	if cfg.RetryDelay <= 0 {
		cfg.RetryDelay = 500 * time.Millisecond
	}
	if cfg.MaxRetryDelay <= 0 {
		cfg.MaxRetryDelay = 30 * time.Second
	}
	if cfg.CloseTimeout <= 0 {
		cfg.CloseTimeout = 10 * time.Second
	}
	c := &Client{
		cfg:      cfg,
		endpoint: strings.TrimRight(cfg.Endpoint, "/"),
		http:     cfg.HTTPClient,
		context:  map[string]interface{}{},
		enabled:  !cfg.Disabled,
		sampling: 1,
		wake:     make(chan struct{}, 1),
		flushes:  make(chan chan struct{}),
		quit:     make(chan struct{}),
		stopped:  make(chan struct{}),
		rng:      mrand.New(mrand.NewSource(time.Now().UnixNano())),
	}
	if c.http == nil {
		c.http = &http.Client{Timeout: 10 * time.Second}
	}
	if cfg.SamplingRate > 0 {
		c.sampling = clamp(cfg.SamplingRate)
	}
	for k, v := range cfg.CustomContext {
		c.context[k] = v
	}
	if cfg.OrgID != "" {
		c.context["org_id"] = cfg.OrgID
	}
	if cfg.APIKey == "" {
		c.report(errors.New("litekpi: no APIKey given; the server will answer 401"))
	}
	go c.run()
	return c
}

// Flush sends everything queued now and returns when it is stored or given up.
func (c *Client) Flush() {
	done := make(chan struct{})
	select {
	case c.flushes <- done:
		<-done
	case <-c.stopped:
	}
}

// Close flushes and stops the sender goroutine (shorter retries: the program is ending). It
// waits at most Config.CloseTimeout, so an unreachable server cannot hold a shutdown. Idempotent.
func (c *Client) Close() {
	c.once.Do(func() {
		c.mu.Lock()
		c.exiting = true
		c.closed = true
		c.mu.Unlock()
		close(c.quit)
	})
	select {
	case <-c.stopped:
	case <-time.After(c.cfg.CloseTimeout):
		c.report(fmt.Errorf("litekpi: Close gave up after %v with %d items unsent", c.cfg.CloseTimeout, c.Stats().Queued))
	}
}

// Stats reports what became of what the client was given.
func (c *Client) Stats() Stats {
	c.mu.Lock()
	defer c.mu.Unlock()
	s := c.stats
	s.Queued = len(c.events) + len(c.points)
	return s
}

func (c *Client) push(queue *[][]byte, item []byte) {
	c.mu.Lock()
	if c.closed {
		c.mu.Unlock()
		c.invalid("the client is closed")
		return
	}
	if len(*queue) >= c.cfg.MaxQueueSize {
		*queue = (*queue)[1:]
		c.stats.Overflow++
	}
	*queue = append(*queue, item)
	full := len(*queue) >= c.cfg.BatchSize
	c.mu.Unlock()
	if full {
		select {
		case c.wake <- struct{}{}:
		default:
		}
	}
}

func (c *Client) invalid(message string) {
	c.mu.Lock()
	c.stats.Rejected++
	c.mu.Unlock()
	c.report(errors.New("litekpi: " + message))
}

func (c *Client) report(err error) {
	if c.cfg.OnError == nil {
		return
	}
	defer func() { _ = recover() }() // a panicking OnError must not reach the caller either
	c.cfg.OnError(err)
}

func (c *Client) recover() {
	if r := recover(); r != nil {
		c.report(fmt.Errorf("litekpi: recovered from %v", r))
	}
}

func timestamp() string {
	return time.Now().UTC().Format("2006-01-02T15:04:05.000Z07:00")
}

func newID() string {
	var b [16]byte
	if _, err := rand.Read(b[:]); err != nil {
		return fmt.Sprintf("%x", time.Now().UnixNano())
	}
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	h := hex.EncodeToString(b[:])
	return h[0:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:]
}

func clamp(rate float64) float64 {
	if math.IsNaN(rate) {
		return 1
	}
	return math.Max(0, math.Min(1, rate))
}
