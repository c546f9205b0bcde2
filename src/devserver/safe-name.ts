/**
 * The one rule for which path segments the model server will ever touch. An allow-list rather
 * than a deny-list: a segment that decodes to `..`, `%2e`, a backslash, a NUL, a drive letter or
 * a hidden file simply does not match, so no traversal variant needs its own case.
 */
const SAFE_SEGMENT = /^[A-Za-z0-9_][A-Za-z0-9._+-]{0,199}$/;

export function isSafeSegment(segment: string): boolean {
  return SAFE_SEGMENT.test(segment);
}

/** True when `child` is `dir` itself or lies below it; both must already be real (symlink-free) paths. */
export function isInside(child: string, dir: string, sep: string): boolean {
  return child === dir || child.startsWith(dir.endsWith(sep) ? dir : dir + sep);
}
