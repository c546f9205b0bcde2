/**
 * JSON from a model folder's text files (config.json, the shard index, tokenizer files). A UTF-8
 * byte-order mark at the start is accepted, as Python's json (utf-8-sig), transformers and most
 * editors' readers do; JSON.parse alone refused it with an invisible character in its message.
 */
export function parseJsonText(text: string): unknown {
  return JSON.parse(text.charCodeAt(0) === 0xfeff ? text.slice(1) : text);
}
