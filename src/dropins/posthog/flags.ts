import { randomUUID } from "node:crypto";

/**
 * The smallest answers PostHog's SDKs accept from `/decide` (v3, older posthog-js) and `/flags`
 * (v2): no feature flags, no session recording, no surveys or site apps, autocapture left to
 * the client's own setting. LiteKPI has no feature flags; these let the SDKs start cleanly.
 */
const CONFIG = {
  config: { enable_collect_everything: true },
  supportedCompression: ["gzip", "gzip-js"],
  sessionRecording: false,
  surveys: false,
  heatmaps: false,
  siteApps: [],
  toolbarParams: {},
  isAuthenticated: false,
  capturePerformance: false,
  autocaptureExceptions: false,
  elementsChainAsString: true,
};

export function decideAnswer() {
  return { ...CONFIG, featureFlags: {}, featureFlagPayloads: {}, errorsWhileComputingFlags: false };
}

export function flagsAnswer() {
  return { ...CONFIG, flags: {}, featureFlags: {}, featureFlagPayloads: {}, errorsWhileComputingFlags: false, requestId: randomUUID() };
}
