import { idSchema } from '@podsync/domain';
import { ZodPipe } from './zod.pipe';

/** `{id}` path segment: a positive whole number a JSON number holds exactly. */
export const IdPipe = new ZodPipe(idSchema, 'path');
