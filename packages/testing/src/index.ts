export * from './test-database.ts';
export * from './simulator-client.ts';
