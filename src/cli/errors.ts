/** An error whose message is already the one line a user should read. */
export class UsageError extends Error {
  override name = 'UsageError';
}
