export { createSimulator, type Simulator, type SimulatorOptions } from './simulator.ts';
export { defaultSeed, DEMO, type SeedData } from './seed.ts';
export {
  defaultRules,
  defaultTiming,
  fastTiming,
  noFaults,
  type FaultConfig,
  type GraphFaults,
  type RuleConfig,
  type TimingConfig,
  type WebhookFaults,
} from './config.ts';
export { SimulatorControl, ControlError } from './control/simulator-control.ts';
export { CONTROL_PREFIX } from './control/control-routes.ts';
export type * from './control/control-types.ts';
export { metaJson, signatureSha256 } from './webhooks/meta-json.ts';
export { deriveScopedId, type ScopedIdKind } from './messenger/scoped-ids.ts';
