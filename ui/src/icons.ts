// Line icons on a 24x24 grid, built as SVG elements (vector, so they stay sharp on HiDPI screens,
// and no markup strings are parsed). They inherit `currentColor` and are hidden from screen readers.
import { s } from "./dom";

type Shape = ["path", string] | ["circle", number, number, number] | ["rect", number, number, number, number, number];

const ICONS = {
  eye: [["path", "M2 12s3.6-7 10-7 10 7 10 7-3.6 7-10 7S2 12 2 12z"], ["circle", 12, 12, 3]],
  eyeOff: [
    ["path", "M3 3l18 18"],
    ["path", "M10.6 5.1A10.6 10.6 0 0 1 12 5c6.4 0 10 7 10 7a17.4 17.4 0 0 1-3.2 4.2"],
    ["path", "M6.6 6.6C3.8 8.4 2 12 2 12s3.6 7 10 7a10.4 10.4 0 0 0 5.4-1.6"],
    ["path", "M9.9 9.9a3 3 0 0 0 4.2 4.2"],
  ],
  idCard: [
    ["rect", 3, 5, 18, 14, 2],
    ["circle", 9, 11, 2],
    ["path", "M5.8 16.2c.6-1.5 1.8-2.3 3.2-2.3s2.6.8 3.2 2.3"],
    ["path", "M14.5 10h4M14.5 13.5h3"],
  ],
  signature: [
    ["path", "M14.5 4.5l5 5L9 20H4v-5z"],
    ["path", "M12 7l5 5"],
  ],
  user: [["circle", 12, 8, 4], ["path", "M4 21c0-4 3.6-7 8-7s8 3 8 7"]],
  settings: [
    ["path", "M4 6h9M19 6h1M4 12h3M13 12h7M4 18h11M21 18h-1"],
    ["circle", 16, 6, 2.5],
    ["circle", 10, 12, 2.5],
    ["circle", 17.5, 18, 2.5],
  ],
  signOut: [
    ["path", "M9 21H5a2 2 0 0 1-2-2V5a2 2 0 0 1 2-2h4"],
    ["path", "M16 17l5-5-5-5"],
    ["path", "M21 12H9"],
  ],
  offline: [
    ["path", "M3 3l18 18"],
    ["path", "M8.5 16.4a5 5 0 0 1 7 0"],
    ["path", "M2 8.8a15 15 0 0 1 4.3-2.7"],
    ["path", "M10.7 5.1A15 15 0 0 1 22 8.8"],
    ["path", "M5 12.9a10 10 0 0 1 5.2-2.8"],
    ["path", "M16.8 11.2a10 10 0 0 1 2.2 1.7"],
    ["path", "M12 20h.01"],
  ],
  arrowLeft: [["path", "M19 12H5"], ["path", "M12 19l-7-7 7-7"]],
  refresh: [["path", "M20.5 12a8.5 8.5 0 1 1-2.5-6"], ["path", "M20.5 3.5V9H15"]],
  chevronRight: [["path", "M9 6l6 6-6 6"]],
  clock: [["circle", 12, 12, 9], ["path", "M12 7v5l3.5 2"]],
  info: [["circle", 12, 12, 9], ["path", "M12 16.5v-5"], ["path", "M12 8h.01"]],
  alert: [["path", "M12 3.5l9.5 17h-19z"], ["path", "M12 10v4.5"], ["path", "M12 17.5h.01"]],
  key: [["circle", 8, 15, 4], ["path", "M11 12l9-9"], ["path", "M16.5 6.5l3 3"], ["path", "M14 9l2 2"]],
  shield: [["path", "M12 3l8 3v6c0 5-3.5 8.2-8 9-4.5-.8-8-4-8-9V6z"], ["path", "M8.5 12l2.5 2.5 4.5-5"]],
  creditCard: [["rect", 2.5, 5, 19, 14, 2], ["path", "M2.5 10h19"], ["path", "M6 15h4"]],
  wallet: [
    ["path", "M4 7.5h14a2 2 0 0 1 2 2V18a2 2 0 0 1-2 2H6a2 2 0 0 1-2-2z"],
    ["path", "M4 7.5l11-3.5v3.5"],
    ["path", "M16 14h.01"],
  ],
  smartphone: [["rect", 6.5, 2.5, 11, 19, 2], ["path", "M11 18h2"]],
  scanFace: [
    ["path", "M4 8V6a2 2 0 0 1 2-2h2M16 4h2a2 2 0 0 1 2 2v2M20 16v2a2 2 0 0 1-2 2h-2M8 20H6a2 2 0 0 1-2-2v-2"],
    ["path", "M9 10h.01M15 10h.01"],
    ["path", "M9.5 14.5a3.5 3.5 0 0 0 5 0"],
  ],
  fileCheck: [
    ["path", "M14 3H7a2 2 0 0 0-2 2v14a2 2 0 0 0 2 2h10a2 2 0 0 0 2-2V8z"],
    ["path", "M14 3v5h5"],
    ["path", "M9 14.5l2 2 4-4"],
  ],
  checkCircle: [["circle", 12, 12, 9], ["path", "M8 12.5l2.8 2.8L16 10"]],
  xCircle: [["circle", 12, 12, 9], ["path", "M9 9l6 6M15 9l-6 6"]],
  pencil: [["path", "M4 20h4L19 9l-4-4L4 16z"], ["path", "M13.5 6.5l4 4"]],
  lock: [["rect", 5, 11, 14, 10, 2], ["path", "M8 11V7a4 4 0 0 1 8 0v4"]],
  upload: [["path", "M12 15V4"], ["path", "M7.5 8.5L12 4l4.5 4.5"], ["path", "M4 15v3a2 2 0 0 0 2 2h12a2 2 0 0 0 2-2v-3"]],
  undo: [["path", "M9 14L4 9l5-5"], ["path", "M4 9h10.5a5.5 5.5 0 0 1 0 11H11"]],
  redo: [["path", "M15 14l5-5-5-5"], ["path", "M20 9H9.5a5.5 5.5 0 0 0 0 11H13"]],
  eraser: [["path", "M7 21h13"], ["path", "M4.6 14.6l9.9-9.9a2 2 0 0 1 2.8 0l2 2a2 2 0 0 1 0 2.8L11 18H8.4z"], ["path", "M9 10l5 5"]],
  image: [["rect", 3, 4, 18, 16, 2], ["circle", 8.5, 9.5, 1.5], ["path", "M21 15.5l-5-5L6 20"]],
  message: [["path", "M4 5h16v11H9l-5 4z"], ["path", "M8 9.5h8M8 12.5h5"]],
} satisfies Record<string, Shape[]>;

export type IconName = keyof typeof ICONS;

export function icon(name: IconName, className = "icon"): SVGSVGElement {
  const shapes: Shape[] = ICONS[name];
  return s(
    "svg",
    {
      class: className,
      viewBox: "0 0 24 24",
      fill: "none",
      stroke: "currentColor",
      "stroke-width": 1.75,
      "stroke-linecap": "round",
      "stroke-linejoin": "round",
      "aria-hidden": "true",
      focusable: "false",
    },
    shapes.map((shape) => {
      switch (shape[0]) {
        case "path":
          return s("path", { d: shape[1] });
        case "circle":
          return s("circle", { cx: shape[1], cy: shape[2], r: shape[3] });
        case "rect":
          return s("rect", { x: shape[1], y: shape[2], width: shape[3], height: shape[4], rx: shape[5] });
      }
    }),
  );
}

/** The Signet mark: a seal with a check, on the accent colour. */
export function logo(className = "logo"): SVGSVGElement {
  return s(
    "svg",
    { class: className, viewBox: "0 0 32 32", "aria-hidden": "true", focusable: "false" },
    s("rect", { x: 0, y: 0, width: 32, height: 32, rx: 8, class: "logo-bg" }),
    s("path", {
      d: "M16 6.5l7.5 2.8v5.6c0 4.7-3.3 7.7-7.5 8.6-4.2-.9-7.5-3.9-7.5-8.6V9.3z",
      class: "logo-seal",
    }),
    s("path", { d: "M12.6 15.2l2.4 2.4 4.4-4.8", class: "logo-check" }),
  );
}
