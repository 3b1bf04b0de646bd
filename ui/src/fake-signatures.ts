// Development-only stand-in for the signature commands (签名维护), part of the fake backend
// (fake-backend.ts). Drawings are checked like the Rust side does (same thresholds and order)
// and rendered on an offscreen canvas; photos are decoded by the browser, cleaned with an Otsu
// threshold and cropped to the ink. Saved signatures sync after a second when online, and wait
// while offline (signetFake.goOffline()).
//
// URL flags: fake-signatures=<n> (how many to start with; default 2), fake-sig-sync=fail (the
// first sync is refused; 重试 then succeeds), fake-sig-slow=<ms> (extra time per photo step).
import { drawStrokes } from "./pages/signature/ink";
import type {
  ApiError,
  InkColor,
  SignatureBoard,
  SignatureDraft,
  SignatureDrawing,
  SignatureItem,
  SignatureKind,
  SignaturePoint,
  SignatureStroke,
} from "./types";

export interface FakeSignatureHost {
  query: URLSearchParams;
  online: () => boolean;
  canSave: () => boolean;
  signedIn: () => boolean;
  emit: (event: string, payload: unknown) => void;
}

function reject(code: string, message: string, details?: Record<string, unknown>): never {
  const error: ApiError = { code, message };
  if (details) error.details = details;
  throw error;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function randomHex(bytes: number): string {
  return Array.from(crypto.getRandomValues(new Uint8Array(bytes)), (b) => b.toString(16).padStart(2, "0")).join("");
}

const MAX_SIGNATURES = 20;
const MAX_NAME_CHARS = 32;
const MAX_FILE_BYTES = 10 * 1024 * 1024;
const MAX_PIXELS = 40_000_000;
const RENDER_SCALE = 3;
const RENDER_MARGIN = 8;
const ORIGINAL_SIDE = 1200;
/** The photo is cleaned at this long side at most (the Rust side works at full size). */
const WORK_SIDE = 1600;
const INK_RGB: Record<Exclude<InkColor, "keep">, [number, number, number]> = { black: [0x1a, 0x1a, 0x1a], blue: [0x1d, 0x3f, 0xbb] };

function canvas2d(width: number, height: number): { canvas: HTMLCanvasElement; context: CanvasRenderingContext2D } {
  const canvas = document.createElement("canvas");
  canvas.width = Math.max(1, Math.round(width));
  canvas.height = Math.max(1, Math.round(height));
  const context = canvas.getContext("2d");
  if (!context) reject("internal", "no 2d canvas");
  return { canvas, context };
}

// ---- drawings -------------------------------------------------------------------------------------

/** The Rust side's `check_drawing`, in its order. */
function drawingProblem(drawing: SignatureDrawing): Record<string, unknown> | null {
  const strokes = Array.isArray(drawing?.strokes) ? drawing.strokes : [];
  const count = strokes.reduce((n, s) => n + (s.points?.length ?? 0), 0);
  if (strokes.length > 500 || count > 20_000) return { reason: "too_many_points", max: 20_000, max_strokes: 500 };
  for (const [stroke, s] of strokes.entries()) {
    const point = s.points.findIndex(
      (p) => ![p.x, p.y, p.t].every(Number.isFinite) || Math.abs(p.x) > 100_000 || Math.abs(p.y) > 100_000 || !(p.p >= 0 && p.p <= 1),
    );
    if (point !== -1) return { reason: "invalid_point", stroke, point };
  }
  const width = drawing?.pen?.width;
  if (typeof width !== "number" || width < 1 || width > 8 || (drawing.pen.color !== "black" && drawing.pen.color !== "blue")) return { reason: "invalid_pen" };
  if (count === 0) return { reason: "empty" };
  const points = strokes.flatMap((s) => s.points);
  const xs = points.map((p) => p.x);
  const ys = points.map((p) => p.y);
  const w = Math.max(...xs) - Math.min(...xs);
  const h = Math.max(...ys) - Math.min(...ys);
  if (Math.max(w, h) < 6) return { reason: "dot" };
  // Principal axis of the points: straight when nothing lies farther than 3% of the length.
  const mx = xs.reduce((a, b) => a + b, 0) / count;
  const my = ys.reduce((a, b) => a + b, 0) / count;
  let sxx = 0;
  let syy = 0;
  let sxy = 0;
  for (const p of points) {
    sxx += (p.x - mx) ** 2;
    syy += (p.y - my) ** 2;
    sxy += (p.x - mx) * (p.y - my);
  }
  const angle = 0.5 * Math.atan2(2 * sxy, sxx - syy);
  const [ux, uy] = [Math.cos(angle), Math.sin(angle)];
  const along = points.map((p) => (p.x - mx) * ux + (p.y - my) * uy);
  const across = points.map((p) => Math.abs(-(p.x - mx) * uy + (p.y - my) * ux));
  const length = Math.max(...along) - Math.min(...along);
  if (Math.max(...across) <= 0.03 * length) return { reason: "straight_line" };
  if (Math.max(w, h) < 40 || Math.min(w, h) < 15) return { reason: "too_small" };
  let travel = 0;
  for (const s of strokes) for (let i = 1; i < s.points.length; i += 1) travel += Math.hypot(s.points[i]!.x - s.points[i - 1]!.x, s.points[i]!.y - s.points[i - 1]!.y);
  if (travel < 150 || count < 10) return { reason: "too_little_ink" };
  return null;
}

/** Renders strokes trimmed to the ink with a margin, at RENDER_SCALE output pixels per CSS px. */
function renderStrokes(strokes: SignatureStroke[], color: "black" | "blue", width: number): { png: string; width: number; height: number } {
  const points = strokes.flatMap((s) => s.points);
  const margin = RENDER_MARGIN + width * 1.5;
  const minX = Math.min(...points.map((p) => p.x)) - margin;
  const minY = Math.min(...points.map((p) => p.y)) - margin;
  const maxX = Math.max(...points.map((p) => p.x)) + margin;
  const maxY = Math.max(...points.map((p) => p.y)) + margin;
  const { canvas, context } = canvas2d((maxX - minX) * RENDER_SCALE, (maxY - minY) * RENDER_SCALE);
  context.setTransform(RENDER_SCALE, 0, 0, RENDER_SCALE, -minX * RENDER_SCALE, -minY * RENDER_SCALE);
  drawStrokes(context, strokes, color, width);
  return { png: canvas.toDataURL("image/png"), width: canvas.width, height: canvas.height };
}

/** A made-up handwritten name: a few looping strokes, sampled like a pad at 120 Hz. */
function madeUpName(seed: number): SignatureStroke[] {
  const strokes: SignatureStroke[] = [];
  let t = 0;
  for (let c = 0; c < 3; c += 1) {
    const x0 = 30 + c * 90;
    for (let k = 0; k < 2 + ((seed + c) % 2); k += 1) {
      const points: SignaturePoint[] = [];
      const loops = 1 + ((seed + c + k) % 3);
      for (let i = 0; i <= 40; i += 1) {
        const u = i / 40;
        const x = x0 + u * 70 + 10 * Math.sin(u * Math.PI * 2 * loops + seed);
        const y = 60 + k * 18 - 30 * Math.sin(u * Math.PI * (1 + c * 0.5)) + 8 * Math.cos(u * Math.PI * 2 * loops + k);
        points.push({ x, y, t, p: 0.35 + 0.4 * Math.sin(u * Math.PI) });
        t += 8;
      }
      strokes.push({ points });
      t += 120;
    }
  }
  return strokes;
}

// ---- photos ---------------------------------------------------------------------------------------

function ascii(bytes: Uint8Array, from: number, to: number): string {
  return String.fromCharCode(...bytes.subarray(from, to));
}

function includesAscii(bytes: Uint8Array, text: string, limit = 4096): boolean {
  return ascii(bytes, 0, Math.min(bytes.length, limit)).includes(text);
}

/** The format from the magic bytes, or a refusal as the Rust side words it. */
function sniff(bytes: Uint8Array): "png" | "jpeg" | "webp" | "bmp" {
  if (bytes[0] === 0xff && bytes[1] === 0xd8 && bytes[2] === 0xff) return "jpeg";
  if (ascii(bytes, 1, 4) === "PNG") {
    if (includesAscii(bytes, "acTL")) reject("invalid_signature", "animated PNG", { reason: "animated" });
    return "png";
  }
  if (ascii(bytes, 0, 4) === "RIFF" && ascii(bytes, 8, 12) === "WEBP") {
    if (includesAscii(bytes, "ANIM", 64)) reject("invalid_signature", "animated WebP", { reason: "animated" });
    return "webp";
  }
  if (ascii(bytes, 0, 2) === "BM") return "bmp";
  if (ascii(bytes, 4, 8) === "ftyp") {
    const brand = ascii(bytes, 8, 12);
    reject("invalid_signature", "unsupported format", { reason: "unsupported_format", format: /^avi[fs]/.test(brand) ? "avif" : "heic" });
  }
  if (ascii(bytes, 0, 3) === "GIF") reject("invalid_signature", "unsupported format", { reason: "unsupported_format", format: "gif" });
  if (ascii(bytes, 0, 4) === "II*\0" || ascii(bytes, 0, 4) === "MM\0*") reject("invalid_signature", "unsupported format", { reason: "unsupported_format", format: "tiff" });
  reject("invalid_signature", "not an image", { reason: "not_an_image" });
}

function luminance(data: Uint8ClampedArray, i: number): number {
  return 0.299 * (data[i] ?? 0) + 0.587 * (data[i + 1] ?? 0) + 0.114 * (data[i + 2] ?? 0);
}

/** Otsu's threshold over the luminance histogram. */
function otsu(image: ImageData): number {
  const histogram = new Array<number>(256).fill(0);
  const data = image.data;
  for (let i = 0; i < data.length; i += 4) histogram[Math.round(luminance(data, i))]! += 1;
  const total = data.length / 4;
  let sum = 0;
  for (let v = 0; v < 256; v += 1) sum += v * histogram[v]!;
  let sumB = 0;
  let weightB = 0;
  let best = 0;
  let threshold = 128;
  for (let v = 0; v < 256; v += 1) {
    weightB += histogram[v]!;
    if (weightB === 0) continue;
    const weightF = total - weightB;
    if (weightF === 0) break;
    sumB += v * histogram[v]!;
    const between = weightB * weightF * (sumB / weightB - (sum - sumB) / weightF) ** 2;
    if (between > best) {
      best = between;
      threshold = v;
    }
  }
  return threshold;
}

/** Ink where darker than the threshold (soft edge), cropped to the ink with a margin. */
function clean(source: ImageData, threshold: number, ink: InkColor): { png: string; width: number; height: number } {
  const { width, height, data } = source;
  const out = new ImageData(width, height);
  let minX = width;
  let minY = height;
  let maxX = -1;
  let maxY = -1;
  let inked = 0;
  const soft = Math.max(8, threshold * 0.25);
  for (let y = 0; y < height; y += 1) {
    for (let x = 0; x < width; x += 1) {
      const i = (y * width + x) * 4;
      const alpha = Math.min(1, Math.max(0, (threshold - luminance(data, i)) / soft));
      if (alpha <= 0) continue;
      const rgb = ink === "keep" ? [data[i] ?? 0, data[i + 1] ?? 0, data[i + 2] ?? 0] : INK_RGB[ink];
      out.data[i] = rgb[0]!;
      out.data[i + 1] = rgb[1]!;
      out.data[i + 2] = rgb[2]!;
      out.data[i + 3] = Math.round(alpha * 255);
      inked += 1;
      minX = Math.min(minX, x);
      minY = Math.min(minY, y);
      maxX = Math.max(maxX, x);
      maxY = Math.max(maxY, y);
    }
  }
  if (inked < 30 || inked > width * height * 0.6) reject("invalid_signature", "no ink found", { reason: "no_ink" });
  const margin = 8;
  const x0 = Math.max(0, minX - margin);
  const y0 = Math.max(0, minY - margin);
  const w = Math.min(width, maxX + margin + 1) - x0;
  const h = Math.min(height, maxY + margin + 1) - y0;
  const { canvas, context } = canvas2d(w, h);
  context.putImageData(out, -x0, -y0);
  return { png: canvas.toDataURL("image/png"), width: w, height: h };
}

// ---- the service ----------------------------------------------------------------------------------

interface FakeSignature {
  id: string;
  name: string;
  kind: SignatureKind;
  width: number;
  height: number;
  png: string;
  onPlatform: boolean;
}

interface Operation {
  target: string;
  failure: ApiError | null;
}

type Draft =
  | { kind: "drawn"; png: string; width: number; height: number }
  | { kind: "uploaded"; source: ImageData; original: string; auto: number; png: string; width: number; height: number; threshold: number };

export function createFakeSignatures(host: FakeSignatureHost): {
  commands: Record<string, (args: Record<string, unknown>) => Promise<unknown>>;
  connectivityChanged: () => void;
} {
  const { query } = host;
  const seedCount = query.has("fake-signatures") ? Math.max(0, Math.min(MAX_SIGNATURES, Number(query.get("fake-signatures")) || 0)) : 2;
  const slowMs = Number(query.get("fake-sig-slow")) > 0 ? Number(query.get("fake-sig-slow")) : 0;
  let failNextSync = query.get("fake-sig-sync") === "fail";

  let signatures: FakeSignature[] | null = null; // made on first use (needs a document)
  let defaultId: string | null = null;
  let outbox: Operation[] = [];
  let syncing = false;
  let syncTimer: number | null = null;
  const drafts = new Map<string, Draft>();

  const seedNames = ["签名 1", "财务报销专用", "Wang Xiaoming", "签名 4"];
  function list(): FakeSignature[] {
    if (signatures === null) {
      signatures = Array.from({ length: seedCount }, (_, i) => {
        const strokes = madeUpName(i + 1);
        const rendered = renderStrokes(strokes, i % 2 === 0 ? "black" : "blue", 3);
        return {
          id: randomHex(16),
          name: seedNames[i] ?? `签名 ${i + 1}`,
          kind: i % 2 === 0 ? "drawn" : "uploaded",
          width: rendered.width,
          height: rendered.height,
          png: rendered.png,
          onPlatform: true,
        } satisfies FakeSignature;
      });
      defaultId = signatures[0]?.id ?? null;
    }
    return signatures;
  }

  function board(): SignatureBoard {
    const error = outbox.find((op) => op.failure)?.failure ?? null;
    const items: SignatureItem[] = list().map((s) => {
      const ops = outbox.filter((op) => op.target === s.id);
      const failure = ops.find((op) => op.failure)?.failure ?? null;
      return {
        id: s.id,
        name: s.name,
        kind: s.kind,
        width: s.width,
        height: s.height,
        is_default: s.id === defaultId,
        thumbnail: s.png,
        sync: failure ? "failed" : ops.length === 0 && s.onPlatform ? "synced" : "pending",
        sync_error: failure,
      };
    });
    const state = syncing ? "syncing" : error ? "failed" : outbox.length === 0 ? "synced" : !host.online() ? "offline" : "pending";
    return { signatures: items, default_id: defaultId, sync: { state, pending: outbox.length, error }, can_save: host.canSave() };
  }

  /** Sends the outbox a moment later (when online and nothing was refused). */
  function scheduleSync(delay = 400): void {
    if (syncTimer !== null || outbox.length === 0 || !host.online()) return;
    if (outbox.some((op) => op.failure)) return;
    syncTimer = window.setTimeout(() => void runSync(), delay);
  }

  async function runSync(): Promise<void> {
    syncTimer = null;
    if (syncing || outbox.length === 0 || !host.online()) return;
    syncing = true;
    host.emit("signatures-changed", null);
    await sleep(1200);
    syncing = false;
    if (!host.online()) {
      host.emit("signatures-changed", null);
      return;
    }
    if (failNextSync) {
      failNextSync = false;
      const first = outbox[0];
      if (first) first.failure = { code: "rate_limited", message: "slow down", details: { retry_after_secs: 30 } };
      console.info("[signet fake] signature sync refused (fake-sig-sync=fail); 重试 succeeds");
    } else {
      for (const s of list()) if (outbox.some((op) => op.target === s.id)) s.onPlatform = true;
      outbox = [];
    }
    host.emit("signatures-changed", null);
  }

  function change(target: string): void {
    outbox.push({ target, failure: null });
    scheduleSync();
  }

  function signedIn(): void {
    if (!host.signedIn()) reject("session_expired", "no session");
  }

  function find(id: unknown): FakeSignature {
    const found = list().find((s) => s.id === id);
    if (!found) reject("not_found", "no such signature", { field: "id" });
    return found;
  }

  function checkName(raw: unknown): string {
    const name = typeof raw === "string" ? raw.trim() : "";
    if (name === "") reject("invalid_input", "name: empty", { field: "name", reason: "empty" });
    if (Array.from(name).length > MAX_NAME_CHARS) reject("invalid_input", "name: too_long", { field: "name", reason: "too_long" });
    if (/[\u0000-\u001f\u007f-\u009f\u200b-\u200f\u202a-\u202e\u2060-\u2069\ufeff]/.test(name)) {
      reject("invalid_input", "name: invalid_characters", { field: "name", reason: "invalid_characters" });
    }
    return name;
  }

  function draft(args: Record<string, unknown>): [string, Draft] {
    const id = String(args.draftId ?? "");
    const found = drafts.get(id);
    if (!found) reject("not_found", "no such signature draft", { field: "draft_id" });
    return [id, found];
  }

  function draftView(id: string, d: Draft): SignatureDraft {
    return d.kind === "drawn"
      ? { draft_id: id, width: d.width, height: d.height, preview: d.png, threshold: null, auto_threshold: null, original: null }
      : { draft_id: id, width: d.width, height: d.height, preview: d.png, threshold: d.threshold, auto_threshold: d.auto, original: d.original };
  }

  const commands: Record<string, (args: Record<string, unknown>) => Promise<unknown>> = {
    signatures_list: async () => {
      await sleep(250);
      signedIn();
      return board();
    },
    signature_render_drawing: async (args) => {
      signedIn();
      await sleep(250);
      const drawing = args.drawing as SignatureDrawing;
      const problem = drawingProblem(drawing);
      if (problem) reject("invalid_signature", `drawing refused: ${String(problem.reason)}`, problem);
      const rendered = renderStrokes(drawing.strokes, drawing.pen.color, drawing.pen.width);
      const id = randomHex(16);
      drafts.set(id, { kind: "drawn", ...rendered });
      return draftView(id, drafts.get(id) as Draft);
    },
    signature_load_photo: async (args) => {
      signedIn();
      const bytes = args.body as Uint8Array;
      if (bytes.length === 0) reject("invalid_signature", "empty file", { reason: "empty" });
      if (bytes.length > MAX_FILE_BYTES) reject("invalid_signature", "too large", { reason: "too_large", bytes: bytes.length, max: MAX_FILE_BYTES });
      sniff(bytes);
      let bitmap: ImageBitmap;
      try {
        bitmap = await createImageBitmap(new Blob([bytes.slice().buffer]), { imageOrientation: "from-image" });
      } catch (error) {
        reject("invalid_signature", `corrupt: ${String(error)}`, { reason: "corrupt" });
      }
      const { width, height } = bitmap;
      if (width * height > MAX_PIXELS) reject("invalid_signature", "too many pixels", { reason: "too_many_pixels", width, height, max_pixels: MAX_PIXELS });
      await sleep(400 + slowMs + Math.min(1500, bytes.length / 4000));
      const originalScale = Math.min(1, ORIGINAL_SIDE / Math.max(width, height));
      const original = canvas2d(width * originalScale, height * originalScale);
      original.context.drawImage(bitmap, 0, 0, original.canvas.width, original.canvas.height);
      const workScale = Math.min(1, WORK_SIDE / Math.max(width, height));
      const work = canvas2d(width * workScale, height * workScale);
      work.context.fillStyle = "#fff"; // a transparent PNG reads as white paper
      work.context.fillRect(0, 0, work.canvas.width, work.canvas.height);
      work.context.drawImage(bitmap, 0, 0, work.canvas.width, work.canvas.height);
      const source = work.context.getImageData(0, 0, work.canvas.width, work.canvas.height);
      const auto = otsu(source);
      const cleaned = clean(source, auto, "keep");
      const id = randomHex(16);
      const d: Draft = { kind: "uploaded", source, original: original.canvas.toDataURL("image/jpeg", 0.85), auto, threshold: auto, ...cleaned };
      drafts.set(id, d);
      return draftView(id, d);
    },
    signature_clean_photo: async (args) => {
      signedIn();
      const [id, d] = draft(args);
      if (d.kind !== "uploaded") reject("invalid_input", "draft is a drawing", { field: "draft_id" });
      await sleep(150 + Math.random() * 250 + slowMs / 4);
      const threshold = typeof args.threshold === "number" ? Math.max(0, Math.min(255, Math.round(args.threshold))) : d.auto;
      const ink = args.ink === "black" || args.ink === "blue" ? args.ink : "keep";
      const cleaned = clean(d.source, threshold, ink);
      Object.assign(d, cleaned, { threshold });
      return draftView(id, d);
    },
    signature_save_draft: async (args) => {
      signedIn();
      await sleep(300);
      const name = checkName(args.name);
      const [id, d] = draft(args);
      if (!host.canSave()) reject("real_name_required", "saving signatures needs a verified real name");
      if (list().length >= MAX_SIGNATURES) reject("signature_limit", "too many signatures", { max: MAX_SIGNATURES });
      drafts.delete(id);
      const signature: FakeSignature = { id: randomHex(16), name, kind: d.kind, width: d.width, height: d.height, png: d.png, onPlatform: false };
      list().push(signature);
      defaultId ??= signature.id;
      change(signature.id);
      return board();
    },
    signature_discard_draft: async (args) => {
      drafts.delete(String(args.draftId ?? ""));
      return null;
    },
    signature_rename: async (args) => {
      signedIn();
      await sleep(250);
      const signature = find(args.id);
      signature.name = checkName(args.name);
      change(signature.id);
      return board();
    },
    signature_set_default: async (args) => {
      signedIn();
      await sleep(250);
      defaultId = find(args.id).id;
      change(defaultId);
      return board();
    },
    signature_delete: async (args) => {
      signedIn();
      await sleep(300);
      const signature = find(args.id);
      signatures = list().filter((s) => s !== signature);
      if (defaultId === signature.id) defaultId = null;
      change(signature.id);
      return board();
    },
    signature_sync_now: async () => {
      signedIn();
      for (const op of outbox) op.failure = null;
      if (!host.online()) reject("server_unreachable", "connect ECONNREFUSED");
      if (syncTimer !== null) window.clearTimeout(syncTimer);
      syncTimer = null;
      void runSync();
      await sleep(50);
      return board();
    },
  };

  return {
    commands,
    connectivityChanged: () => {
      host.emit("signatures-changed", null);
      scheduleSync(800);
    },
  };
}
