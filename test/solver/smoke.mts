import { randomControlQp } from '../../mpc/qp/random-control.ts';
import { createQpSolver } from '../../mpc/qp/ipm-solver.ts';
import { loadHighsReference } from '../../mpc/qp/reference-highs.ts';
const ref = await loadHighsReference();
for (let seed = 1; seed <= 20; seed++) {
  const N = 5 + (seed % 5) * 10, nx = 4 + (seed % 4) * 4, nu = 2 + (seed % 3);
  const qp = randomControlQp({ N, nx, nu, seed });
  const s = createQpSolver({ N, nx, nu });
  s.qp.copyFrom(qp);
  const info = s.solve();
  const r = ref(qp);
  let du = 0, nu0 = 0;
  for (let j = 0; j < nu; j++) { du = Math.max(du, Math.abs(s.solution.u[j] - r.u[j])); nu0 = Math.max(nu0, Math.abs(r.u[j])); }
  console.log(seed, N, nx, nu, info.status, info.iterations, info.objective.toFixed(6), r.status, r.objective.toFixed(6), (Math.abs(info.objective - r.objective) / Math.max(1, Math.abs(r.objective))).toExponential(2), (du / (nu0 + 1)).toExponential(2), info.solveMs.toFixed(2), r.solveMs.toFixed(2));
}
