import { Body, Controller, Put } from '@nestjs/common';
import { ApiBody, ApiOperation, ApiTags, ApiResponse } from '@nestjs/swagger';
import { EXAMPLES } from '../common/openapi-examples';
import { type LogLevelBody, logLevelBodySchema } from '@podsync/domain';
import { Loggers, RequireRole, OkMessage, ZodPipe } from '@podsync/platform';
import { openApiSchema } from '../common/openapi';

@ApiTags('operability')
@Controller('api/v1/log-level')
@RequireRole('admin')
export class LogLevelController {
  constructor(private readonly loggers: Loggers) {}

  @Put()
  @ApiOperation({ summary: "Change this process's log level; X-Log-Level on a request raises it for that request alone" })
  @ApiBody({ schema: openApiSchema(logLevelBodySchema) })
  @ApiResponse({ status: 200, example: EXAMPLES.logLevel })
  update(@Body(new ZodPipe(logLevelBodySchema, 'body')) body: LogLevelBody): OkMessage {
    this.loggers.setLevel(body.level);
    return new OkMessage(`log level set to ${body.level}`);
  }
}
