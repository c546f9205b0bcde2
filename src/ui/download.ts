/** Hands a blob to the browser as a file download (a temporary object URL clicked through a link). */
export function downloadBlob(blob: Blob, name: string): void {
  const url = URL.createObjectURL(blob);
  const a = document.createElement('a');
  a.href = url;
  a.download = name;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

/** Hands bytes to the browser as a file download. */
export function downloadBytes(bytes: ArrayBuffer | Uint8Array, name: string, type = 'application/octet-stream'): void {
  downloadBlob(new Blob([bytes as BlobPart], { type }), name);
}
