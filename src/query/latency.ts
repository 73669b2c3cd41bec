import { newHistogram } from "../lib/histogram";

/**
 * How long runQuery takes, for GET /metrics. One per process on purpose: every reader (API,
 * widgets, reports) goes through the one engine, and Prometheus wants one series per process.
 */
export const queryLatency = newHistogram();
