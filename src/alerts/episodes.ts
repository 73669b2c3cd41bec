/**
 * Episodes: a rule fires from the first boundary its condition holds to the first one it no
 * longer does. One notification when an episode starts, one when it resolves. `cooldown`: no new
 * episode starts within that long of the previous one's start (a flapping metric notifies once
 * per cooldown); a condition still holding when the cooldown ends starts one then.
 * Pure, so the tick and the backtest step the same machine.
 */
export type EpisodeState = { openSince: number | null; lastStart: number | null };
export type Step = "start" | "resolve" | "continue" | "quiet";

export function stepEpisode(state: EpisodeState, firing: boolean, at: number, cooldownMs: number): Step {
  if (state.openSince !== null) {
    if (firing) return "continue";
    state.openSince = null;
    return "resolve";
  }
  if (!firing) return "quiet";
  if (state.lastStart !== null && at < state.lastStart + cooldownMs) return "quiet";
  state.openSince = at;
  state.lastStart = at;
  return "start";
}
