package litekpi

import (
	"bytes"
	"compress/gzip"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"
)

const (
	compressAbove = 1024
	maxRetryAfter = 60 * time.Second
)

// run is the sender goroutine: full batches when a queue fills, everything on the timer,
// on Flush and on Close.
func (c *Client) run() {
	defer close(c.stopped)
	ticker := time.NewTicker(c.cfg.FlushInterval)
	defer ticker.Stop()
	for {
		select {
		case <-c.wake:
			c.drain(false)
		case <-ticker.C:
			c.drain(true)
		case done := <-c.flushes:
			c.drain(true)
			close(done)
		case <-c.quit:
			c.drain(true)
			return
		}
	}
}

func (c *Client) drain(everything bool) {
	defer c.recover()
	for _, q := range []struct {
		queue   *[][]byte
		path    string
		wrapper string
	}{{&c.events, "/api/v1/events", "events"}, {&c.points, "/api/v1/points", "points"}} {
		for {
			c.mu.Lock()
			n := len(*q.queue)
			if n == 0 || (!everything && n < c.cfg.BatchSize) {
				c.mu.Unlock()
				break
			}
			if n > c.cfg.BatchSize {
				n = c.cfg.BatchSize
			}
			batch := append([][]byte(nil), (*q.queue)[:n]...)
			*q.queue = (*q.queue)[n:]
			c.mu.Unlock()
			// ?partial=1: one bad item must not cost the rest of its batch.
			c.send(c.endpoint+q.path+"?partial=1", q.wrapper, batch)
		}
	}
}

// send posts one batch until it is stored, refused, or out of retries, keeping its
// Idempotency-Key across every attempt so a retry after a lost answer is stored once.
func (c *Client) send(url, wrapper string, batch [][]byte) {
	body := encodeBatch(wrapper, batch)
	encoding := ""
	if !c.cfg.DisableCompression && len(body) > compressAbove {
		var buf bytes.Buffer
		zw := gzip.NewWriter(&buf)
		if _, err := zw.Write(body); err == nil && zw.Close() == nil {
			body = buf.Bytes()
			encoding = "gzip"
		}
	}
	key := newID()
	for attempt := 0; ; attempt++ {
		// Read each attempt: a batch already retrying when Close is called gets the exit budget too.
		retries, maxDelay := c.retryBudget()
		status, answer, header, err := c.post(url, body, encoding, key)
		var wait time.Duration = -1
		var problem string
		switch {
		case err != nil:
			problem = err.Error()
		case status == 200 || status == 207:
			c.stored(len(batch), wrapper, answer)
			return
		case status == 413 && len(batch) > 1:
			half := len(batch) / 2
			c.send(url, wrapper, batch[:half])
			c.send(url, wrapper, batch[half:])
			return
		case !retryable(status):
			c.count(func(s *Stats) { s.Rejected += len(batch) })
			c.report(fmt.Errorf("litekpi: refused a batch of %d %s: HTTP %d: %s", len(batch), wrapper, status, truncate(answer)))
			return
		default:
			problem = fmt.Sprintf("HTTP %d: %s", status, truncate(answer))
			wait = retryAfter(header.Get("Retry-After"))
		}
		if attempt >= retries {
			c.count(func(s *Stats) { s.Failed += len(batch) })
			c.report(fmt.Errorf("litekpi: a batch of %d %s failed after %d attempts (%s)", len(batch), wrapper, attempt+1, problem))
			return
		}
		if wait < 0 {
			wait = c.backoff(attempt, maxDelay)
		}
		c.sleep(wait)
	}
}

// retryBudget is the retries and longest backoff allowed now: fewer and shorter once Close began.
func (c *Client) retryBudget() (int, time.Duration) {
	c.mu.Lock()
	exiting := c.exiting
	c.mu.Unlock()
	retries, maxDelay := c.cfg.MaxRetries, c.cfg.MaxRetryDelay
	if exiting {
		if retries > 2 {
			retries = 2
		}
		if maxDelay > time.Second {
			maxDelay = time.Second
		}
	}
	return retries, maxDelay
}

// sleep waits out a backoff, cut short (to at most a second) when Close begins.
func (c *Client) sleep(d time.Duration) {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
	case <-c.quit:
		if d > time.Second {
			time.Sleep(time.Second)
		} else {
			<-t.C
		}
	}
}

func (c *Client) post(url string, body []byte, encoding, key string) (int, []byte, http.Header, error) {
	req, err := http.NewRequest(http.MethodPost, url, bytes.NewReader(body))
	if err != nil {
		return 0, nil, nil, err
	}
	req.Header.Set("Authorization", "Bearer "+c.cfg.APIKey)
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Idempotency-Key", key)
	req.Header.Set("User-Agent", "litekpi-go")
	if encoding != "" {
		req.Header.Set("Content-Encoding", encoding)
	}
	res, err := c.http.Do(req)
	if err != nil {
		return 0, nil, nil, err
	}
	defer res.Body.Close()
	answer, err := io.ReadAll(io.LimitReader(res.Body, 1<<20))
	if err != nil {
		return 0, nil, nil, err
	}
	return res.StatusCode, answer, res.Header, nil
}

func (c *Client) stored(count int, wrapper string, answer []byte) {
	var a struct {
		Accepted   *int              `json:"accepted"`
		Duplicates int               `json:"duplicates"`
		Errors     []json.RawMessage `json:"errors"`
	}
	accepted := count
	// a 200 whose body is not JSON (a proxy in between) counts as stored, as the status says
	if json.Unmarshal(answer, &a) == nil && a.Accepted != nil {
		accepted = *a.Accepted + a.Duplicates
	}
	c.count(func(s *Stats) {
		s.Sent += accepted
		s.Rejected += count - accepted
	})
	if len(a.Errors) > 0 {
		shown := a.Errors
		if len(shown) > 3 {
			shown = shown[:3]
		}
		list, _ := json.Marshal(shown)
		c.report(fmt.Errorf("litekpi: refused %d of %d %s: %s", count-accepted, count, wrapper, list))
	}
}

func (c *Client) count(f func(*Stats)) {
	c.mu.Lock()
	f(&c.stats)
	c.mu.Unlock()
}

// backoff is exponential with "equal jitter": half fixed, half random, so clients never retry in step.
func (c *Client) backoff(attempt int, max time.Duration) time.Duration {
	d := c.cfg.RetryDelay << uint(attempt)
	if d > max || d <= 0 {
		d = max
	}
	c.mu.Lock()
	r := c.rng.Float64()
	c.mu.Unlock()
	return d/2 + time.Duration(r*float64(d/2))
}

func retryable(status int) bool {
	switch status {
	case 408, 425, 429, 500, 502, 503, 504:
		return true
	}
	return false
}

// retryAfter reads Retry-After as seconds or an HTTP date; -1 when absent or unreadable.
func retryAfter(h string) time.Duration {
	h = strings.TrimSpace(h)
	if h == "" {
		return -1
	}
	var d time.Duration
	if s, err := strconv.ParseFloat(h, 64); err == nil {
		d = time.Duration(s * float64(time.Second))
	} else if t, err := http.ParseTime(h); err == nil {
		d = time.Until(t)
	} else {
		return -1
	}
	if d < 0 {
		d = 0
	}
	if d > maxRetryAfter {
		d = maxRetryAfter
	}
	return d
}

func encodeBatch(wrapper string, batch [][]byte) []byte {
	size := len(wrapper) + 8
	for _, b := range batch {
		size += len(b) + 1
	}
	out := make([]byte, 0, size)
	out = append(out, `{"`...)
	out = append(out, wrapper...)
	out = append(out, `":[`...)
	for i, b := range batch {
		if i > 0 {
			out = append(out, ',')
		}
		out = append(out, b...)
	}
	return append(out, "]}"...)
}

func truncate(b []byte) string {
	if len(b) > 300 {
		b = b[:300]
	}
	return string(b)
}
