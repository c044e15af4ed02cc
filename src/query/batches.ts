// Where a search ranked into batches stands (the rank step opens the batches, the merge writes
// the progress into every cursor), and the rule that settles, for the batch-1 hit rate, whether
// the rows a caller was after all came from batch 1.

/** The batches of a ranked search as of one page. */
export interface BatchProgress {
  /**
   * Target ids of every batch opened so far, in order; the page covers the last one. Kept in the
   * cursor, so a ranking that changed between pages cannot move a target into or out of a batch
   * already (partly) read: nothing is read twice or skipped.
   */
  opened: string[][];
  /** Batches the search has as far as is known: those opened plus those the unopened apps fill. */
  total: number;
  /** The batch-1 outcome of this walk was settled on an earlier page. */
  judged: boolean;
}

export type BatchOutcome = 'hit' | 'miss';

/** What the page says about its batch; `outcome` is set on the page that settles it. */
export interface BatchReport {
  /** The batch the page covered, from 1. */
  current: number;
  total: number;
  outcome?: BatchOutcome;
}

/** The batch state a cursor carries (see cursor.ts). */
export interface CursorBatches {
  opened: string[][];
  /** Nothing of the opened batches is left after this position: the next page opens the next batch. */
  next: boolean;
  judged: boolean;
}

export interface PageFacts {
  /** A logstore of batch 2 or later returned matching rows on this page. */
  laterRows: boolean;
  /** The page holds `first` events. */
  full: boolean;
  /** No page follows. */
  ended: boolean;
}

/**
 * Settles, once per walk through one ranked search's pages, whether every matching row came
 * from batch 1 — judged as the caller sees it, without asking any logstore more than paging does:
 * - miss: a page of a later batch finds matching rows in one of that batch's logstores;
 * - hit: a page of batch 1 comes back full (the caller's page was answered by batch 1 alone), or
 *   the walk reaches its end without a later batch finding a row.
 * A walk that stops on a partial batch-1 page, or part way through the later batches, is not
 * judged; neither is a search whose apps fit in one batch, where ranking decides nothing.
 */
export function judgeBatchOutcome(progress: BatchProgress, page: PageFacts): BatchOutcome | undefined {
  if (progress.judged || progress.total <= 1) return undefined;
  if (page.laterRows) return 'miss';
  if ((progress.opened.length === 1 && page.full) || page.ended) return 'hit';
  return undefined;
}
