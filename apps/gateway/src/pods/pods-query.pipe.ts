import { Inject, Injectable, type PipeTransform } from '@nestjs/common';
import { type Config, type PodsQuery, podsQuerySchema } from '@podsync/domain';
import { CONFIG, ZodPipe } from '@podsync/platform';

/** The algorithm filter names the configured catalogue, so the query schema is built from the config. */
@Injectable()
export class PodsQueryPipe implements PipeTransform<unknown, PodsQuery> {
  private readonly pipe: ZodPipe<ReturnType<typeof podsQuerySchema>>;

  constructor(@Inject(CONFIG) config: Config) {
    this.pipe = new ZodPipe(podsQuerySchema(config.algorithms), 'query');
  }

  transform(value: unknown): PodsQuery {
    return this.pipe.transform(value);
  }
}
