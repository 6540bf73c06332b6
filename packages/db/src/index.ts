export * from './database.ts';
export * from './data-dir-lock.ts';
export * as schema from './schema/index.ts';
export * from './repositories/identity-repository.ts';
export * from './repositories/workspace-repository.ts';
export * from './repositories/audit-repository.ts';
export * from './repositories/data-key-repository.ts';
