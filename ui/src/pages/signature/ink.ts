// How a stroke looks on the pad while it is drawn: a quadratic curve through the midpoints of
// the samples, thicker where the pen presses harder or moves slower. It only approximates the
// PNG the Rust side renders (that image is what the preview shows and what is saved).
import type { PenColor, SignaturePoint } from "../../types";

export const PEN_COLORS: Record<PenColor, string> = { black: "#111827", blue: "#1d3a9e" };

/** The pen widths offered, in CSS pixels. */
export const PEN_WIDTHS = { thin: 2, medium: 3, thick: 5 } as const;
export type PenWidthName = keyof typeof PEN_WIDTHS;

function pressureFactor(p: number): number {
  return 0.55 + 0.9 * Math.min(1, Math.max(0, p));
}

/** Faster is thinner: 1.25 at rest, 1.0 at 1 px/ms, down to 0.55. */
function speedFactor(pxPerMs: number): number {
  return Math.min(1.25, Math.max(0.55, 1.25 - 0.25 * pxPerMs));
}

/** The width at each sample, smoothed so that it swells and thins gradually. */
export function strokeWidths(points: readonly SignaturePoint[], base: number, from = 0, previous: number[] = []): number[] {
  const widths = previous.slice(0, from);
  for (let i = from; i < points.length; i += 1) {
    const point = points[i] as SignaturePoint;
    const before = points[i - 1];
    const speed = before ? Math.hypot(point.x - before.x, point.y - before.y) / Math.max(1, point.t - before.t) : 0;
    const target = base * pressureFactor(point.p) * speedFactor(speed);
    const last = widths[i - 1];
    widths.push(last === undefined ? target : last * 0.6 + target * 0.4);
  }
  return widths;
}

function mid(a: SignaturePoint, b: SignaturePoint): { x: number; y: number } {
  return { x: (a.x + b.x) / 2, y: (a.y + b.y) / 2 };
}

/**
 * Draws the part of a stroke that ends at sample `to` (inclusive): each sample i >= 1 adds the
 * curve from the midpoint before sample i-1 to the midpoint after it. `finished` adds the last
 * half segment up to the final sample (a stroke in progress leaves it for the next sample).
 */
export function drawStrokeSegments(
  context: CanvasRenderingContext2D,
  points: readonly SignaturePoint[],
  widths: readonly number[],
  color: string,
  from: number,
  finished: boolean,
): void {
  context.strokeStyle = color;
  context.fillStyle = color;
  context.lineCap = "round";
  context.lineJoin = "round";
  const first = points[0];
  if (!first) return;
  if (points.length === 1) {
    if (!finished) return;
    context.beginPath();
    context.arc(first.x, first.y, (widths[0] ?? 1) / 2, 0, Math.PI * 2);
    context.fill();
    return;
  }
  for (let i = Math.max(1, from); i < points.length; i += 1) {
    const a = points[i - 2];
    const b = points[i - 1] as SignaturePoint;
    const c = points[i] as SignaturePoint;
    const start = a ? mid(a, b) : b;
    const end = mid(b, c);
    context.beginPath();
    context.lineWidth = widths[i - 1] ?? 1;
    context.moveTo(start.x, start.y);
    context.quadraticCurveTo(b.x, b.y, end.x, end.y);
    context.stroke();
  }
  if (finished) {
    const b = points[points.length - 2] as SignaturePoint;
    const c = points[points.length - 1] as SignaturePoint;
    const start = mid(b, c);
    context.beginPath();
    context.lineWidth = widths[points.length - 1] ?? 1;
    context.moveTo(start.x, start.y);
    context.lineTo(c.x, c.y);
    context.stroke();
  }
}

/** Draws whole strokes (the pad after undo or resize; the fake backend's preview). */
export function drawStrokes(
  context: CanvasRenderingContext2D,
  strokes: readonly { points: readonly SignaturePoint[] }[],
  color: PenColor,
  base: number,
): void {
  for (const stroke of strokes) {
    drawStrokeSegments(context, stroke.points, strokeWidths(stroke.points, base), PEN_COLORS[color], 1, true);
  }
}
