/**
 * Both sides of each game from the home-row probability: the away side is its complement, so the two
 * always sum to one (up to one rounding of 1 - p).
 * @example homeAwayProbabilities([0.62]) // { home: [0.62], away: [0.38] }
 */
export function homeAwayProbabilities(pHome: ArrayLike<number>): { home: Float64Array; away: Float64Array } {
  const home = Float64Array.from(pHome);
  return { home, away: home.map((p) => 1 - p) };
}
