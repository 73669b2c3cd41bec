/**
 * THE builder of product-scoped paths (`/products/:productId/...`): routes, redirects, mails and
 * views ask here, so a URL scheme change is one file. Ids are opaque and URL-safe (base32 tokens).
 */
export const productUrl = (productId: string, ...rest: string[]) => ["/products", productId, ...rest].join("/");

export const dashboardUrl = (productId: string, dashboardId: string, ...rest: string[]) => productUrl(productId, "dashboards", dashboardId, ...rest);
