import path from 'node:path';
import { parseArgs } from 'node:util';
import { ScheduleOverlapPolicy, type Client } from '@temporalio/client';
import { TASK_QUEUES } from '../../common/task-queues';
import { scanInbox } from '../../workflows';
import { PIPELINE_OPTIONS, configFrom, dataDirFrom, taskQueuesFrom } from './options';

const DEFAULT_SCHEDULE_ID = 'segmentation-inbox-scan';

/**
 * schedule create --inbox <dir> [--every 1h] [--id ID]   a schedule that scans the inbox and
 *                                                        starts one pipeline per new drop
 * schedule pause|unpause|trigger|describe|delete [--id ID]
 */
export async function scheduleCommand(client: Client, args: string[]): Promise<number> {
  const [action, ...rest] = args;
  const { values } = parseArgs({
    args: rest,
    options: { ...PIPELINE_OPTIONS, id: { type: 'string', default: DEFAULT_SCHEDULE_ID }, inbox: { type: 'string' }, every: { type: 'string', default: '1h' } },
  });
  const scheduleId = values.id!;
  const handle = client.schedule.getHandle(scheduleId);
  switch (action) {
    case 'create': {
      if (!values.inbox) throw new Error('usage: schedule create --inbox <dir> [--every 1h] [--id ID]');
      const taskQueues = taskQueuesFrom(values['task-queue-prefix']);
      await client.schedule.create({
        scheduleId,
        spec: { intervals: [{ every: values.every as `${number}${'s' | 'm' | 'h' | 'd'}` }] },
        // A scan that is still running when the next one is due is skipped, not queued.
        policies: { overlap: ScheduleOverlapPolicy.SKIP },
        action: {
          type: 'startWorkflow',
          workflowType: scanInbox,
          taskQueue: (taskQueues ?? TASK_QUEUES).cpu,
          args: [{ inboxDir: path.resolve(values.inbox), dataDir: dataDirFrom(values['data-dir']), config: configFrom(values.set), taskQueues }],
        },
      });
      console.log(`schedule ${scheduleId} created: scans ${path.resolve(values.inbox)} every ${values.every}`);
      return 0;
    }
    case 'pause':
      await handle.pause('paused from the client script');
      console.log(`schedule ${scheduleId} paused`);
      return 0;
    case 'unpause':
      await handle.unpause('unpaused from the client script');
      console.log(`schedule ${scheduleId} unpaused`);
      return 0;
    case 'trigger':
      await handle.trigger(ScheduleOverlapPolicy.ALLOW_ALL);
      console.log(`schedule ${scheduleId} triggered`);
      return 0;
    case 'describe': {
      const description = await handle.describe();
      console.log(JSON.stringify({ scheduleId, paused: description.state.paused, recentActions: description.info.recentActions, nextActionTimes: description.info.nextActionTimes }, null, 2));
      return 0;
    }
    case 'delete':
      await handle.delete();
      console.log(`schedule ${scheduleId} deleted`);
      return 0;
    default:
      throw new Error('usage: schedule create|pause|unpause|trigger|describe|delete [--id ID] [--inbox DIR] [--every 1h]');
  }
}
