/**
 * Every SDK client Switchyard's Lambdas create passes through here, so the Lambda composition
 * root (lambdas/handlers/aws/tracing.ts) can have Powertools Tracer capture each one, while the
 * adapters, the rehearsal and the tests import no Powertools and get plain clients.
 * Kept apart from clients.ts, which imports every SDK client, so ports.ts can use it statically.
 */
export type ClientDecorator = <Client extends object>(client: Client) => Client;

const asItIs: ClientDecorator = (client) => client;
let decorate: ClientDecorator = asItIs;

/** Set once at Lambda init, before any client exists (clients made earlier stay as they were). */
export function decorateClientsWith(decorator: ClientDecorator): void {
  decorate = decorator;
}

/** The client as the composition root wants it: traced in Lambda, itself elsewhere. */
export function prepareClient<Client extends object>(client: Client): Client {
  return decorate(client);
}
