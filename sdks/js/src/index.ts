export { LiteKPI } from "./client.js";
export { expressMiddleware } from "./express.js";
export type { ExpressMiddlewareOptions, RequestLike, ResponseLike } from "./express.js";
export type { LiteKPIConfig, Properties, Stats } from "./types.js";
