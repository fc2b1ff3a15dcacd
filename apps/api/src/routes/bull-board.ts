import { createBullBoard } from '@bull-board/api';
import { BullMQAdapter } from '@bull-board/api/bullMQAdapter';
import { ExpressAdapter } from '@bull-board/express';
import type { Redactor } from '@mealwise/logging';
import type { Queue } from 'bullmq';
import type { RequestHandler, Router } from 'express';
import type { BasicCredentials } from '../auth/basic.ts';
import { contextOf } from '../http/lifecycle.ts';
import { errorBody, sendJson } from '../http/respond.ts';

export const BULL_BOARD_PATH = '/admin/queues';

export interface BullBoardOptions {
  queues: readonly Queue[];
  credentials: BasicCredentials;
  readOnly: boolean;
  /** Masks secrets (registered values, Google-shaped keys, credential-named fields). */
  redactor: Redactor;
}

/**
 * Bull Board for recs-batch and recs-user behind HTTP Basic auth (Bull Board has none of its
 * own; basic auth, unlike a bearer token, also covers the page's asset and XHR loads). Every
 * JSON answer of the board goes through the redactor — job data, return values, failure
 * reasons, stack traces, logs — so a secret that slipped into a job is never displayed.
 */
export function bullBoardRouter(options: BullBoardOptions): { auth: RequestHandler; router: Router } {
  const serverAdapter = new ExpressAdapter();
  serverAdapter.setBasePath(BULL_BOARD_PATH);
  const redact = (value: unknown) => options.redactor.redact(value);
  createBullBoard({
    queues: options.queues.map((queue) => {
      const adapter = new BullMQAdapter(queue, {
        readOnlyMode: options.readOnly,
        allowRetries: !options.readOnly,
      });
      adapter.setFormatter('data', redact);
      adapter.setFormatter('returnValue', redact);
      return adapter;
    }),
    serverAdapter,
    options: {
      uiConfig: {
        boardTitle: 'mealwise',
        // Each poll would otherwise run CLIENT LIST per queue.
        showWorkers: false,
        hideDocsLink: true,
      },
      handlerHooks: {
        after: (_ctx, result) => ({ ...result, body: redact(result.body) as typeof result.body }),
      },
    },
  });
  const auth: RequestHandler = (req, res, next) => {
    if (options.credentials.check(req.headers.authorization)) {
      next();
      return;
    }
    contextOf(req).route = BULL_BOARD_PATH;
    sendJson(res, 401, errorBody('UNAUTHORIZED', 'Bull Board needs basic credentials'), {
      'www-authenticate': 'Basic realm="mealwise Bull Board", charset="UTF-8"',
      'cache-control': 'no-store',
    });
  };
  // The adapter's router is an Express app of its own: without this its answers (the board's page
  // and JSON API) carry `X-Powered-By: Express`, which the API never sends.
  const router = serverAdapter.getRouter() as Router & { disable?: (setting: string) => unknown };
  router.disable?.('x-powered-by');
  return { auth, router };
}
