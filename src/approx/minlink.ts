import { reportEvery } from './progress.ts';

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
function intersect(
  ax: number, ay: number, bx: number, by: number, cx: number, cy: number, dx: number, dy: number,
): [number, number] {
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
  reset(x: number, y: number): void {
    this.xs.length = 0;
    this.ys.length = 0;
    this.xs.push(x);
    this.ys.push(y);
    this.start = 0;
  }
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
  const walk = new LinkWalk(tube);
  for (let i = 2; i < tube.x.length; i++) {
    reportEvery(i, 'construction', 'minimum-link walk at sample', tube.x.length);
    walk.step(i);
  }
  return walk.finish();
}

/**
 * The state of the window method: the current window (from (wlx, wly) on the lower wall to
 * (wux, wuy) on the upper wall), the two hull chains from it, the tangent indices l⁺, l⁻ and
 * the points r⁻, r⁺ that define the extreme lines ℓ↓ = l⁺r⁻ and ℓ↑ = l⁻r⁺, and the path's
 * vertices so far.
 */
class LinkWalk {
  private readonly up = new Chain(); // lower convex hull of the upper wall, from the window's top
  private readonly dn = new Chain(); // upper convex hull of the lower wall, from the window's bottom
  private wlx: number; private wly: number; private wux: number; private wuy: number;
  private lp = 0; // l⁺: index in `up`
  private lm = 0; // l⁻: index in `dn`
  private rmx: number; private rmy: number; private rmi: number; // r⁻ (rmi: its index in dn)
  private rpx: number; private rpy: number; private rpi: number; // r⁺
  private readonly px: number[] = [];
  private readonly py: number[] = [];

  constructor(private readonly tube: Tube) {
    const { x, lo, hi } = tube;
    this.wlx = x[0]!; this.wly = lo[0]!; this.wux = x[0]!; this.wuy = hi[0]!;
    this.up.reset(x[0]!, hi[0]!);
    this.dn.reset(x[0]!, lo[0]!);
    this.rmx = x[1]!; this.rmy = lo[1]!;
    this.rpx = x[1]!; this.rpy = hi[1]!;
    this.up.push(x[1]!, hi[1]!, 1);
    this.dn.push(x[1]!, lo[1]!, -1);
    this.rmi = this.dn.length - 1;
    this.rpi = this.up.length - 1;
  }

  /** Takes in the walls at x_i: a new link where one wall crosses an extreme line, else narrower lines. */
  step(i: number): void {
    const { x, lo, hi } = this.tube;
    const ux = x[i]!, uy = hi[i]!, lx = x[i]!, ly = lo[i]!;
    const l1x = this.up.xs[this.lp]!, l1y = this.up.ys[this.lp]!; // l⁺
    const l2x = this.dn.xs[this.lm]!, l2y = this.dn.ys[this.lm]!; // l⁻
    if (orient(l1x, l1y, this.rmx, this.rmy, ux, uy) < 0) this.linkDown(i, l1x, l1y);
    else if (orient(l2x, l2y, this.rpx, this.rpy, lx, ly) > 0) this.linkUp(i, l2x, l2y);
    else {
      const newRp = orient(l2x, l2y, this.rpx, this.rpy, ux, uy) < 0; // ℓ↑ must come down to U_i
      const newRm = orient(l1x, l1y, this.rmx, this.rmy, lx, ly) > 0; // ℓ↓ must come up to L_i
      this.narrow(ux, uy, lx, ly, newRp, newRm);
    }
  }

  /** The upper wall dips below ℓ↓: window on ℓ↓ from r⁻ to where it leaves through the upper wall. */
  private linkDown(i: number, l1x: number, l1y: number): void {
    const { x, lo, hi } = this.tube;
    const ux = x[i]!, uy = hi[i]!, lx = x[i]!, ly = lo[i]!;
    const { rmx, rmy, up, dn } = this;
    this.vertex(intersect(l1x, l1y, rmx, rmy, this.wlx, this.wly, this.wux, this.wuy));
    const c = intersect(l1x, l1y, rmx, rmy, x[i - 1]!, hi[i - 1]!, ux, uy);
    this.wlx = rmx; this.wly = rmy; this.wux = Math.min(c[0], ux); this.wuy = c[1];
    up.reset(this.wux, this.wuy);
    up.push(ux, uy, 1);
    this.lp = 0;
    dn.start = this.rmi; // the lower hull goes on from r⁻
    dn.push(lx, ly, -1);
    this.rpx = ux; this.rpy = uy; this.rpi = up.length - 1;
    this.rmx = lx; this.rmy = ly; this.rmi = dn.length - 1;
    this.lm = advance(dn, dn.start, this.rpx, this.rpy, 1);
  }

  /** The lower wall rises above ℓ↑: window on ℓ↑ from r⁺ down to the lower wall. */
  private linkUp(i: number, l2x: number, l2y: number): void {
    const { x, lo, hi } = this.tube;
    const ux = x[i]!, uy = hi[i]!, lx = x[i]!, ly = lo[i]!;
    const { rpx, rpy, up, dn } = this;
    this.vertex(intersect(l2x, l2y, rpx, rpy, this.wlx, this.wly, this.wux, this.wuy));
    const c = intersect(l2x, l2y, rpx, rpy, x[i - 1]!, lo[i - 1]!, lx, ly);
    this.wux = rpx; this.wuy = rpy; this.wlx = Math.min(c[0], lx); this.wly = c[1];
    dn.reset(this.wlx, this.wly);
    dn.push(lx, ly, -1);
    this.lm = 0;
    up.start = this.rpi;
    up.push(ux, uy, 1);
    this.rpx = ux; this.rpy = uy; this.rpi = up.length - 1;
    this.rmx = lx; this.rmy = ly; this.rmi = dn.length - 1;
    this.lp = advance(up, up.start, this.rmx, this.rmy, -1);
  }

  /** Both walls stay between the extreme lines: ℓ↑ comes down to U_i (newRp), ℓ↓ up to L_i (newRm). */
  private narrow(ux: number, uy: number, lx: number, ly: number, newRp: boolean, newRm: boolean): void {
    const { up, dn } = this;
    if (newRp) this.lm = advance(dn, this.lm, ux, uy, 1);
    if (newRm) this.lp = advance(up, this.lp, lx, ly, -1);
    up.push(ux, uy, 1);
    dn.push(lx, ly, -1);
    if (this.lp >= up.length) this.lp = up.length - 1;
    if (this.lm >= dn.length) this.lm = dn.length - 1;
    if (newRp) { this.rpx = ux; this.rpy = uy; this.rpi = up.length - 1; }
    else if (this.rpi >= up.length || up.xs[this.rpi] !== this.rpx) this.rpi = indexOf(up, this.rpx, this.rpy);
    if (newRm) { this.rmx = lx; this.rmy = ly; this.rmi = dn.length - 1; }
    else if (this.rmi >= dn.length || dn.xs[this.rmi] !== this.rmx) this.rmi = indexOf(dn, this.rmx, this.rmy);
  }

  private vertex(k: [number, number]): void { this.px.push(k[0]); this.py.push(k[1]); }

  /**
   * Last link: the average of ℓ↓ and ℓ↑ (the lines crossing the window and staying in the tube
   * form a convex set in the (intercept, slope) plane), from the window to x_M.
   */
  finish(): MinLinkPath {
    const { x } = this.tube;
    const { up, dn, px, py } = this;
    const xa = this.wlx;
    const xb = x[x.length - 1]!;
    const down = lineThrough(up.xs[this.lp]!, up.ys[this.lp]!, this.rmx, this.rmy);
    const upL = lineThrough(dn.xs[this.lm]!, dn.ys[this.lm]!, this.rpx, this.rpy);
    const ya = (down(xa) + upL(xa)) / 2;
    const yb = (down(xb) + upL(xb)) / 2;
    this.vertex(intersect(xa, ya, xb, yb, this.wlx, this.wly, this.wux, this.wuy));
    px.push(xb); py.push(yb);
    // The first vertex lies on the vertical window at x_0.
    px[0] = x[0]!;
    return { x: Float64Array.from(px), y: Float64Array.from(py), links: px.length - 1 };
  }
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
