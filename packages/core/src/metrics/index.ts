export { createMetrics, type MetricsOptions, type MetricsSurface, type PreloopMetrics } from './create-metrics.js';
export { assertMayReadMetrics, createMetricsHandler, type MetricsHandlerOptions } from './metrics-handler.js';
export { metricsRoutes } from './metrics-routes.js';
