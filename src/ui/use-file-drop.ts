import { useState, type DragEvent } from 'react';
import { filesFromDrop } from './dropped-files.ts';

import type { DroppedFiles } from './dropped-files.ts';

/**
 * A drop zone for files: `dragging` while something is held over it (the panel's highlight), and
 * the props that go on its element. A drop while `enabled` is false is taken (the browser must not
 * open the file) and ignored.
 */
export function useFileDrop(onFiles: (dropped: DroppedFiles) => void, enabled = true) {
  const [dragging, setDragging] = useState(false);
  const dropProps = {
    onDragOver: (ev: DragEvent) => {
      ev.preventDefault();
      setDragging(true);
    },
    onDragLeave: () => setDragging(false),
    onDrop: (ev: DragEvent) => {
      ev.preventDefault();
      setDragging(false);
      if (enabled) void filesFromDrop(ev.dataTransfer).then(onFiles);
    },
  };
  return { dragging, dropProps };
}
