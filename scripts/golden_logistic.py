"""Independent check of glm(am ~ hp + wt, family = binomial) on R's mtcars.

Reads test/golden/mtcars_am_hp_wt.csv, fits the unpenalised logistic regression by Newton-IRLS in
numpy (float64, no code shared with src/), and writes test/golden/mtcars_glm.json. Run once, on purpose:
    python3 scripts/golden_logistic.py
"""

import csv
import json
import pathlib

import numpy as np

ROOT = pathlib.Path(__file__).resolve().parent.parent
rows = list(csv.DictReader(open(ROOT / "test/golden/mtcars_am_hp_wt.csv")))
y = np.array([float(r["am"]) for r in rows])
X = np.column_stack([np.ones(len(rows)), [float(r["hp"]) for r in rows], [float(r["wt"]) for r in rows]])

beta = np.zeros(3)
for iteration in range(1, 101):
    mu = 1.0 / (1.0 + np.exp(-X @ beta))
    step = np.linalg.solve(X.T @ (X * (mu * (1 - mu))[:, None]), X.T @ (y - mu))
    beta += step
    if np.max(np.abs(step)) < 1e-13:
        break
mu = 1.0 / (1.0 + np.exp(-X @ beta))
deviance = -2.0 * np.sum(y * np.log(mu) + (1 - y) * np.log(1 - mu))

out = {
    "note": "numpy Newton-IRLS fit of am ~ hp + wt (logit link, no penalty) on test/golden/mtcars_am_hp_wt.csv; "
    "produced by scripts/golden_logistic.py",
    "numpy": np.__version__,
    "iterations": iteration,
    "rows": len(rows),
    "coefficients": {"(Intercept)": beta[0], "hp": beta[1], "wt": beta[2]},
    "residual_deviance": deviance,
    "r_published": {"(Intercept)": 18.86630, "hp": 0.03626, "wt": -8.08348},
}
(ROOT / "test/golden/mtcars_glm.json").write_text(json.dumps(out, indent=2) + "\n")
print(json.dumps(out, indent=2))
