import { Inject, Injectable, type PipeTransform } from '@nestjs/common';
import { type Config, type StatusBody, statusBodySchema } from '@podsync/domain';
import { CONFIG, ZodPipe } from '@podsync/platform';

/** The status body's keys are the configured catalogue, so its schema is built from the config. */
@Injectable()
export class StatusBodyPipe implements PipeTransform<unknown, StatusBody> {
  private readonly pipe: ZodPipe<ReturnType<typeof statusBodySchema>>;

  constructor(@Inject(CONFIG) config: Config) {
    this.pipe = new ZodPipe(statusBodySchema(config.algorithms), 'body');
  }

  transform(value: unknown): StatusBody {
    return this.pipe.transform(value);
  }
}
