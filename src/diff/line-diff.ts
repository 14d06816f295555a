/**
 * Added lines between two texts (Myers' O(ND) diff), for files whose `patch` GitHub leaves out of the
 * pull request's file list (large diffs). Past `maxEdits` differences every new line counts as added:
 * a review that scopes too widely is better than one that misses the change.
 */

export function addedLinesBetween(oldText: string, newText: string, maxEdits = 20000): number[] {
  const a = splitLines(oldText);
  const b = splitLines(newText);
  const ids = new Map<string, number>();
  const id = (line: string) => {
    let n = ids.get(line);
    if (n === undefined) ids.set(line, (n = ids.size));
    return n;
  };
  const x = a.map(id);
  const y = b.map(id);

  // Trim the common prefix and suffix: most large files change in a few places.
  let start = 0;
  while (start < x.length && start < y.length && x[start] === y[start]) start++;
  let endA = x.length;
  let endB = y.length;
  while (endA > start && endB > start && x[endA - 1] === y[endB - 1]) {
    endA--;
    endB--;
  }
  const added = myersAdded(x.slice(start, endA), y.slice(start, endB), maxEdits);
  if (added === undefined) return range(start + 1, endB);
  return added.map((i) => i + start + 1);
}

function splitLines(text: string): string[] {
  if (text === "") return [];
  const lines = text.split(/\r?\n/);
  if (lines[lines.length - 1] === "") lines.pop();
  return lines;
}

function range(from: number, to: number): number[] {
  const out: number[] = [];
  for (let i = from; i <= to; i++) out.push(i);
  return out;
}

/** 0-based indexes of `b` that are not matched in `a`, or undefined past `maxEdits`. */
function myersAdded(a: number[], b: number[], maxEdits: number): number[] | undefined {
  const n = a.length;
  const m = b.length;
  if (n === 0) return range(0, m - 1);
  if (m === 0) return [];
  const max = Math.min(n + m, maxEdits);
  const offset = max + 1;
  const v = new Int32Array(2 * max + 3);
  const trace: Int32Array[] = [];
  for (let d = 0; d <= max; d++) {
    trace.push(v.slice());
    for (let k = -d; k <= d; k += 2) {
      let xi = k === -d || (k !== d && v[offset + k - 1] < v[offset + k + 1]) ? v[offset + k + 1] : v[offset + k - 1] + 1;
      let yi = xi - k;
      while (xi < n && yi < m && a[xi] === b[yi]) {
        xi++;
        yi++;
      }
      v[offset + k] = xi;
      if (xi >= n && yi >= m) return backtrack(trace, offset, n, m, d);
    }
  }
  return undefined;
}

function backtrack(trace: Int32Array[], offset: number, n: number, m: number, dEnd: number): number[] {
  const added: number[] = [];
  let xi = n;
  let yi = m;
  for (let d = dEnd; d > 0; d--) {
    const v = trace[d];
    const k = xi - yi;
    const down = k === -d || (k !== d && v[offset + k - 1] < v[offset + k + 1]);
    const prevK = down ? k + 1 : k - 1;
    const prevX = v[offset + prevK];
    const prevY = prevX - prevK;
    while (xi > prevX && yi > prevY) {
      xi--;
      yi--;
    }
    if (down) added.push(prevY); // an insertion of b[prevY]
    xi = prevX;
    yi = prevY;
  }
  return added.reverse();
}
