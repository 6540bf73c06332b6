export * from './hub.ts';
export * from './realtime-routes.ts';
export * from './sse.ts';
