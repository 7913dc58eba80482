import { Controller, Get, HttpCode, Post, Query } from '@nestjs/common';
import { ApiOperation, ApiTags, ApiResponse } from '@nestjs/swagger';
import { EXAMPLES } from '../common/openapi-examples';
import { type Page, type PageQuery, pageQuerySchema, type SyncQuery, syncQuerySchema } from '@podsync/domain';
import { ApiQueryFrom } from '../common/openapi';
import type { PausedView, PlanView, RoundView, SyncAccepted } from '@podsync/bus';
import { ClusterService } from './cluster.service';
import { RequireRole, ZodPipe } from '@podsync/platform';

@ApiTags('sync')
@Controller('api/v1/sync')
@RequireRole('reader')
export class SyncController {
  constructor(private readonly cluster: ClusterService) {}

  @Post()
  @HttpCode(202)
  @RequireRole('admin')
  @ApiOperation({ summary: 'Ask the leader for a full round now; force=true also lifts the mass-deletion guard for it' })
  @ApiQueryFrom(syncQuerySchema)
  @ApiResponse({ status: 202, example: EXAMPLES.syncAccepted })
  @ApiResponse({ status: 503, example: EXAMPLES.noLeader })
  sync(@Query(new ZodPipe(syncQuerySchema, 'query')) query: SyncQuery): Promise<SyncAccepted> {
    return this.cluster.requestRound(query.force);
  }

  @Get('rounds')
  @ApiOperation({ summary: 'The latest sync rounds, newest first' })
  @ApiQueryFrom(pageQuerySchema)
  @ApiResponse({ status: 200, example: EXAMPLES.rounds })
  rounds(@Query(new ZodPipe(pageQuerySchema, 'query')) page: PageQuery): Promise<Page<RoundView>> {
    return this.cluster.rounds(page);
  }

  @Get('plan')
  @ApiOperation({ summary: 'Dry run: the operations a full round would do now' })
  @ApiResponse({ status: 200, example: EXAMPLES.plan })
  @ApiResponse({ status: 503, example: EXAMPLES.noLeader })
  plan(): Promise<PlanView> {
    return this.cluster.plan();
  }

  @Post('pause')
  @HttpCode(200)
  @RequireRole('admin')
  @ApiOperation({ summary: 'Maintenance: rounds plan but do not act until resumed' })
  @ApiResponse({ status: 200, example: EXAMPLES.paused })
  @ApiResponse({ status: 503, example: EXAMPLES.noLeader })
  pause(): Promise<PausedView> {
    return this.cluster.pause();
  }

  @Post('resume')
  @HttpCode(200)
  @RequireRole('admin')
  @ApiOperation({ summary: 'End maintenance: rounds act again' })
  @ApiResponse({ status: 200, example: EXAMPLES.resumed })
  @ApiResponse({ status: 503, example: EXAMPLES.noLeader })
  resume(): Promise<PausedView> {
    return this.cluster.resume();
  }
}
