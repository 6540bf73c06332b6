export * from './identity.ts';
export * from './workspaces.ts';
export * from './privacy.ts';
export * from './conversations.ts';
export * from './contact-fields.ts';
