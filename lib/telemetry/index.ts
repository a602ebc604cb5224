export { ServiceMetrics } from './metrics.js';
export { ANONYMOUS_OPERATION, MAX_OPERATION_LABELS, OperationLabels, OTHER_OPERATION, UNKNOWN_OPERATION } from './operation-labels.js';
export { useRequestTelemetry } from './request-plugin.js';
export { BATCH_OPERATION, codeOf, inSpan, OK_OUTCOME, REQUEST_ID_ATTRIBUTE, RequestTelemetry } from './request-telemetry.js';
export { ServiceTelemetry } from './service-telemetry.js';
export { ServiceTracing } from './tracing.js';
