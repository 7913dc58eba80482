import { idSchema } from '@podsync/domain';
import { ZodPipe } from '@podsync/platform';

/** `{id}` path segment: a positive whole number a JSON number holds exactly. */
export const IdPipe = new ZodPipe(idSchema, 'path');
