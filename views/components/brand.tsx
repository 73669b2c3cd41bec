/** @jsxImportSource hono/jsx */

/** The LiteKPI mark: three rising bars in the accent colour (currentColor on the accent tile). */
export function BrandMark() {
  return (
    <span class="brand-mark" aria-hidden="true">
      <svg viewBox="0 0 16 16" fill="currentColor" focusable="false">
        <rect x="2" y="9" width="3" height="5" rx="1" />
        <rect x="6.5" y="5.5" width="3" height="8.5" rx="1" />
        <rect x="11" y="2" width="3" height="12" rx="1" />
      </svg>
    </span>
  );
}
