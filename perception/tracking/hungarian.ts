/**
 * Minimum-cost assignment for a rectangular cost matrix (rows ≤ or ≥ cols),
 * by shortest augmenting paths with potentials (the O(n²m) Hungarian method
 * of Kuhn–Munkres in its Jonker–Volgenant form). Workspace is allocated once
 * for the largest size seen; `solve` allocates only when a problem outgrows it.
 */
export class Assignment {
  private u = new Float64Array(0);
  private v = new Float64Array(0);
  private p = new Int32Array(0);
  private way = new Int32Array(0);
  private minv = new Float64Array(0);
  private used = new Uint8Array(0);
  /** row → assigned column, or −1; valid after solve, length ≥ rows */
  rowToCol = new Int32Array(0);

  private ensure(rows: number, cols: number): void {
    const n = Math.max(rows, cols) + 1;
    if (this.u.length >= n && this.rowToCol.length >= rows) return;
    this.u = new Float64Array(n);
    this.v = new Float64Array(n);
    this.p = new Int32Array(n);
    this.way = new Int32Array(n);
    this.minv = new Float64Array(n);
    this.used = new Uint8Array(n);
    this.rowToCol = new Int32Array(n);
  }

  /**
   * `cost` is rows × cols, row-major. Pairs whose cost is ≥ `maxCost` are
   * treated as forbidden and left unassigned. Returns the number of pairs.
   */
  solve(cost: Float64Array, rows: number, cols: number, maxCost: number): number {
    this.ensure(rows, cols);
    this.rowToCol.fill(-1);
    if (rows === 0 || cols === 0) return 0;
    // Work on the transposed problem when rows > cols so that the "left" side is the smaller one.
    const transpose = rows > cols;
    const n = transpose ? cols : rows;
    const m = transpose ? rows : cols;
    // forbidden pairs get a big finite cost so a full assignment of the smaller side always exists
    const big = maxCost * 4 + 1;
    const at = (i: number, j: number): number => {
      const c = transpose ? cost[j * cols + i]! : cost[i * cols + j]!;
      return c >= maxCost ? big : c;
    };
    const { u, v, p, way, minv, used } = this;
    u.fill(0, 0, n + 1);
    v.fill(0, 0, m + 1);
    p.fill(0, 0, m + 1);
    way.fill(0, 0, m + 1);
    for (let i = 1; i <= n; i++) {
      p[0] = i;
      let j0 = 0;
      minv.fill(Infinity, 0, m + 1);
      used.fill(0, 0, m + 1);
      do {
        used[j0] = 1;
        const i0 = p[j0]!;
        let delta = Infinity, j1 = 0;
        for (let j = 1; j <= m; j++) {
          if (used[j]) continue;
          const cur = at(i0 - 1, j - 1) - u[i0]! - v[j]!;
          if (cur < minv[j]!) {
            minv[j] = cur;
            way[j] = j0;
          }
          if (minv[j]! < delta) {
            delta = minv[j]!;
            j1 = j;
          }
        }
        for (let j = 0; j <= m; j++) {
          if (used[j]) {
            u[p[j]!]! += delta;
            v[j]! -= delta;
          } else minv[j]! -= delta;
        }
        j0 = j1;
      } while (p[j0] !== 0);
      do {
        const j1 = way[j0]!;
        p[j0] = p[j1]!;
        j0 = j1;
      } while (j0);
    }
    let pairs = 0;
    for (let j = 1; j <= m; j++) {
      const i = p[j]!;
      if (i === 0) continue;
      const row = transpose ? j - 1 : i - 1;
      const col = transpose ? i - 1 : j - 1;
      if (cost[row * cols + col]! >= maxCost) continue;
      this.rowToCol[row] = col;
      pairs++;
    }
    return pairs;
  }
}
