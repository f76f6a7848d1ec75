// @sextant/api-spec: the Beacon API and Keymanager API contract — route tables derived from the OpenAPI documents
// (openapi/*.yaml), the fastify server adapter and the undici client built from them. See README.md.

export {
  type ApiClient,
  type ApiClientOptions,
  type CallOptions,
  createApiClient,
  DEFAULT_TIMEOUT_MS,
} from "./client/client.ts";
export {
  ApiClientError,
  type ApiClientErrorCode,
  type ApiClientErrorContext,
  isApiClientError,
} from "./client/errors.ts";
export {
  type BackoffOptions,
  backoffDelay,
  type EventGap,
  type EventStreamOptions,
  type EventSubscription,
  subscribeEvents,
} from "./client/events.ts";
export { type SseMessage, SseParser } from "./client/sseParser.ts";
export {
  ApiError,
  type ApiErrorCode,
  type ErrorBody,
  IndexedApiError,
  type IndexedFailure,
  InputError,
} from "./codec/errors.ts";
export type { JsonCodec, ObjectField, Shape } from "./codec/json.ts";
export * as json from "./codec/json.ts";
export type { BlockId, ParamCodec, ParamSpec, StateId, ValidatorId } from "./codec/params.ts";
export * as params from "./codec/params.ts";
export { readSszJson, type SszCodec, sszBytes, sszJson } from "./codec/ssz.ts";
export { MAX_BLOCK_BODY_BYTES, MAX_BLOCK_SSZ_BYTES } from "./routes/beacon/blocks.ts";
export type { Versioned } from "./routes/beacon/lightClient.ts";
export { type RouteContext, route } from "./routes/define.ts";
export { type BeaconEvent, beaconEventCodec, type EventCodec, type EventDataMap } from "./routes/events.ts";
export { type BeaconRoutes, beaconRoutes, type KeymanagerRoutes, keymanagerRouteTable } from "./routes/index.ts";
export { META_FIELDS } from "./routes/meta.ts";
export type {
  AnyRoute,
  ApiResponse,
  ArgsOf,
  DataOf,
  HttpMethod,
  MetaKey,
  MetaOf,
  ResponseMeta,
  ResponseOf,
  ResultOf,
  RouteDef,
  RouteTable,
} from "./routes/types.ts";
export {
  EVENT_TOPICS,
  type EventTopic,
  type ForkValue,
  VALIDATOR_STATUSES,
  type ValidatorStatus,
  type ValidatorStatusFilter,
} from "./routes/values.ts";
export { DEFAULT_MAX_LARGE_BODIES, LARGE_BODY_BYTES } from "./server/body.ts";
export { DEFAULT_DOCS_PATH, loadDocument, type ServedDocument } from "./server/docs.ts";
export { ACCEPT_SSZ_THEN_JSON, chooseMediaType, type MediaType } from "./server/negotiate.ts";
export { jsonValuesExceed, MAX_JSON_VALUES } from "./server/request.ts";
export {
  type ApiServer,
  type ApiServerOptions,
  type BeforeHandlerResult,
  createApiServer,
  DEFAULT_BODY_LIMIT,
  type Handler,
  type HandlerContext,
  type Handlers,
  type RequestInfo,
  type ResponseInfo,
} from "./server/server.ts";
