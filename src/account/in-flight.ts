/**
 * One message on its way to the carrier: each part's results are written
 * into its journal record as they come, and once every part has its
 * outcome the record leaves the journal and the message is settled, its
 * results in the order of the recipients, then of the parts. The parts'
 * waiters report here instead of each holding a promise.
 */
import { inOrder, PartResult } from '../results';
import { MessageJournal, MessageRecord } from '../store/store';

export class MessageInFlight {
  private left: number;

  constructor(
    readonly record: MessageRecord,
    private readonly journal: MessageJournal,
    parts: number,
    private readonly settled: (results: PartResult[]) => void,
  ) {
    this.left = parts;
    if (parts === 0) this.finish();
  }

  /** One part's outcome: a result for each recipient it went to. */
  partDone(results: PartResult[]): void {
    const all = this.record.results as PartResult[];
    for (const r of results) all.push(r);
    if (--this.left > 0) this.journal.update(this.record);
    else this.finish();
  }

  private finish(): void {
    this.journal.remove(this.record.key);
    const results = this.record.results as PartResult[];
    this.settled(results.length > 1 ? inOrder(results, this.record.request.to as string[]) : results);
  }
}
