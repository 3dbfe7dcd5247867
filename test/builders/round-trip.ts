// "Equal apart from server defaults": every field a builder wrote must come back from the API
// server unchanged; the server may add fields (defaults, status, managed fields) and list
// entries (the service-account token volume and mount, default tolerations).

/** The paths where `actual` differs from `expected`, ignoring what `expected` does not set. */
export function roundTripDiff(expected: unknown, actual: unknown, path = ''): string[] {
  if (Array.isArray(expected)) {
    if (!Array.isArray(actual)) return [`${path}: expected a list, got ${JSON.stringify(actual)}`];
    const named = expected.every((e) => typeof e === 'object' && e !== null && typeof (e as { name?: unknown }).name === 'string');
    return expected.flatMap((e, i) => {
      if (named) {
        const name = (e as { name: string }).name;
        const match = actual.find((a) => (a as { name?: unknown } | null)?.name === name);
        return match === undefined ? [`${path}[${name}]: missing`] : roundTripDiff(e, match, `${path}[${name}]`);
      }
      return roundTripDiff(e, actual[i], `${path}[${i}]`);
    });
  }
  if (typeof expected === 'object' && expected !== null) {
    if (typeof actual !== 'object' || actual === null) return [`${path}: expected an object, got ${JSON.stringify(actual)}`];
    return Object.entries(expected).flatMap(([k, v]) => roundTripDiff(v, (actual as Record<string, unknown>)[k], path === '' ? k : `${path}.${k}`));
  }
  return expected === actual ? [] : [`${path}: built ${JSON.stringify(expected)}, server has ${JSON.stringify(actual)}`];
}
