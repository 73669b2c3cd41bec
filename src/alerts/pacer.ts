/**
 * Keeps a background job from crowding the one JavaScript thread that also parses ingestion
 * requests: call `pace()` between units of work; once the job has run `sliceMs` since it last
 * gave way, it sleeps long enough that it uses at most `share` of the thread. The alert tick has
 * a minute for work that takes a fraction of a second, so it spreads itself out instead.
 */
export function createPacer(opts: { share: number; sliceMs?: number }) {
  const slice = opts.sliceMs ?? 4;
  let resumed = performance.now();
  return async function pace() {
    const worked = performance.now() - resumed;
    if (worked < slice) return;
    await Bun.sleep(Math.ceil(worked * (1 / opts.share - 1)));
    resumed = performance.now();
  };
}
