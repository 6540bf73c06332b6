import type { ChannelProvider, GraphOptions } from './channel-provider.ts';
import { GraphClient } from './graph-client.ts';
import type { ChannelKind } from './message-content.ts';
import { createPageProvider } from './messenger-provider.ts';
import { createWhatsAppProvider } from './whatsapp-provider.ts';

/** One stateless provider per channel, sharing one Graph API client. */
export function createProviders(graph: GraphOptions): Record<ChannelKind, ChannelProvider> {
  const client = new GraphClient(graph);
  return {
    whatsapp: createWhatsAppProvider(client),
    messenger: createPageProvider(client, 'messenger'),
    instagram: createPageProvider(client, 'instagram'),
  };
}
