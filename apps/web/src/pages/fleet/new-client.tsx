import { api, dataOf } from '../../api/api';
import type { ClientFields } from '../../api/clients';
import type { Client } from '../../api/views';
import { useAction } from '../../api/use-api';
import { ClientForm } from '../../components/client-form';
import { hrefOf } from '../../routing/route';

const BLANK_CLIENT: ClientFields = { name: '', image: '', version: 1, cpu: '500m', mem: '256Mi', priority: 0 };

/** Registers a client, then opens its page. */
export function NewClient() {
  const create = useAction(async (fields: ClientFields) => {
    const client = await dataOf<Client>(api.POST('/api/v1/clients', { body: fields }));
    window.location.hash = hrefOf.client(client.id);
  });
  return (
    <details class="card new-client">
      <summary>New client</summary>
      <ClientForm initial={BLANK_CLIENT} submitLabel="Create client" save={create} />
    </details>
  );
}
