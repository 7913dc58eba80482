import { Body, Controller, Put } from '@nestjs/common';
import { type LogLevelBody, logLevelBodySchema } from '@podsync/domain';
import { Loggers, OkMessage, RequireRole, ZodPipe } from '@podsync/platform';

/** `PUT /log-level` on the replica's own listener: the same body and role as the gateway's `PUT /api/v1/log-level`. */
@Controller('log-level')
@RequireRole('admin')
export class LogLevelController {
  constructor(private readonly loggers: Loggers) {}

  @Put()
  update(@Body(new ZodPipe(logLevelBodySchema, 'body')) body: LogLevelBody): OkMessage {
    this.loggers.setLevel(body.level);
    return new OkMessage(`log level set to ${body.level}`);
  }
}
