// The document kinds the service's store is opened with: the domain's, the devices', http's (idempotency entries) and
// console sign-in's.
import { DOMAIN_SCHEMA } from "./domain/schema";
import { DEVICE_SCHEMA } from "./devices/schema";
import { IDEMPOTENCY_SCHEMA } from "./http/idempotency";
import { CONSOLE_AUTH_SCHEMA } from "./console-auth/schema";
import type { Store, Tx } from "./store/port";

export const SERVICE_SCHEMA = { ...DOMAIN_SCHEMA, ...DEVICE_SCHEMA, ...IDEMPOTENCY_SCHEMA, ...CONSOLE_AUTH_SCHEMA };

export type ServiceStore = Store<typeof SERVICE_SCHEMA>;
export type ServiceTx = Tx<typeof SERVICE_SCHEMA>;
