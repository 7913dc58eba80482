import { SetMetadata } from '@nestjs/common';
import type { Role } from '@podsync/domain';

export const REQUIRED_ROLE = 'podsync:required-role';
export const PUBLIC_ROUTE = 'podsync:public-route';
export const RAW_RESPONSE = 'podsync:raw-response';

/** The lowest role allowed to call the route (reader < writer < admin). */
export const RequireRole = (role: Role) => SetMetadata(REQUIRED_ROLE, role);

/** Open to anyone: probes, metrics, docs. */
export const PublicRoute = () => SetMetadata(PUBLIC_ROUTE, true);

/** The handler's result is sent as it is, outside the JSON envelope (e.g. Prometheus text). */
export const RawResponse = () => SetMetadata(RAW_RESPONSE, true);
