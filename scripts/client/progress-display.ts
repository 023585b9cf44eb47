import cliProgress from 'cli-progress';
import type { PipelineProgress } from '../../common/contracts';
import { describeProgress } from '../../lib/client/pipeline-client';

/** Shows a run's progress as the workflow's `progress` query reports it. */
export interface ProgressDisplay {
  update(progress: PipelineProgress): void;
  stop(): void;
}

/**
 * A live bar on a terminal; one plain line per change otherwise (CI logs, pipes); nothing with
 * --json, whose stdout is one JSON document. `startedAt`: when the workflow started, so elapsed
 * time is the run's, also when the client joins a run already under way.
 */
export function progressDisplay(options: { json: boolean; startedAt: Date; stream?: NodeJS.WriteStream }): ProgressDisplay {
  const stream = options.stream ?? process.stdout;
  if (options.json) return { update: () => undefined, stop: () => undefined };
  if (!stream.isTTY) {
    return { update: (progress) => stream.write(`[${formatSeconds(secondsSince(options.startedAt))}] ${describeProgress(progress)}\n`), stop: () => undefined };
  }
  return new ProgressBar(options.startedAt, stream);
}

const SHARD_STAGES = new Set(['shard', 'fit', 'embed', 'awaiting-retry']);
const CANDIDATE_STAGES = new Set(['cluster', 'evaluate', 'publish']);

/** What the bar counts: shards while they are made and embedded, candidates while they are clustered and scored; nothing before. */
function unitsOf(progress: PipelineProgress): { done: number; total: number } {
  if (SHARD_STAGES.has(progress.stage)) return { done: progress.shardsDone, total: progress.shardsTotal };
  if (CANDIDATE_STAGES.has(progress.stage)) return { done: progress.candidatesDone, total: progress.candidatesTotal };
  return { done: 0, total: 0 };
}

/**
 * One bar per stage: when the stage changes the finished bar stays on screen as that stage's line
 * and a new one starts, so the terminal ends with the run's history. The ETA is the current
 * stage's (units left at the stage's rate so far): shards and candidates take very different
 * times, so one ETA across stages would mislead.
 */
class ProgressBar implements ProgressDisplay {
  private bar: cliProgress.SingleBar | undefined;
  private stage = '';
  private stageStartedAt = Date.now();
  private last: PipelineProgress | undefined;
  private readonly ticker: NodeJS.Timeout;

  constructor(private readonly startedAt: Date, private readonly stream: NodeJS.WriteStream) {
    // Redraws every second, so elapsed time moves while the workflow reports nothing new.
    this.ticker = setInterval(() => this.last && this.render(this.last), 1000);
    this.ticker.unref();
  }

  update(progress: PipelineProgress): void {
    if (progress.stage !== this.stage) {
      // The finished stage's line shows its counts as they ended, not as last polled.
      if (this.bar) this.render({ ...progress, stage: this.stage as PipelineProgress['stage'] });
      this.bar?.stop();
      this.stage = progress.stage;
      this.stageStartedAt = Date.now();
      this.bar = new cliProgress.SingleBar({
        format: '{stage} |{bar}| {units} | shards {shards} | candidates {candidates} | elapsed {elapsed} | stage ETA {stageEta}{failures}',
        stream: this.stream,
        barsize: 20,
        hideCursor: true,
        clearOnComplete: false,
        stopOnComplete: false,
      }, cliProgress.Presets.shades_classic);
      this.bar.start(1, 0, this.payload(progress));
    }
    this.render(progress);
  }

  stop(): void {
    clearInterval(this.ticker);
    if (this.last) this.render(this.last);
    this.bar?.stop();
  }

  private render(progress: PipelineProgress): void {
    this.last = progress;
    const { done, total } = unitsOf(progress);
    this.bar?.setTotal(Math.max(total, 1));
    this.bar?.update(total > 0 ? done : 0, this.payload(progress));
  }

  private payload(progress: PipelineProgress) {
    const { done, total } = unitsOf(progress);
    const stageSeconds = (Date.now() - this.stageStartedAt) / 1000;
    const eta = total > 0 && done > 0 && done < total ? formatSeconds((stageSeconds / done) * (total - done)) : total > 0 && done >= total ? '0s' : '-';
    return {
      stage: progress.stage.padEnd(14),
      units: total > 0 ? `${done}/${total}` : '-',
      shards: progress.shardsTotal > 0 ? `${progress.shardsDone}/${progress.shardsTotal}` : '-',
      candidates: progress.candidatesTotal > 0 ? `${progress.candidatesDone}/${progress.candidatesTotal}` : '-',
      elapsed: formatSeconds(secondsSince(this.startedAt)),
      stageEta: eta,
      failures: progress.failures.length > 0 ? ` | failures ${progress.failures.length}: ${progress.failures.map((failure) => failure.step).join(', ')}` : '',
    };
  }
}

function secondsSince(start: Date): number {
  return Math.max(0, (Date.now() - start.getTime()) / 1000);
}

/** 75 -> "1m15s"; 3725 -> "1h02m". */
export function formatSeconds(seconds: number): string {
  const whole = Math.round(seconds);
  if (whole < 60) return `${whole}s`;
  if (whole < 3600) return `${Math.floor(whole / 60)}m${String(whole % 60).padStart(2, '0')}s`;
  return `${Math.floor(whole / 3600)}h${String(Math.floor((whole % 3600) / 60)).padStart(2, '0')}m`;
}
