/** A bench page's log: each line to the console (Playwright relays it, tagged) and to the page's #log element. */
export function pageLog(tag: string): (line: string) => void {
  const el = document.getElementById('log');
  return (line) => {
    console.log(`[${tag}] ${line}`);
    if (el) el.textContent += `\n${line}`;
  };
}

/** Says the page is ready (its window object set): the driver waits for this text. */
export function pageReady(text: string): void {
  const el = document.getElementById('log');
  if (el) el.textContent = text;
}
