import type { MessagingLimitTier, QualityRating, TemplateComponent } from './state/model.ts';
import type { SimStore } from './state/store.ts';

/** Initial data. `defaultSeed` is documented in docs/simulator.md — keep them in sync. */
export interface SeedData {
  apps: { id: string; secret: string; name: string; callbackUrl?: string; verifyToken?: string }[];
  businesses: { id: string; name: string; messagingLimit?: MessagingLimitTier }[];
  wabas: { id: string; businessId: string; name: string; subscribedAppIds?: string[] }[];
  phoneNumbers: {
    id: string;
    wabaId: string;
    displayPhoneNumber: string;
    verifiedName: string;
    qualityRating?: QualityRating;
    throughputMps?: number;
  }[];
  pages: { id: string; businessId: string; name: string; subscribedAppIds?: string[] }[];
  instagramAccounts: { id: string; pageId: string; username: string; name: string }[];
  tokens: {
    token: string;
    appId: string;
    businessId: string | null;
    kind?: 'system_user' | 'page' | 'user' | 'business';
    pageId?: string;
  }[];
  customers: {
    id?: string;
    name: string;
    waId?: string;
    onWhatsApp?: boolean;
    profileHidden?: boolean;
  }[];
  templates: {
    id?: string;
    wabaId: string;
    name: string;
    language: string;
    category: 'MARKETING' | 'UTILITY' | 'AUTHENTICATION';
    parameterFormat?: 'POSITIONAL' | 'NAMED';
    components: TemplateComponent[];
  }[];
  leadForms: {
    id: string;
    pageId: string;
    name: string;
    questions: { key: string; label: string; type: string }[];
  }[];
  googleForms: {
    id: string;
    name: string;
    key: string;
    webhookUrl?: string;
    campaignId: string;
    adgroupId: string;
    creativeId: string;
    columns: { id: string; name: string }[];
  }[];
}

export const DEMO = {
  appId: '900000000000001',
  appSecret: 'sim-app-secret',
  verifyToken: 'sim-verify-token',
  accessToken: 'sim-access-token',
  pageAccessToken: 'sim-page-token',
  businessId: '200000000000001',
  wabaId: '300000000000001',
  phoneNumberId: '400000000000001',
  displayPhoneNumber: '15550100001',
  pageId: '500000000000001',
  instagramId: '17841400000000001',
  leadFormId: '800000000000001',
  googleFormId: '40000000000',
  googleKey: 'sim-google-key',
} as const;

export const defaultSeed: SeedData = {
  apps: [{ id: DEMO.appId, secret: DEMO.appSecret, name: 'Parley Demo App' }],
  businesses: [{ id: DEMO.businessId, name: 'Demo Bakery', messagingLimit: 2000 }],
  wabas: [
    { id: DEMO.wabaId, businessId: DEMO.businessId, name: 'Demo Bakery', subscribedAppIds: [DEMO.appId] },
  ],
  phoneNumbers: [
    {
      id: DEMO.phoneNumberId,
      wabaId: DEMO.wabaId,
      displayPhoneNumber: DEMO.displayPhoneNumber,
      verifiedName: 'Demo Bakery',
      qualityRating: 'GREEN',
      throughputMps: 80,
    },
  ],
  pages: [
    { id: DEMO.pageId, businessId: DEMO.businessId, name: 'Demo Bakery', subscribedAppIds: [DEMO.appId] },
  ],
  instagramAccounts: [
    { id: DEMO.instagramId, pageId: DEMO.pageId, username: 'demo.bakery', name: 'Demo Bakery' },
  ],
  tokens: [
    { token: DEMO.accessToken, appId: DEMO.appId, businessId: DEMO.businessId, kind: 'system_user' },
    {
      token: DEMO.pageAccessToken,
      appId: DEMO.appId,
      businessId: DEMO.businessId,
      kind: 'page',
      pageId: DEMO.pageId,
    },
  ],
  customers: [
    // PSIDs/IGSIDs are page-scoped and derived from (account id, customer id): see docs/simulator.md.
    { id: 'ana', name: 'Ana Ruiz', waId: '5511999990001' },
    { id: 'ben', name: 'Ben Okafor', waId: '447700900002' },
    { id: 'chen', name: 'Chen Wei', waId: '6591230003' },
    { id: 'dan', name: 'Dan (not on WhatsApp)', waId: '15550199999', onWhatsApp: false },
  ],
  templates: [
    {
      id: '1000000000000001',
      wabaId: DEMO.wabaId,
      name: 'hello_world',
      language: 'en_US',
      category: 'UTILITY',
      components: [
        { type: 'HEADER', format: 'TEXT', text: 'Hello World' },
        { type: 'BODY', text: 'Welcome and congratulations!! This message comes from the Parley simulator.' },
        { type: 'FOOTER', text: 'WhatsApp Business Platform sample message' },
      ],
    },
    {
      id: '1000000000000002',
      wabaId: DEMO.wabaId,
      name: 'order_update',
      language: 'en_US',
      category: 'UTILITY',
      components: [
        {
          type: 'BODY',
          text: 'Hi {{1}}, your order {{2}} is on its way.',
          example: { body_text: [['Ana', 'A-991']] },
        },
        {
          type: 'BUTTONS',
          buttons: [
            { type: 'URL', text: 'Track order', url: 'https://example.com/track/{{1}}', example: ['A-991'] },
          ],
        },
      ],
    },
    {
      id: '1000000000000003',
      wabaId: DEMO.wabaId,
      name: 'weekly_offer',
      language: 'en_US',
      category: 'MARKETING',
      parameterFormat: 'NAMED',
      components: [
        { type: 'HEADER', format: 'IMAGE', example: { header_handle: ['4::aW1hZ2U='] } },
        {
          type: 'BODY',
          text: 'Hi {{first_name}}, this week: {{offer}}!',
          example: {
            body_text_named_params: [
              { param_name: 'first_name', example: 'Ana' },
              { param_name: 'offer', example: '2 croissants for 1' },
            ],
          },
        },
        { type: 'FOOTER', text: 'Reply STOP to opt out' },
        { type: 'BUTTONS', buttons: [{ type: 'QUICK_REPLY', text: 'Stop promotions' }] },
      ],
    },
  ],
  leadForms: [
    {
      id: DEMO.leadFormId,
      pageId: DEMO.pageId,
      name: 'Cake order enquiry',
      questions: [
        { key: 'full_name', label: 'Full name', type: 'FULL_NAME' },
        { key: 'email', label: 'Email', type: 'EMAIL' },
        { key: 'phone_number', label: 'Phone number', type: 'PHONE' },
        { key: 'cake_size', label: 'Cake size', type: 'CUSTOM' },
      ],
    },
  ],
  googleForms: [
    {
      id: DEMO.googleFormId,
      name: 'Catering quote (Google Ads)',
      key: DEMO.googleKey,
      campaignId: '20000000000',
      adgroupId: '20000000001',
      creativeId: '30000000000',
      columns: [
        { id: 'FULL_NAME', name: 'Full Name' },
        { id: 'EMAIL', name: 'User Email' },
        { id: 'PHONE_NUMBER', name: 'User Phone' },
        { id: 'POSTAL_CODE', name: 'Postal Code' },
      ],
    },
  ],
};

export function applySeed(store: SimStore, seed: SeedData, now: number): void {
  for (const a of seed.apps) {
    store.apps.set(a.id, {
      id: a.id,
      secret: a.secret,
      name: a.name,
      callbackUrl: a.callbackUrl ?? null,
      verifyToken: a.verifyToken ?? null,
      verified: false,
    });
  }
  for (const b of seed.businesses) {
    store.businesses.set(b.id, {
      id: b.id,
      name: b.name,
      messagingLimit: b.messagingLimit ?? 250,
      reached: new Map(),
    });
  }
  for (const w of seed.wabas) {
    store.wabas.set(w.id, {
      id: w.id,
      businessId: w.businessId,
      name: w.name,
      subscribedApps: new Set(w.subscribedAppIds ?? []),
      overrideCallback: null,
    });
  }
  for (const p of seed.phoneNumbers) {
    store.phones.set(p.id, {
      id: p.id,
      wabaId: p.wabaId,
      displayPhoneNumber: p.displayPhoneNumber.replace(/\D/g, ''),
      verifiedName: p.verifiedName,
      qualityRating: p.qualityRating ?? 'GREEN',
      throughputMps: p.throughputMps ?? 80,
      registered: true,
      rules: {},
    });
  }
  for (const p of seed.pages) {
    const subscribed = new Map<string, string[]>();
    for (const appId of p.subscribedAppIds ?? []) {
      subscribed.set(appId, [
        'messages',
        'messaging_postbacks',
        'message_echoes',
        'message_deliveries',
        'message_reads',
        'message_reactions',
        'messaging_seen',
        'leadgen',
      ]);
    }
    store.pages.set(p.id, {
      id: p.id,
      businessId: p.businessId,
      name: p.name,
      subscribedApps: subscribed,
      rules: {},
    });
  }
  for (const i of seed.instagramAccounts) store.instagrams.set(i.id, { ...i, rules: {} });
  for (const t of seed.tokens) {
    store.tokens.set(t.token, {
      token: t.token,
      appId: t.appId,
      businessId: t.businessId,
      kind: t.kind ?? 'system_user',
      expiresAt: null,
      pageId: t.pageId,
      scopes: [
        'whatsapp_business_messaging',
        'whatsapp_business_management',
        'pages_messaging',
        'instagram_manage_messages',
        'leads_retrieval',
      ],
    });
  }
  for (const c of seed.customers) store.addCustomer(c);
  let templateSeq = 0;
  for (const t of seed.templates) {
    templateSeq += 1;
    const id = t.id ?? `${1_000_000_000_000_100 + templateSeq}`;
    store.templates.set(id, {
      id,
      wabaId: t.wabaId,
      name: t.name,
      language: t.language,
      category: t.category,
      parameterFormat: t.parameterFormat ?? 'POSITIONAL',
      components: t.components,
      status: 'APPROVED',
      rejectedReason: 'NONE',
      qualityScore: 'GREEN',
      createdAt: now,
    });
  }
  for (const f of seed.leadForms) store.leadForms.set(f.id, f);
  for (const g of seed.googleForms) store.googleForms.set(g.id, { ...g, webhookUrl: g.webhookUrl ?? null });
}
