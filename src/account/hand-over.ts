/**
 * The messages a route may take back from a client while every part still
 * waits unsent (the link went down): they fail with `*_NOT_CONNECTED` at
 * once and the route gives them to its next channel, instead of waiting
 * out the queue wait here.
 */
import { SmsError } from '../errors';
import type { Protocol } from '../codes';
import type { MessageInFlight } from './in-flight';

export class HandOvers {
  private readonly messages = new Map<string, MessageInFlight>();

  add(key: string, message: MessageInFlight): void {
    this.messages.set(key, message);
  }

  done(key: string): void {
    this.messages.delete(key);
  }

  /** Fails the messages that may be taken back and never left; returns how many. */
  withdraw(session: { withdraw(parts: (message: string) => number | undefined, why: Error): number }, protocol: Protocol): number {
    if (!this.messages.size) return 0;
    const why = new SmsError(`${protocol}_NOT_CONNECTED`, `not sent: the ${protocol} link went down before this message left; taken back for the route's next channel`);
    return session.withdraw((key) => this.messages.get(key)?.untouchedParts, why);
  }
}
