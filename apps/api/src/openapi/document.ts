import {
  createDocument,
  type ZodOpenApiOperationObject,
  type ZodOpenApiPathsObject,
  type ZodOpenApiResponseObject,
} from 'zod-openapi';
import { openApiPath, ROUTES, type RouteSpec } from '../routes/spec.ts';

const SECURITY: Record<RouteSpec['access'], Record<string, string[]>[]> = {
  public: [],
  reader: [{ bearerAuth: [] }, { telegramInitData: [] }],
  operator: [{ bearerAuth: [] }],
  admin: [{ adminToken: [] }],
  basic: [{ bullBoardBasic: [] }],
};

function operation(route: RouteSpec): ZodOpenApiOperationObject {
  const responses: Record<string, ZodOpenApiResponseObject> = {};
  for (const [status, r] of Object.entries(route.responses)) {
    responses[status] = {
      description: r.description,
      ...(r.headers ? { headers: r.headers } : {}),
      ...(r.schema ? { content: { [r.contentType ?? 'application/json']: { schema: r.schema } } } : {}),
    };
  }
  return {
    operationId: route.id,
    summary: route.summary,
    ...(route.description ? { description: route.description } : {}),
    tags: [route.tag],
    security: SECURITY[route.access],
    ...(route.params ? { requestParams: { path: route.params } } : {}),
    ...(route.body
      ? { requestBody: { required: false, content: { 'application/json': { schema: route.body } } } }
      : {}),
    responses: responses as ZodOpenApiOperationObject['responses'],
  };
}

/** The OpenAPI 3.1 document of every route in routes/spec.ts, generated from their zod schemas. */
export function buildOpenApiDocument(options: {
  version: string;
  routes?: readonly RouteSpec[];
}): ReturnType<typeof createDocument> {
  const paths: ZodOpenApiPathsObject = {};
  for (const route of options.routes ?? ROUTES) {
    const path = openApiPath(route.path);
    paths[path] = { ...paths[path], [route.method]: operation(route) };
  }
  return createDocument({
    openapi: '3.1.0',
    info: {
      title: 'mealwise API',
      version: options.version,
      description:
        'Personalized nutrition tips generated nightly from lunch-order history. Errors are always ' +
        '`{"error": {"code", "message"}}`; every response carries `X-Request-Id`.',
    },
    tags: [
      { name: 'recommendations', description: 'for the frontend' },
      { name: 'admin', description: 'for operators (admin token)' },
      { name: 'operations', description: 'health, metrics, documentation, Bull Board' },
    ],
    components: {
      securitySchemes: {
        bearerAuth: {
          type: 'http',
          scheme: 'bearer',
          description: 'a service token from API_TOKENS (or the admin token)',
        },
        adminToken: { type: 'http', scheme: 'bearer', description: 'ADMIN_TOKEN' },
        telegramInitData: {
          type: 'apiKey',
          in: 'header',
          name: 'Authorization',
          description:
            '`tma <initData>`: the Telegram Mini App initData, verified with TELEGRAM_BOT_TOKEN; the user may read only his own tgid',
        },
        bullBoardBasic: {
          type: 'http',
          scheme: 'basic',
          description: 'BULL_BOARD_USER / BULL_BOARD_PASSWORD',
        },
      },
    },
    paths,
  });
}
