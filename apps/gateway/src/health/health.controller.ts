import { Controller, Get } from '@nestjs/common';
import { ApiOperation, ApiTags, ApiResponse } from '@nestjs/swagger';
import { EXAMPLES } from '../common/openapi-examples';
import type { HealthCheckResult } from '@nestjs/terminus';
import { ReadinessService, PublicRoute, RawResponse } from '@podsync/platform';

@ApiTags('health')
@Controller('api')
@PublicRoute()
@RawResponse()
export class HealthController {
  constructor(private readonly readiness: ReadinessService) {}

  @Get('health')
  @ApiOperation({ summary: 'Liveness: answers while the process runs, whatever its dependencies' })
  @ApiResponse({ status: 200, example: EXAMPLES.health })
  health(): { status: 'ok' } {
    return { status: 'ok' };
  }

  @Get('ready')
  @ApiOperation({ summary: 'Readiness: 503 while the database (or NATS, in cluster mode) is unreachable' })
  @ApiResponse({ status: 200, example: EXAMPLES.ready })
  ready(): Promise<HealthCheckResult> {
    return this.readiness.check();
  }
}
