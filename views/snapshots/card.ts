import { box, ellipsize, FONT_STACK, shape, svg, text, textWidth, TOKENS, type Child, type Node } from "./tree";

/**
 * The card anatomy of a web widget (UI.md "Widget card"): title, the range on the right, the
 * body, a muted footer naming the metric, aggregation and filters. The PNG's own background is
 * white so its rounded corners sit on the email's white column.
 */
export const CARD_PAD_X = 20;
export const CARD_PAD_Y = 16;
export const HEAD_H = 20;
export const FOOT_H = 16;
export const GAP = 12;

export function cardFrame(props: { width: number; height: number; title: string; aside?: string; footer: string; body: Child }): Node {
  const inner = props.width - 2 * CARD_PAD_X - 2;
  const titleWidth = inner - (props.aside ? textWidth(props.aside, 11) + 12 : 0);
  return box(
    {
      width: props.width,
      height: props.height,
      boxSizing: "border-box",
      flexDirection: "column",
      padding: `${CARD_PAD_Y}px ${CARD_PAD_X}px`,
      backgroundColor: TOKENS.bg,
      border: `1px solid ${TOKENS.border}`,
      borderRadius: 8,
      fontFamily: FONT_STACK,
      color: TOKENS.text,
    },
    box(
      { height: HEAD_H, alignItems: "center", justifyContent: "space-between", gap: 12 },
      text({ flex: 1, fontSize: 14, fontWeight: 600, letterSpacing: -0.1, whiteSpace: "nowrap" }, ellipsize(props.title, titleWidth, 14)),
      props.aside ? text({ fontSize: 11, fontWeight: 500, color: TOKENS.muted, flexShrink: 0 }, props.aside) : null,
    ),
    box({ flex: 1, marginTop: GAP, marginBottom: GAP, flexDirection: "column", position: "relative" }, props.body),
    text({ height: FOOT_H, fontSize: 11, color: TOKENS.muted, whiteSpace: "nowrap" }, ellipsize(props.footer, inner, 11)),
  );
}

/** The inner size the body gets inside a card of the given outer size (border 1 px each side). */
export const bodySize = (width: number, height: number) => ({
  width: width - 2 * CARD_PAD_X - 2,
  height: height - 2 * CARD_PAD_Y - 2 - HEAD_H - FOOT_H - 2 * GAP,
});

/** No data: what the web card says, with a faint flat-line glyph so the image is not blank. */
export function emptyBody(props: { metric: string; filtered: boolean; compact?: boolean }): Node {
  const hint = props.filtered ? "Try removing a filter or widening the range." : "Send a point with this metric name, or widen the range.";
  return box(
    { flex: 1, flexDirection: "column", alignItems: "center", justifyContent: "center", gap: 6, backgroundColor: TOKENS.surface, borderRadius: 6 },
    props.compact ? null : emptyGlyph(),
    box(
      { fontSize: 13, color: TOKENS.text, textAlign: "center" },
      text({}, "No data for "),
      text({ fontWeight: 600, marginLeft: 4, marginRight: 4, whiteSpace: "nowrap" }, ellipsize(props.metric, 220, 13)),
      text({}, " in this range."),
    ),
    props.compact ? null : text({ fontSize: 12, color: TOKENS.muted, textAlign: "center" }, hint),
  );
}

export function problemBody(message: string): Node {
  return box(
    { flex: 1, flexDirection: "column", alignItems: "center", justifyContent: "center", gap: 4, backgroundColor: "#fef2f2", borderRadius: 6, padding: 12 },
    text({ fontSize: 13, fontWeight: 600, color: TOKENS.down }, "This widget can't be shown."),
    text({ fontSize: 12, color: TOKENS.muted, textAlign: "center", maxWidth: 440 }, message),
  );
}

function emptyGlyph(): Node {
  return svg(
    56,
    28,
    shape("path", { d: "M2 22 L14 14 L24 18 L36 8 L54 12", fill: "none", stroke: TOKENS.axis, strokeWidth: 2, strokeLinecap: "round", strokeLinejoin: "round", strokeDasharray: "3 4" }),
    shape("line", { x1: 2, y1: 26, x2: 54, y2: 26, stroke: TOKENS.axis, strokeWidth: 1 }),
  );
}

/** ▲ / ▼ drawn as shapes: Inter's latin subset has no geometric-shape glyphs. */
export function arrow(direction: "up" | "down", color: string, size = 9): Node {
  const d = direction === "up" ? `M0 ${size} L${size / 2} 0 L${size} ${size} Z` : `M0 0 L${size} 0 L${size / 2} ${size} Z`;
  return svg(size, size, shape("path", { d, fill: color }));
}
