// The drawing pad (sig-pad): pointer input (mouse, pen with pressure, touch) becomes strokes of
// samples `{x, y, t, p}` in CSS pixels relative to the pad, drawn live. The canvas keeps a
// device-pixel backing store and is redrawn from the strokes whenever its size or the pixel
// ratio changes, so it stays sharp at any window size. The canvas element lives as long as the
// drawing: page re-renders move it into the new page instead of making a new one.
import type { PenColor, SignatureDrawing, SignaturePen, SignaturePoint, SignatureStroke } from "../../types";
import { drawStrokeSegments, drawStrokes, PEN_COLORS, strokeWidths } from "./ink";

/** The stroke being drawn, with the widths and the samples already on the canvas. */
interface ActiveStroke {
  pointerId: number;
  stroke: SignatureStroke;
  widths: number[];
  drawn: number;
}

const round2 = (n: number) => Math.round(n * 100) / 100;

export class SignaturePad {
  readonly canvas: HTMLCanvasElement;
  /** Called after every change of the strokes (for the undo / redo buttons). */
  onChange: () => void = () => {};

  private strokes: SignatureStroke[] = [];
  private past: SignatureStroke[][] = [];
  private future: SignatureStroke[][] = [];
  private pen: SignaturePen;
  private active: ActiveStroke | null = null;
  /** `timeStamp` (performance.now() based) of the drawing's first sample: t is counted from it. */
  private origin: number | null = null;
  private size = { width: 0, height: 0, ratio: 0 };
  private readonly observer: ResizeObserver;
  private readonly onWindowResize = () => this.fit();
  /** A release anywhere ends the stroke, also when the canvas lost the pointer capture (a page
   * re-render moves the canvas, which releases it). */
  private readonly onWindowUp = (event: PointerEvent) => this.up(event);

  constructor(pen: SignaturePen) {
    this.pen = { ...pen };
    this.canvas = document.createElement("canvas");
    this.canvas.className = "sig-pad-canvas";
    this.canvas.dataset.testid = "sig-pad";
    this.canvas.tabIndex = 0;
    this.canvas.setAttribute("role", "img");
    this.canvas.addEventListener("pointerdown", (event) => this.down(event));
    this.canvas.addEventListener("pointermove", (event) => this.move(event));
    this.canvas.addEventListener("pointerup", (event) => this.up(event));
    this.canvas.addEventListener("pointercancel", (event) => this.up(event));
    // A long press on a touch screen would open the context menu instead of drawing.
    this.canvas.addEventListener("contextmenu", (event) => event.preventDefault());
    this.observer = new ResizeObserver(() => this.fit());
    this.observer.observe(this.canvas);
    // Browser zoom and moving to another screen change the pixel ratio without a resize.
    window.addEventListener("resize", this.onWindowResize);
    window.addEventListener("pointerup", this.onWindowUp);
    window.addEventListener("pointercancel", this.onWindowUp);
  }

  /** Stops watching the window; the pad is not used again. */
  dispose(): void {
    this.observer.disconnect();
    window.removeEventListener("resize", this.onWindowResize);
    window.removeEventListener("pointerup", this.onWindowUp);
    window.removeEventListener("pointercancel", this.onWindowUp);
  }

  get isEmpty(): boolean {
    return this.strokes.length === 0 && this.active === null;
  }

  get canUndo(): boolean {
    return this.past.length > 0 && this.active === null;
  }

  get canRedo(): boolean {
    return this.future.length > 0 && this.active === null;
  }

  get color(): PenColor {
    return this.pen.color;
  }

  get width(): number {
    return this.pen.width;
  }

  /** The drawing as sent to `signature_render_drawing`. */
  drawing(): SignatureDrawing {
    return { strokes: this.strokes.map((s) => ({ points: s.points.slice() })), pen: { ...this.pen } };
  }

  setPen(pen: Partial<SignaturePen>): void {
    this.pen = { ...this.pen, ...pen };
    this.redraw();
  }

  undo(): void {
    const previous = this.past.pop();
    if (previous === undefined || this.active) return;
    this.future.push(this.strokes);
    this.strokes = previous;
    this.changed();
  }

  redo(): void {
    const next = this.future.pop();
    if (next === undefined || this.active) return;
    this.past.push(this.strokes);
    this.strokes = next;
    this.changed();
  }

  /** Clears the pad; undo brings the strokes back. */
  clear(): void {
    if (this.strokes.length === 0 || this.active) return;
    this.commit([]);
  }

  private commit(strokes: SignatureStroke[]): void {
    this.past.push(this.strokes);
    this.future = [];
    this.strokes = strokes;
    this.changed();
  }

  private changed(): void {
    this.redraw();
    this.onChange();
  }

  // ---- pointer input --------------------------------------------------------------------------

  private sample(event: PointerEvent, rect: DOMRect): SignaturePoint {
    this.origin ??= event.timeStamp;
    const points = this.active?.stroke.points;
    const last = points?.[points.length - 1];
    // A mouse reports no pressure; some pens and touch screens report 0 while touching.
    const pressure = event.pointerType === "mouse" || (event.pressure === 0 && event.buttons !== 0) ? 0.5 : event.pressure;
    return {
      x: round2(event.clientX - rect.left),
      y: round2(event.clientY - rect.top),
      // Coalesced samples can share a timestamp; time never runs backwards within a drawing.
      t: round2(Math.max(last?.t ?? 0, event.timeStamp - this.origin)),
      p: round2(pressure),
    };
  }

  private down(event: PointerEvent): void {
    if (event.pointerType === "mouse" && event.button !== 0) return;
    if (this.active !== null) {
      if (event.pointerId !== this.active.pointerId) return; // a second finger or pen while drawing
      this.finish(this.active); // its release was missed: that stroke ends here
    }
    event.preventDefault();
    try {
      this.canvas.setPointerCapture(event.pointerId);
    } catch {
      // Capture is a nicety (strokes that leave the pad keep drawing); without it the stroke
      // ends where the pointer leaves.
    }
    const rect = this.canvas.getBoundingClientRect();
    const active: ActiveStroke = { pointerId: event.pointerId, stroke: { points: [] }, widths: [], drawn: 0 };
    this.active = active;
    active.stroke.points.push(this.sample(event, rect));
    active.widths = strokeWidths(active.stroke.points, this.pen.width);
    this.onChange();
  }

  private move(event: PointerEvent): void {
    const active = this.active;
    if (!active || event.pointerId !== active.pointerId) return;
    event.preventDefault();
    const rect = this.canvas.getBoundingClientRect();
    const events = typeof event.getCoalescedEvents === "function" ? event.getCoalescedEvents() : [];
    const before = active.stroke.points.length;
    for (const e of events.length > 0 ? events : [event]) this.add(active, this.sample(e, rect));
    if (active.stroke.points.length === before) return;
    active.widths = strokeWidths(active.stroke.points, this.pen.width, before, active.widths);
    this.paintActive(active, false);
  }

  private add(active: ActiveStroke, point: SignaturePoint): void {
    const last = active.stroke.points[active.stroke.points.length - 1];
    if (last && last.x === point.x && last.y === point.y) return;
    active.stroke.points.push(point);
  }

  private up(event: PointerEvent): void {
    const active = this.active;
    if (!active || event.pointerId !== active.pointerId) return;
    if (event.type === "pointerup") {
      const before = active.stroke.points.length;
      this.add(active, this.sample(event, this.canvas.getBoundingClientRect()));
      active.widths = strokeWidths(active.stroke.points, this.pen.width, before, active.widths);
    }
    this.finish(active);
  }

  private finish(active: ActiveStroke): void {
    this.paintActive(active, true);
    this.active = null;
    this.commit([...this.strokes, active.stroke]);
  }

  // ---- painting ---------------------------------------------------------------------------------

  private context(): CanvasRenderingContext2D | null {
    const context = this.canvas.getContext("2d");
    context?.setTransform(this.size.ratio, 0, 0, this.size.ratio, 0, 0);
    return context;
  }

  /** Draws the samples of the active stroke not drawn yet. */
  private paintActive(active: ActiveStroke, finished: boolean): void {
    const context = this.context();
    if (!context) return;
    drawStrokeSegments(context, active.stroke.points, active.widths, PEN_COLORS[this.pen.color], active.drawn, finished);
    active.drawn = active.stroke.points.length;
  }

  private redraw(): void {
    const context = this.context();
    if (!context) return;
    context.clearRect(0, 0, this.size.width, this.size.height);
    drawStrokes(context, this.strokes, this.pen.color, this.pen.width);
    if (this.active) {
      this.active.widths = strokeWidths(this.active.stroke.points, this.pen.width);
      this.active.drawn = 0;
      this.paintActive(this.active, false);
    }
  }

  /** Matches the backing store to the displayed size and the pixel ratio, then redraws. */
  private fit(): void {
    const width = this.canvas.clientWidth;
    const height = this.canvas.clientHeight;
    const ratio = window.devicePixelRatio || 1;
    if (width === 0 || height === 0) return; // not in the document (between two renders)
    if (width === this.size.width && height === this.size.height && ratio === this.size.ratio) return;
    this.size = { width, height, ratio };
    this.canvas.width = Math.round(width * ratio);
    this.canvas.height = Math.round(height * ratio);
    this.redraw();
  }
}
