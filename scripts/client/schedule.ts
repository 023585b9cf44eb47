import path from 'node:path';
import { ScheduleOverlapPolicy, type Client } from '@temporalio/client';
import type { Command } from 'commander';
import { TASK_QUEUES } from '../../common/task-queues';
import type { ConnectionProfile } from '../../lib/client/connection-profile';
import { scanInbox } from '../../workflows';
import { EXIT, outputFor, runAction, withClient, withJsonOption } from './cli';
import { configFrom, dataDirFrom, taskQueuesFrom, withPipelineOptions, type PipelineOptions } from './options';

const DEFAULT_SCHEDULE_ID = 'segmentation-inbox-scan';
export type ScheduleAction = 'create' | 'pause' | 'unpause' | 'trigger' | 'describe' | 'delete';

export interface ScheduleOptions extends Partial<PipelineOptions> {
  id: string;
  inbox?: string;
  every?: string;
  json?: boolean;
}

const ACTION_HELP: Record<Exclude<ScheduleAction, 'create'>, string> = {
  pause: 'stop starting scans until unpaused',
  unpause: 'start scanning again',
  trigger: 'scan the inbox now',
  describe: 'whether it is paused, its recent and next scans',
  delete: 'remove the schedule (runs it started are not touched)',
};

export function registerScheduleCommand(program: Command, profile: () => ConnectionProfile): void {
  const schedule = program.command('schedule')
    .summary('a Temporal schedule that scans an inbox for new drops')
    .description('Manage the Temporal schedule that scans an inbox directory and starts one pipeline per new drop.');
  const act = (action: ScheduleAction) => (options: ScheduleOptions) =>
    runAction(options, () => withClient(profile(), (client) => scheduleCommand(client, action, options)));
  const idOption = (command: Command) => command.option('--id <id>', 'the schedule id', DEFAULT_SCHEDULE_ID);

  const create = idOption(schedule.command('create')
    .description('Create the schedule: scans <dir> every interval and starts one pipeline per new drop (a scan still running when ' +
      'the next is due is skipped).')
    .requiredOption('--inbox <dir>', 'the directory to scan')
    .option('--every <interval>', 'how often: a number and s, m, h or d', '1h'));
  withJsonOption(withPipelineOptions(create)).action(act('create'));
  for (const [action, help] of Object.entries(ACTION_HELP)) {
    withJsonOption(idOption(schedule.command(action).description(help))).action(act(action as ScheduleAction));
  }
}

export async function scheduleCommand(client: Client, action: ScheduleAction, options: ScheduleOptions): Promise<number> {
  const out = outputFor(options);
  const scheduleId = options.id ?? DEFAULT_SCHEDULE_ID;
  const handle = client.schedule.getHandle(scheduleId);
  const done = (message: string, extra: Record<string, unknown> = {}) => {
    out.say(message);
    out.result({ scheduleId, action, ...extra });
    return EXIT.ok;
  };
  switch (action) {
    case 'create': {
      const inbox = path.resolve(options.inbox!);
      const every = options.every ?? '1h';
      const taskQueues = taskQueuesFrom(options.taskQueuePrefix);
      await client.schedule.create({
        scheduleId,
        spec: { intervals: [{ every: every as `${number}${'s' | 'm' | 'h' | 'd'}` }] },
        // A scan that is still running when the next one is due is skipped, not queued.
        policies: { overlap: ScheduleOverlapPolicy.SKIP },
        action: {
          type: 'startWorkflow',
          workflowType: scanInbox,
          taskQueue: (taskQueues ?? TASK_QUEUES).cpu,
          args: [{ inboxDir: inbox, dataDir: dataDirFrom(options.dataDir), config: configFrom(options.set), taskQueues }],
        },
      });
      return done(`schedule ${scheduleId} created: scans ${inbox} every ${every}`, { inbox, every });
    }
    case 'pause':
      await handle.pause('paused from the client script');
      return done(`schedule ${scheduleId} paused`);
    case 'unpause':
      await handle.unpause('unpaused from the client script');
      return done(`schedule ${scheduleId} unpaused`);
    case 'trigger':
      await handle.trigger(ScheduleOverlapPolicy.ALLOW_ALL);
      return done(`schedule ${scheduleId} triggered`);
    case 'describe': {
      const description = await handle.describe();
      const summary = { scheduleId, paused: description.state.paused, recentActions: description.info.recentActions, nextActionTimes: description.info.nextActionTimes };
      out.say(JSON.stringify(summary, null, 2));
      out.result({ action, ...summary });
      return EXIT.ok;
    }
    case 'delete':
      await handle.delete();
      return done(`schedule ${scheduleId} deleted`);
  }
}
