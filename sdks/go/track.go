package litekpi

import (
	"encoding/json"
	"fmt"
	"math"
)

// Recording: what runs on the caller's goroutine. Events and points are encoded here and queued;
// the sender goroutine (sender.go) does the rest.

type event struct {
	Event      string                 `json:"event"`
	Namespace  string                 `json:"namespace,omitempty"`
	Timestamp  string                 `json:"timestamp"`
	Properties map[string]interface{} `json:"properties,omitempty"`
	Context    map[string]interface{} `json:"context,omitempty"`
	ID         string                 `json:"id"`
}

type point struct {
	Metric    string            `json:"metric"`
	Value     float64           `json:"value"`
	Timestamp string            `json:"timestamp"`
	Tags      map[string]string `json:"tags,omitempty"`
}

// Track records an event: Track("user_signup", map[string]interface{}{"plan": "pro"}).
func (c *Client) Track(event string, properties map[string]interface{}) {
	c.track("", event, properties)
}

// TrackNamespace records an event in a namespace: TrackNamespace("billing", "usage_recorded", props).
func (c *Client) TrackNamespace(namespace, event string, properties map[string]interface{}) {
	c.track(namespace, event, properties)
}

func (c *Client) track(namespace, name string, properties map[string]interface{}) {
	defer c.recover()
	c.mu.Lock()
	if !c.enabled {
		c.mu.Unlock()
		return
	}
	if name == "" {
		c.mu.Unlock()
		c.invalid("Track needs an event name")
		return
	}
	if c.sampling < 1 && c.rng.Float64() >= c.sampling {
		c.stats.Sampled++
		c.mu.Unlock()
		return
	}
	ctx := c.context
	c.mu.Unlock()
	e := event{Event: name, Namespace: namespace, Timestamp: timestamp(), Properties: properties, ID: newID()}
	if len(ctx) > 0 {
		e.Context = ctx
	}
	// Encoded now, on the caller's goroutine: the caller may reuse its map right after Track.
	b, err := json.Marshal(e)
	if err != nil {
		c.invalid(fmt.Sprintf("event %q cannot be encoded as JSON: %v", name, err))
		return
	}
	c.push(&c.events, b)
}

// Point records a metric point: Point("queue.depth", 42, map[string]string{"region": "eu"}). Never sampled.
func (c *Client) Point(metric string, value float64, tags map[string]string) {
	defer c.recover()
	c.mu.Lock()
	enabled := c.enabled
	c.mu.Unlock()
	if !enabled {
		return
	}
	if metric == "" {
		c.invalid("Point needs a metric name")
		return
	}
	if math.IsNaN(value) || math.IsInf(value, 0) {
		c.invalid(fmt.Sprintf("Point(%q) needs a finite number, got %v", metric, value))
		return
	}
	b, err := json.Marshal(point{Metric: metric, Value: value, Timestamp: timestamp(), Tags: tags})
	if err != nil {
		c.invalid(fmt.Sprintf("point %q cannot be encoded as JSON: %v", metric, err))
		return
	}
	c.push(&c.points, b)
}

// SetContext merges fields into every later event's context (service, version, session_id, …).
func (c *Client) SetContext(fields map[string]interface{}) {
	c.mu.Lock()
	defer c.mu.Unlock()
	next := make(map[string]interface{}, len(c.context)+len(fields))
	for k, v := range c.context {
		next[k] = v
	}
	for k, v := range fields {
		next[k] = v
	}
	c.context = next
}

// SetUser makes later events carry context.user_id (and context.user with the properties).
func (c *Client) SetUser(userID string, properties map[string]interface{}) {
	fields := map[string]interface{}{"user_id": userID}
	if properties != nil {
		user := make(map[string]interface{}, len(properties))
		for k, v := range properties {
			user[k] = v
		}
		fields["user"] = user
	}
	c.SetContext(fields)
}

// SetOrganization makes later events carry context.org_id.
func (c *Client) SetOrganization(orgID string) {
	c.SetContext(map[string]interface{}{"org_id": orgID})
}

// SetSamplingRate sets the share of Track calls kept, 0.0–1.0.
func (c *Client) SetSamplingRate(rate float64) {
	c.mu.Lock()
	c.sampling = clamp(rate)
	c.mu.Unlock()
}

// Enable starts recording again after Disable.
func (c *Client) Enable() { c.setEnabled(true) }

// Disable makes Track and Point do nothing until Enable; what is queued still goes.
func (c *Client) Disable() { c.setEnabled(false) }

func (c *Client) setEnabled(on bool) {
	c.mu.Lock()
	c.enabled = on
	c.mu.Unlock()
}
