/**
 * Trained Bezier curves kept with the pair of library solutions they join (issue 5 §2: "the
 * trained curve saved with the pair"). A database of its own next to the solution library, so
 * the two can change their schemas independently. A pair is keyed by its two ids in sorted
 * order: the curve through control point c from a to b is the same set as from b to a.
 */
import { openDB, type DBSchema, type IDBPDatabase } from 'idb';

export const CURVES_DB_NAME = 'protolab-curves';
const CURVES_DB_VERSION = 1;

export interface StoredCurve {
  /** pairKey(idA, idB). */
  key: string;
  ids: [string, string];
  /** Control point [e | m], float64. */
  control: Float64Array;
  losses: number[];
  lengthRatio: number;
  settings: { lr: number; steps: number; samples: number; seed: number };
  stopped: boolean;
  seconds: number;
  /** Mean loss along tau of the straight segment and of the curve, when scanned. */
  linearMeanLoss: number | null;
  curveMeanLoss: number | null;
  savedAt: string;
}

interface CurveSchema extends DBSchema {
  curves: { key: string; value: StoredCurve };
}

export function pairKey(a: string, b: string): string {
  if (!a || !b) throw new Error('A curve belongs to a pair of library solutions: both ids are needed.');
  return a < b ? `${a}|${b}` : `${b}|${a}`;
}

export class CurveStore {
  private constructor(private readonly db: IDBPDatabase<CurveSchema>) {}

  static async open(name = CURVES_DB_NAME): Promise<CurveStore> {
    if (!(globalThis as { indexedDB?: IDBFactory }).indexedDB) throw new Error('This browser offers no IndexedDB (a private window may switch it off): trained curves cannot be kept; use a normal window.');
    const db = await openDB<CurveSchema>(name, CURVES_DB_VERSION, {
      upgrade(db) {
        if (!db.objectStoreNames.contains('curves')) db.createObjectStore('curves', { keyPath: 'key' });
      },
    });
    db.addEventListener('versionchange', () => db.close());
    return new CurveStore(db);
  }

  async put(curve: Omit<StoredCurve, 'key' | 'savedAt'>, savedAt = new Date()): Promise<StoredCurve> {
    const stored: StoredCurve = { ...curve, control: Float64Array.from(curve.control), key: pairKey(curve.ids[0], curve.ids[1]), savedAt: savedAt.toISOString() };
    await this.db.put('curves', stored);
    return stored;
  }

  async get(a: string, b: string): Promise<StoredCurve | null> {
    return (await this.db.get('curves', pairKey(a, b))) ?? null;
  }

  /** Curves that involve a solution (to drop them when the solution is deleted for good). */
  async involving(id: string): Promise<StoredCurve[]> {
    return (await this.db.getAll('curves')).filter((c) => c.ids.includes(id));
  }

  async remove(a: string, b: string): Promise<void> {
    await this.db.delete('curves', pairKey(a, b));
  }

  close(): void {
    this.db.close();
  }
}
