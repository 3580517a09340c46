/**
 * Minimum-link x-monotone path through a tube: the fewest segments a continuous piecewise-linear
 * function p on [x_0, x_M] can have while lo(x) ≤ p(x) ≤ hi(x), where lo and hi are the
 * polygonal walls through (x_j, lo_j) and (x_j, hi_j).
 *
 * Method: the window (visibility) method of Imai & Iri, "An optimal algorithm for approximating
 * a piecewise linear function", J. Inf. Process. 9(3), 1986, after Suri's window partition
 * for minimum-link paths in simple polygons (Suri, CVGIP 35, 1986). From the current window w
 * (first the vertical side at x_0) the lines crossing w and staying in the tube are kept as two
 * extreme lines, the least steep ℓ↓ (touching the upper wall's lower convex hull at l⁺ and
 * the lower wall at r⁻) and the steepest ℓ↑ (lower wall's upper hull at l⁻, upper wall at r⁺).
 * When the upper wall dips below ℓ↓ (or the lower wall rises above ℓ↑) no line from w goes
 * further: the part of that extreme line inside the tube is the next window, every path needs
 * one more link to cross it, and the extreme line is the link. Each vertex enters and leaves
 * each hull once: O(M) time. Rebennack & Kallrath (J. Optim. Theory Appl. 167, 2015) compute
 * the same minimal breakpoint systems by mixed-integer programming.
 *
 * The count is exact for the polygonal tube in exact arithmetic; the predicates here are
 * float64, so callers that need a proven bound widen (lower bound) or narrow (construction)
 * the tube by more than the rounding of these predicates.
 */
export interface Tube {
  x: Float64Array;
  lo: Float64Array;
  hi: Float64Array;
}

export interface MinLinkPath {
  /** Vertices of the path: x[0] = x_0, x[n] = x_M, n = links. */
  x: Float64Array;
  y: Float64Array;
  links: number;
}

/** > 0 when p is above the line a→b (a.x < b.x), < 0 below. */
function orient(ax: number, ay: number, bx: number, by: number, px: number, py: number): number {
  return (bx - ax) * (py - ay) - (by - ay) * (px - ax);
}

/** Intersection of line (a, b) with line (c, d), as [x, y]. */
function intersect(ax: number, ay: number, bx: number, by: number, cx: number, cy: number, dx: number, dy: number): [number, number] {
  const r1x = bx - ax;
  const r1y = by - ay;
  const r2x = dx - cx;
  const r2y = dy - cy;
  const den = r1x * r2y - r1y * r2x;
  if (den === 0) return [cx, cy];
  const s = ((cx - ax) * r2y - (cy - ay) * r2x) / den;
  return [ax + s * r1x, ay + s * r1y];
}

/** A convex chain (hull) with a movable tangent index. */
class Chain {
  xs: number[] = [];
  ys: number[] = [];
  start = 0;
  /** Restarts the chain at one point. */
  reset(x: number, y: number): void { this.xs.length = 0; this.ys.length = 0; this.xs.push(x); this.ys.push(y); this.start = 0; }
  /** Appends, popping the tail while it is not strictly convex (sign +1: lower hull, −1: upper hull). */
  push(x: number, y: number, sign: 1 | -1): void {
    const { xs, ys } = this;
    while (xs.length - 1 > this.start) {
      const n = xs.length;
      if (sign * orient(xs[n - 2]!, ys[n - 2]!, x, y, xs[n - 1]!, ys[n - 1]!) < 0) break;
      xs.pop();
      ys.pop();
    }
    xs.push(x);
    ys.push(y);
  }
  get length(): number { return this.xs.length; }
}

/**
 * The minimum-link path through the tube (see the module comment). Requires x strictly
 * increasing, at least 2 points and lo ≤ hi.
 */
export function minLinkPath(tube: Tube): MinLinkPath {
  const { x, lo, hi } = tube;
  const M = x.length - 1;
  const up = new Chain(); // lower convex hull of the upper wall, from the window's top
  const dn = new Chain(); // upper convex hull of the lower wall, from the window's bottom
  // Window: from (wlx, wly) on the lower wall to (wux, wuy) on the upper wall.
  let wlx = x[0]!, wly = lo[0]!, wux = x[0]!, wuy = hi[0]!;
  up.reset(x[0]!, hi[0]!);
  dn.reset(x[0]!, lo[0]!);
  let lp = 0; // l⁺: index in `up`
  let lm = 0; // l⁻: index in `dn`
  let rmx = x[1]!, rmy = lo[1]!, rmi = -1; // r⁻ (rmi: its index in dn once pushed)
  let rpx = x[1]!, rpy = hi[1]!, rpi = -1; // r⁺
  const px: number[] = [];
  const py: number[] = [];
  up.push(x[1]!, hi[1]!, 1);
  dn.push(x[1]!, lo[1]!, -1);
  rmi = dn.length - 1;
  rpi = up.length - 1;
  for (let i = 2; i <= M; i++) {
    const ux = x[i]!, uy = hi[i]!, lx = x[i]!, ly = lo[i]!;
    const l1x = up.xs[lp]!, l1y = up.ys[lp]!; // l⁺
    const l2x = dn.xs[lm]!, l2y = dn.ys[lm]!; // l⁻
    if (orient(l1x, l1y, rmx, rmy, ux, uy) < 0) {
      // The upper wall dips below ℓ↓: window on ℓ↓ from r⁻ to where it leaves through the upper wall.
      const k = intersect(l1x, l1y, rmx, rmy, wlx, wly, wux, wuy);
      px.push(k[0]); py.push(k[1]);
      const c = intersect(l1x, l1y, rmx, rmy, x[i - 1]!, hi[i - 1]!, ux, uy);
      wlx = rmx; wly = rmy; wux = Math.min(c[0], ux); wuy = c[1];
      up.reset(wux, wuy);
      up.push(ux, uy, 1);
      lp = 0;
      dn.start = rmi; // the lower hull goes on from r⁻
      dn.push(lx, ly, -1);
      lm = rmi;
      rpx = ux; rpy = uy; rpi = up.length - 1;
      rmx = lx; rmy = ly; rmi = dn.length - 1;
      lm = advance(dn, lm, rpx, rpy, 1);
      continue;
    }
    if (orient(l2x, l2y, rpx, rpy, lx, ly) > 0) {
      // The lower wall rises above ℓ↑: window on ℓ↑ from r⁺ down to the lower wall.
      const k = intersect(l2x, l2y, rpx, rpy, wlx, wly, wux, wuy);
      px.push(k[0]); py.push(k[1]);
      const c = intersect(l2x, l2y, rpx, rpy, x[i - 1]!, lo[i - 1]!, lx, ly);
      wux = rpx; wuy = rpy; wlx = Math.min(c[0], lx); wly = c[1];
      dn.reset(wlx, wly);
      dn.push(lx, ly, -1);
      lm = 0;
      up.start = rpi;
      up.push(ux, uy, 1);
      lp = rpi;
      rpx = ux; rpy = uy; rpi = up.length - 1;
      rmx = lx; rmy = ly; rmi = dn.length - 1;
      lp = advance(up, lp, rmx, rmy, -1);
      continue;
    }
    let newRp = false;
    let newRm = false;
    if (orient(l2x, l2y, rpx, rpy, ux, uy) < 0) newRp = true; // ℓ↑ must come down to U_i
    if (orient(l1x, l1y, rmx, rmy, lx, ly) > 0) newRm = true; // ℓ↓ must come up to L_i
    if (newRp) lm = advance(dn, lm, ux, uy, 1);
    if (newRm) lp = advance(up, lp, lx, ly, -1);
    up.push(ux, uy, 1);
    dn.push(lx, ly, -1);
    if (lp >= up.length) lp = up.length - 1;
    if (lm >= dn.length) lm = dn.length - 1;
    if (newRp) { rpx = ux; rpy = uy; rpi = up.length - 1; } else if (rpi >= up.length || up.xs[rpi] !== rpx) rpi = indexOf(up, rpx, rpy);
    if (newRm) { rmx = lx; rmy = ly; rmi = dn.length - 1; } else if (rmi >= dn.length || dn.xs[rmi] !== rmx) rmi = indexOf(dn, rmx, rmy);
  }
  // Last link: the average of ℓ↓ and ℓ↑ (the lines crossing the window and staying in the tube
  // form a convex set in the (intercept, slope) plane), from the window to x_M.
  const xa = wlx;
  const xb = x[M]!;
  const down = lineThrough(up.xs[lp]!, up.ys[lp]!, rmx, rmy);
  const upL = lineThrough(dn.xs[lm]!, dn.ys[lm]!, rpx, rpy);
  const ya = (down(xa) + upL(xa)) / 2;
  const yb = (down(xb) + upL(xb)) / 2;
  const k = intersect(xa, ya, xb, yb, wlx, wly, wux, wuy);
  px.push(k[0]); py.push(k[1]);
  px.push(xb); py.push(yb);
  // The first vertex lies on the vertical window at x_0.
  px[0] = x[0]!;
  return { x: Float64Array.from(px), y: Float64Array.from(py), links: px.length - 1 };
}

function lineThrough(ax: number, ay: number, bx: number, by: number): (t: number) => number {
  const s = (by - ay) / (bx - ax);
  return (t) => ay + s * (t - ax);
}

/**
 * Moves the tangent index of `chain` toward the tangent from (qx, qy), a point right of it:
 * for the lower wall's upper hull (dir = 1) while the next vertex is on or above the line
 * l → q; for the upper wall's lower hull (dir = −1) while it is on or below.
 */
function advance(chain: Chain, l: number, qx: number, qy: number, dir: 1 | -1): number {
  const { xs, ys } = chain;
  while (l + 1 < xs.length && xs[l + 1]! < qx && dir * orient(xs[l]!, ys[l]!, qx, qy, xs[l + 1]!, ys[l + 1]!) >= 0) l++;
  return l;
}

/** Index of the chain vertex at (px, py), or the last one at or left of px. */
function indexOf(chain: Chain, px: number, _py: number): number {
  let k = chain.start;
  while (k + 1 < chain.length && chain.xs[k + 1]! <= px) k++;
  return k;
}
