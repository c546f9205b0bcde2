/**
 * Token-level text distance (the paper's Section 3): cosine distance between TF-IDF vectors of two
 * texts. A "term" is a token id of the model's tokenizer, so the measure sees exactly what the model
 * was asked to reproduce. Weights follow scikit-learn's TfidfVectorizer defaults (what such a paper
 * most likely used): tf = raw count, idf = ln((1 + n) / (1 + df)) + 1 with n documents and df the
 * number of documents holding the term, then each vector scaled to unit length.
 */
import { cosineDistance } from './distances.ts';

export interface TfidfModel {
  /** The vocabulary seen, in first-appearance order; vectors are indexed by it. */
  terms: number[];
  idf: Float64Array;
  /** One unit-length (L2-normalised) TF-IDF vector per document, over `terms`. */
  vectors: Float64Array[];
}

/** Fits IDF on the documents themselves (the corpus is the experiment's texts) and weights each. */
export function tfidf(documents: readonly (readonly number[])[]): TfidfModel {
  const n = documents.length;
  if (n === 0) throw new Error('TF-IDF needs at least one text.');
  const index = new Map<number, number>();
  const terms: number[] = [];
  for (const doc of documents) {
    if (doc.length === 0) throw new Error('A text with no tokens has no TF-IDF vector; leave it out.');
    for (const t of doc) {
      if (!index.has(t)) {
        index.set(t, terms.length);
        terms.push(t);
      }
    }
  }
  const df = new Float64Array(terms.length);
  const counts = documents.map((doc) => {
    const c = new Float64Array(terms.length);
    for (const t of doc) c[index.get(t)!] += 1;
    c.forEach((k, j) => {
      if (k > 0) df[j] += 1;
    });
    return c;
  });
  const idf = df.map((d) => Math.log((1 + n) / (1 + d)) + 1);
  const vectors = counts.map((c) => {
    const v = c.map((k, j) => k * idf[j]);
    const norm = Math.sqrt(v.reduce((s, x) => s + x * x, 0));
    return v.map((x) => x / norm);
  });
  return { terms, idf, vectors };
}

/** Pairwise TF-IDF cosine distances between token sequences (symmetric, zero diagonal). */
export function tfidfDistances(documents: readonly (readonly number[])[]): number[][] {
  const { vectors } = tfidf(documents);
  const n = vectors.length;
  const out = Array.from({ length: n }, () => new Array<number>(n).fill(0));
  for (let i = 0; i < n; i++) {
    for (let j = i + 1; j < n; j++) {
      const d = cosineDistance(vectors[i], vectors[j]);
      out[i][j] = out[j][i] = d;
    }
  }
  return out;
}
